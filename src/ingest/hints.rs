//! What the status bar tells the operator about a listener, as pure functions: the PSS link line
//! (`Udp Port 8888 connected;`) and the hint for a listener that hears nothing (on Windows,
//! almost always the firewall).

use crate::protocol::Event;
use std::time::Duration;

/// TkStrike's link line: `Udp Port 8888 connected;` / `… disconnected;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssLink {
    /// The port named in the line, when it names one.
    pub port: Option<u16>,
    /// Connected (true) or disconnected.
    pub connected: bool,
}

/// The link line carried by a parsed event (`Event::PssLink`, parsed from
/// `Udp Port 8888 connected;` by the protocol parser).
pub fn pss_link_line(e: &Event) -> Option<PssLink> {
    match e {
        Event::PssLink { port, connected } => Some(PssLink {
            port: *port,
            connected: *connected,
        }),
        _ => None,
    }
}

/// The latest link line of a datagram's events.
pub fn pss_link(events: &[Event]) -> Option<PssLink> {
    events.iter().rev().find_map(pss_link_line)
}

/// "PSS connected 12:03:55" / "PSS disconnected 12:04:10", with the local time given.
pub fn pss_link_status(link: PssLink, at: &str) -> String {
    let state = if link.connected {
        "connected"
    } else {
        "disconnected"
    };
    match link.port {
        Some(p) => format!("PSS {state} {at} (its port {p})"),
        None => format!("PSS {state} {at}"),
    }
}

/// How long a listener may hear nothing before the status bar says what to check.
pub const SILENCE_HINT_AFTER: Duration = Duration::from_secs(30);

/// The machine's kind, for the hint's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Windows: the firewall drops inbound UDP on a Public network without a prompt.
    Windows,
    /// Linux, macOS.
    Other,
}

impl Platform {
    /// The platform this build runs on.
    pub fn current() -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Other
        }
    }
}

/// A hint for a listener that hears nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceHint {
    /// The explanation.
    pub text: String,
    /// A command to copy and run, when there is one.
    pub command: Option<String>,
}

/// The Windows Firewall rule that lets the scoring packets in on every network profile.
pub fn firewall_command(port: u16) -> String {
    format!(
        "netsh advfirewall firewall add rule name=\"courtside UDP {port}\" dir=in action=allow \
         protocol=UDP localport={port} profile=any"
    )
}

/// The hint for a listener on `port` that has been listening for `listening_for` and received
/// `received` datagrams since: none until it has heard nothing for [`SILENCE_HINT_AFTER`].
pub fn silence_hint(
    platform: Platform,
    port: u16,
    listening_for: Duration,
    received: u64,
) -> Option<SilenceHint> {
    if received > 0 || listening_for < SILENCE_HINT_AFTER {
        return None;
    }
    let secs = listening_for.as_secs();
    Some(match platform {
        Platform::Windows => SilenceHint {
            text: format!(
                "No datagram in {secs} s on UDP {port}. Windows Firewall silently drops them on a \
                 network it treats as Public (an isolated court network is an \"Unidentified \
                 network\", which is Public; the first-run prompt allows Private networks only). \
                 Run this in an administrator command prompt, then check the scoring program \
                 sends to this machine's address and port {port}:"
            ),
            command: Some(firewall_command(port)),
        },
        Platform::Other => SilenceHint {
            text: format!(
                "No datagram in {secs} s on UDP {port}. Check that the scoring program sends to \
                 this machine's address (or the LAN broadcast address) and port {port}, and that \
                 no firewall on this machine blocks inbound UDP {port}."
            ),
            command: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_datagram;

    #[test]
    fn the_link_line_is_read_from_the_parsed_event() {
        let got = pss_link(&parse_datagram(b"Udp Port 8888 connected;\r\n"));
        let want = PssLink {
            port: Some(8888),
            connected: true,
        };
        assert_eq!(got, Some(want));
        let got = pss_link(&parse_datagram(b"Udp Port 6000 disconnected"));
        assert_eq!(
            got.map(|l| (l.port, l.connected)),
            Some((Some(6000), false))
        );
        for other in [
            &b"hel;"[..],
            b"Udp Port 8888 maybe;",
            b"Udp Portal 1 connected;",
        ] {
            assert_eq!(pss_link(&parse_datagram(other)), None, "{other:?}");
        }
        let at = "12:03:55";
        assert_eq!(
            pss_link_status(want, at),
            "PSS connected 12:03:55 (its port 8888)"
        );
    }

    #[test]
    fn no_hint_before_thirty_silent_seconds_or_once_anything_arrived() {
        let p = Platform::Windows;
        assert_eq!(silence_hint(p, 6000, Duration::from_secs(29), 0), None);
        assert_eq!(silence_hint(p, 6000, Duration::from_secs(300), 1), None);
        assert!(silence_hint(p, 6000, SILENCE_HINT_AFTER, 0).is_some());
    }

    #[test]
    fn the_windows_hint_gives_the_exact_firewall_command_for_the_port() {
        let hint = silence_hint(Platform::Windows, 6001, Duration::from_secs(31), 0);
        let hint = hint.expect("hint after 31 s");
        assert_eq!(
            hint.command.as_deref(),
            Some(
                "netsh advfirewall firewall add rule name=\"courtside UDP 6001\" dir=in \
                 action=allow protocol=UDP localport=6001 profile=any"
            )
        );
        assert!(hint.text.contains("Public"), "{}", hint.text);
    }

    #[test]
    fn elsewhere_the_hint_points_at_the_pss_target_and_the_firewall() {
        let hint = silence_hint(Platform::Other, 6000, Duration::from_secs(45), 0);
        let hint = hint.expect("hint after 45 s");
        assert_eq!(hint.command, None);
        assert!(hint.text.contains("port 6000"), "{}", hint.text);
        assert!(hint.text.contains("firewall"), "{}", hint.text);
    }
}
