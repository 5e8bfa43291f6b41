//! Parsers of what real venues send beyond the published message list: TkStrike's round
//! statistics (`rst`) and the scoring program's own link status lines (`Udp Port 8888
//! connected;`).

use super::messages::{malformed, number};
use super::parse::optional_count;
use super::types::*;

/// `rst;R;st1;a;b;c;d;e;f;st2;a;b;c;d;e;f`: the round, then per athlete a labelled line of six
/// numbers (a body points, b head points, c–e kept as sent, f gam-jeom). Every field up to the
/// next code belongs to it, so a wrong count makes it malformed instead of leaving stray fields.
pub(super) fn round_stats(rest: &[&str]) -> (Event, usize) {
    let used = optional_count(rest, usize::MAX);
    let fields = &rest[..used];
    let result = (|| {
        let round = number(fields.first().copied().unwrap_or(""), "round")?;
        if !(1..=RoundStats::MAX_ROUND).contains(&round) {
            return Err(format!(
                "round must be 1–{}, got {round}",
                RoundStats::MAX_ROUND
            ));
        }
        let lines = &fields[1..];
        if lines.len() != 14 {
            return Err(format!(
                "expected st1 and st2 with 6 values each (14 fields after the round), got {}",
                lines.len()
            ));
        }
        let line = |label: &str, f: &[&str]| -> Result<AthleteRoundStats, String> {
            if f[0].trim() != label {
                return Err(format!("expected '{label}', got '{}'", f[0].trim()));
            }
            Ok(AthleteRoundStats {
                body: number(f[1], "body points")?,
                head: number(f[2], "head points")?,
                other: [3, 4, 5].map(|i| f[i].trim().to_string()),
                gam_jeom: number(f[6], "gam-jeom count")?,
            })
        };
        Ok(RoundStats {
            round,
            blue: line("st1", &lines[..7])?,
            red: line("st2", &lines[7..])?,
        })
    })();
    let ev = match result {
        Ok(stats) => Event::RoundStats(Box::new(stats)),
        Err(reason) => malformed("rst", fields, reason),
    };
    (ev, used)
}

/// Whether a first field is the scoring program's link status line (`Udp Port 8888 connected`,
/// `disconnected`), compared word by word and ignoring case.
pub(super) fn is_link_status(field: &str) -> bool {
    let words: Vec<&str> = field.split_whitespace().collect();
    let state =
        |w: &str| w.eq_ignore_ascii_case("connected") || w.eq_ignore_ascii_case("disconnected");
    match words.as_slice() {
        [s] => state(s),
        [udp, port, _, s] => {
            udp.eq_ignore_ascii_case("udp") && port.eq_ignore_ascii_case("port") && state(s)
        }
        _ => false,
    }
}

/// The event of a link status line accepted by [`is_link_status`]. A port that is no port
/// number makes it malformed rather than a link without a port.
pub(super) fn pss_link(field: &str) -> Event {
    let words: Vec<&str> = field.split_whitespace().collect();
    let connected = words
        .last()
        .is_some_and(|w| w.eq_ignore_ascii_case("connected"));
    let port = match words.as_slice() {
        [_, _, port, _] => match port.parse::<u16>() {
            Ok(p) => Some(p),
            Err(_) => {
                return malformed(
                    field,
                    &[],
                    format!("PSS link status names port '{port}', not a number 0–65535"),
                );
            }
        },
        _ => None,
    };
    Event::PssLink { port, connected }
}
