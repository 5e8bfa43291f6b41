//! What the tournament link tells the operator: connected, offline with how much is queued, or
//! refused credentials — each with its cause and what to do. Plain data, shown by the GUI's
//! status bar and printed by the command line.

use std::time::Duration;

/// State of the link to the NATS server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Link {
    /// Not started yet, or connecting for the first time.
    #[default]
    Connecting,
    /// Connected, JetStream answered.
    Connected,
    /// The server cannot be reached or stopped answering; publishing resumes on its own.
    Offline {
        /// What happened.
        cause: String,
        /// What the operator can do.
        advice: String,
    },
    /// The server refused the credentials; retried slowly, but only a settings change helps.
    WrongCredentials {
        /// The server's answer.
        cause: String,
        /// What the operator can do.
        advice: String,
    },
    /// The server answers but has no JetStream (started without `-js`) or refused the stream.
    NoJetStream {
        /// The server's answer.
        cause: String,
        /// What the operator can do.
        advice: String,
    },
    /// The settings cannot be used (bad id, unreadable `.creds` file …); nothing is tried.
    Misconfigured {
        /// Which setting and why.
        cause: String,
    },
    /// Stopped (the service was dropped).
    Stopped,
}

/// A court's publishing status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourtStatus {
    /// The link.
    pub link: Link,
    /// Stored datagrams not yet acknowledged by the server.
    pub queued: u64,
    /// Datagrams acknowledged since the service started.
    pub published: u64,
    /// Of those, how many the server recognised as already stored (a re-publish after a lost
    /// acknowledgement).
    pub duplicates: u64,
    /// Highest store sequence acknowledged (the cursor).
    pub cursor: u64,
}

impl CourtStatus {
    /// One line for a status bar or a terminal, e.g. `tournament: offline — 1 234 queued (…)`.
    pub fn line(&self) -> String {
        let queued = group_digits(self.queued);
        match &self.link {
            Link::Connecting => format!("tournament: connecting — {queued} queued"),
            Link::Connected if self.queued == 0 => "tournament: connected".into(),
            Link::Connected => format!("tournament: connected — sending {queued} queued"),
            Link::Offline { cause, advice } => {
                format!("tournament: offline — {queued} queued ({cause}; {advice})")
            }
            Link::WrongCredentials { cause, advice } => {
                format!("tournament: wrong credentials — {queued} queued ({cause}; {advice})")
            }
            Link::NoJetStream { cause, advice } => {
                format!(
                    "tournament: server without JetStream — {queued} queued ({cause}; {advice})"
                )
            }
            Link::Misconfigured { cause } => format!("tournament: not started — {cause}"),
            Link::Stopped => format!("tournament: stopped — {queued} queued"),
        }
    }
}

/// `1234567` → `1 234 567` (thin grouping, as the status line shows counts).
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The link state for a failed connection attempt.
pub fn link_of_connect_error(e: &async_nats::ConnectError, servers: &[String]) -> Link {
    use async_nats::ConnectErrorKind as K;
    let servers = servers.join(", ");
    let cause = format!("{servers}: {e}");
    match e.kind() {
        K::AuthorizationViolation | K::Authentication => Link::WrongCredentials {
            cause,
            advice: "check the user/password, token or .creds file given for the tournament \
                     (Settings → Tournament on a court; the --nats-user, --nats-token-file or \
                     --nats-creds option of `courtside listen` and `courtside hub`)"
                .into(),
        },
        K::Tls => Link::Offline {
            cause,
            advice:
                "check the tls:// address and the CA file (or that the server really speaks TLS)"
                    .into(),
        },
        K::ServerParse | K::Dns => Link::Offline {
            cause,
            advice: "check the server address (Settings → Tournament on a court; --nats of \
                     `courtside listen` and `courtside hub`)"
                .into(),
        },
        _ => Link::Offline {
            cause,
            advice: "check the network and that nats-server runs; datagrams are kept and sent \
                     when it is back"
                .into(),
        },
    }
}

/// The link state when the server stops acknowledging.
pub fn link_of_lost_acks(what: &str, waited: Duration) -> Link {
    Link::Offline {
        cause: format!(
            "{what}: no answer from the server within {} s",
            waited.as_secs()
        ),
        advice: "check the network and nats-server; datagrams are kept and sent when it is back"
            .into(),
    }
}

/// The link state when JetStream is missing or refused a request.
pub fn link_of_jetstream_error(what: &str, e: &dyn std::fmt::Display) -> Link {
    let text = e.to_string();
    let no_js = ["no responders", "not enabled", "unavailable"]
        .iter()
        .any(|t| text.contains(t));
    Link::NoJetStream {
        cause: format!("{what}: {text}"),
        advice: if no_js {
            "start nats-server with JetStream (-js, or `jetstream {}` in its configuration)".into()
        } else {
            "check the server's JetStream limits and permissions for this tournament".into()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1234), "1 234");
        assert_eq!(group_digits(1234567), "1 234 567");
    }

    #[test]
    fn the_status_line_says_state_queue_cause_and_advice() {
        let s = CourtStatus {
            link: Link::Offline {
                cause: "connection refused".into(),
                advice: "check the network".into(),
            },
            queued: 1234,
            ..CourtStatus::default()
        };
        assert_eq!(
            s.line(),
            "tournament: offline — 1 234 queued (connection refused; check the network)"
        );
        let ok = CourtStatus {
            link: Link::Connected,
            ..CourtStatus::default()
        };
        assert_eq!(ok.line(), "tournament: connected");
    }
}
