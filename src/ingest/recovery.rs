//! Recovering a court's state from the scoring program. TkStrike answers text requests sent to
//! its listen port (`informations`, `athletes`, `scores`, …) by sending its last packet of that
//! kind back to the asking address and port. A listener with a "PSS request port" asks for the
//! whole state when it starts and when its court speaks again after more than [`SILENCE`], so a
//! restarted courtside shows names, scores, round and clock at once instead of at the next score.
//!
//! Pure: the listener sends what this decides, from its own socket, so the answers come back to
//! it and are stored like any datagram.

use crate::protocol::Event;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Silence after which the court's next datagram makes the listener ask again.
pub const SILENCE: Duration = Duration::from_secs(10);
/// How long after a request a datagram of the asked kind counts as its answer.
pub const ANSWER_WINDOW: Duration = Duration::from_secs(2);

/// A request the scoring program answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// `mch`.
    Informations,
    /// `at1…at2…`.
    Athletes,
    /// `ref`.
    Referees,
    /// `sc1…sc2…` and `s11…`.
    Scores,
    /// `wg1…wg2…`.
    GamJeom,
    /// `rnd`.
    Period,
    /// `wrd`.
    WinPeriods,
    /// `brk`.
    Break,
    /// `clk`.
    Clock,
    /// `win` / `wmh`.
    WinMatch,
}

/// What is asked first. `informations` leads so the match's identity arrives before the rest
/// (the store starts a new match record when it names another match than the court's open one).
/// The winner is not asked here: TkStrike answers with its *last* `wmh`, which belongs to the
/// previous match until this one has ended, and would show a winner on a match in progress. It
/// is asked once the round winners answer shows the match decided.
pub const FIRST: [Ask; 9] = [
    Ask::Informations,
    Ask::Athletes,
    Ask::Referees,
    Ask::Scores,
    Ask::GamJeom,
    Ask::Period,
    Ask::WinPeriods,
    Ask::Break,
    Ask::Clock,
];

/// Every request, for the simulator.
pub const ALL: [Ask; 10] = [
    Ask::Informations,
    Ask::Athletes,
    Ask::Referees,
    Ask::Scores,
    Ask::GamJeom,
    Ask::Period,
    Ask::WinPeriods,
    Ask::Break,
    Ask::Clock,
    Ask::WinMatch,
];

impl Ask {
    /// The request as sent (TkStrike's spelling, `winperiods;` with its `;`).
    pub const fn text(self) -> &'static str {
        match self {
            Ask::Informations => "informations",
            Ask::Athletes => "athletes",
            Ask::Referees => "referees",
            Ask::Scores => "scores",
            Ask::GamJeom => "gam-jeom",
            Ask::Period => "period",
            Ask::WinPeriods => "winperiods;",
            Ask::Break => "break",
            Ask::Clock => "clock",
            Ask::WinMatch => "winmatch",
        }
    }

    /// How many packets answer it: TkStrike keeps `sc` and `s..` apart, and `win` and `wmh`.
    pub const fn packets(self) -> u8 {
        match self {
            Ask::Scores | Ask::WinMatch => 2,
            _ => 1,
        }
    }

    /// A request line as received (case and a trailing `;` do not matter).
    pub fn parse(line: &str) -> Option<Ask> {
        let t = line.trim().trim_end_matches(';').trim();
        ALL.into_iter()
            .find(|a| a.text().trim_end_matches(';').eq_ignore_ascii_case(t))
    }

    /// The request an event answers.
    pub fn of_event(e: &Event) -> Option<Ask> {
        Some(match e {
            Event::MatchConfig(_) => Ask::Informations,
            Event::AthleteInfo { .. } => Ask::Athletes,
            Event::Referees { .. } => Ask::Referees,
            Event::Score { .. } | Event::RoundScore { .. } => Ask::Scores,
            Event::Penalties { .. } => Ask::GamJeom,
            Event::Round { .. } => Ask::Period,
            Event::RoundWinners { .. } => Ask::WinPeriods,
            Event::Break { .. } => Ask::Break,
            Event::Clock { .. } => Ask::Clock,
            Event::Winner { .. } | Event::WinnerShown { .. } => Ask::WinMatch,
            _ => return None,
        })
    }
}

/// One datagram of requests, CRLF-separated.
pub fn request_datagram(asks: &[Ask]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in asks {
        out.extend_from_slice(a.text().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Whether round winners show the match decided: one athlete has won most of its rounds.
pub fn decided(winners: &[u8; 3], total_rounds: Option<u32>) -> bool {
    let need = total_rounds.filter(|t| *t > 0).map_or(2, |t| t / 2 + 1) as usize;
    [1u8, 2]
        .iter()
        .any(|a| winners.iter().filter(|w| *w == a).count() >= need)
}

/// Requests to send now: where, and the datagram.
pub type Send = (SocketAddr, Vec<u8>);

/// A listener's recovery: whom to ask, what is outstanding, when the court last spoke.
#[derive(Debug)]
pub struct Recovery {
    port: u16,
    pss: Option<IpAddr>,
    /// The address was given (not guessed from the first source heard).
    explicit: bool,
    heard: Option<Instant>,
    /// Outstanding requests and how many more packets each may bring.
    pending: Vec<(Ask, u8)>,
    asked_at: Option<Instant>,
    total_rounds: Option<u32>,
}

impl Recovery {
    /// Recovery asking `request_port` of `pss` (or, when not given, of the first source heard).
    pub fn new(request_port: u16, pss: Option<IpAddr>) -> Recovery {
        Recovery {
            port: request_port,
            pss: pss.map(|ip| ip.to_canonical()),
            explicit: pss.is_some(),
            heard: None,
            pending: Vec::new(),
            asked_at: None,
            total_rounds: None,
        }
    }

    /// The scoring program's address, once known.
    pub fn pss(&self) -> Option<IpAddr> {
        self.pss
    }

    /// Take the first source heard as the scoring program when no address was given.
    pub fn adopt(&mut self, ip: IpAddr) {
        if self.pss.is_none() {
            self.pss = Some(ip);
        }
    }

    /// The source lock chose the scoring program: a stronger sign than the first source heard
    /// (which may have been another machine), so it replaces a guessed address; a given one stays.
    pub fn locked_to(&mut self, ip: IpAddr) {
        if !self.explicit && self.pss != Some(ip) {
            self.pss = Some(ip);
            // What was asked went to the wrong machine: ask the locked one afresh.
            self.heard = None;
            self.pending.clear();
            self.asked_at = None;
        }
    }

    /// The listener started listening: ask at once when the address is known.
    pub fn on_start(&mut self, now: Instant) -> Option<Send> {
        self.heard = None;
        let pss = self.pss?;
        Some(self.ask(pss, &FIRST, now))
    }

    fn ask(&mut self, pss: IpAddr, asks: &[Ask], now: Instant) -> Send {
        for a in asks {
            self.pending.retain(|(p, _)| p != a);
            self.pending.push((*a, a.packets()));
        }
        self.asked_at = Some(now);
        (SocketAddr::new(pss, self.port), request_datagram(asks))
    }

    /// A stored datagram from `src` arrived. Returns whether it answers an outstanding request,
    /// and the requests to send now (after silence, or the winner once the match is decided).
    pub fn on_datagram(
        &mut self,
        src: IpAddr,
        events: &[Event],
        now: Instant,
    ) -> (bool, Option<Send>) {
        let src = src.to_canonical();
        self.adopt(src);
        let Some(pss) = self.pss.filter(|p| *p == src) else {
            return (false, None);
        };
        let silent = self
            .heard
            .is_none_or(|h| now.saturating_duration_since(h) > SILENCE);
        self.heard = Some(now);
        let recently_asked = self
            .asked_at
            .is_some_and(|at| now.saturating_duration_since(at) <= ANSWER_WINDOW);
        if !recently_asked {
            self.pending.clear();
        }
        let mut answered: Vec<Ask> = events.iter().filter_map(Ask::of_event).collect();
        answered.dedup();
        let mut answer = false;
        for (ask, left) in &mut self.pending {
            if answered.contains(ask) && *left > 0 {
                *left -= 1;
                answer = true;
            }
        }
        self.pending.retain(|(_, left)| *left > 0);
        for e in events {
            match e {
                Event::MatchConfig(cfg) => self.total_rounds = cfg.total_rounds,
                Event::RoundWinners { winners }
                    if answer && decided(winners, self.total_rounds) =>
                {
                    return (true, Some(self.ask(pss, &[Ask::WinMatch], now)));
                }
                _ => {}
            }
        }
        // Asked a moment ago (at start): the answers are on their way, asking again would only
        // double them.
        if silent && !answer && !recently_asked {
            return (false, Some(self.ask(pss, &FIRST, now)));
        }
        (answer, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_datagram;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn requests_share_one_datagram_separated_by_crlf() {
        let d = request_datagram(&[Ask::Informations, Ask::WinPeriods, Ask::Clock]);
        assert_eq!(d, b"informations\r\nwinperiods;\r\nclock\r\n");
        for a in ALL {
            assert_eq!(Ask::parse(a.text()), Some(a));
        }
        assert_eq!(Ask::parse(" Scores; "), Some(Ask::Scores));
        assert_eq!(Ask::parse("gamjeom"), None);
    }

    #[test]
    fn a_known_pss_is_asked_at_start_and_its_answers_are_recognised() {
        let t0 = Instant::now();
        let mut r = Recovery::new(6001, Some(ip("10.0.0.5")));
        let (to, bytes) = r.on_start(t0).expect("asks at start");
        assert_eq!(to, "10.0.0.5:6001".parse().expect("addr"));
        assert!(bytes.starts_with(b"informations\r\n"));
        assert!(!bytes.windows(8).any(|w| w == b"winmatch"));
        let t1 = t0 + Duration::from_millis(20);
        let pss = ip("10.0.0.5");
        assert_eq!(
            r.on_datagram(pss, &parse_datagram(b"rnd;2"), t1),
            (true, None)
        );
        // Answered once; a second round is live traffic, and another source never answers.
        assert!(!r.on_datagram(pss, &parse_datagram(b"rnd;3"), t1).0);
        // `scores` brings two packets.
        assert!(r.on_datagram(pss, &parse_datagram(b"sc1;3;sc2;1"), t1).0);
        assert!(
            r.on_datagram(
                pss,
                &parse_datagram(b"s11;3;s21;1;s12;0;s22;0;s13;0;s23;0"),
                t1
            )
            .0
        );
        assert!(!r.on_datagram(pss, &parse_datagram(b"sc1;4;sc2;1"), t1).0);
        assert!(
            !r.on_datagram(ip("10.0.0.9"), &parse_datagram(b"clk;1:00"), t1)
                .0
        );
        // Past the window nothing is an answer any more.
        let late = t1 + ANSWER_WINDOW + Duration::from_millis(1);
        assert_eq!(
            r.on_datagram(ip("10.0.0.5"), &parse_datagram(b"clk;1:00"), late),
            (false, None)
        );
    }

    #[test]
    fn the_court_speaking_after_ten_silent_seconds_is_asked_again() {
        let t0 = Instant::now();
        let mut r = Recovery::new(6001, None);
        assert_eq!(r.on_start(t0), None, "no address yet: nothing to ask");
        // The first datagram heard names the scoring program and is asked at once.
        let (_, first) = r.on_datagram(ip("::ffff:10.0.0.5"), &parse_datagram(b"clk;1:10"), t0);
        assert_eq!(first.map(|(to, _)| to.ip()), Some(ip("10.0.0.5")));
        let t1 = t0 + Duration::from_secs(9);
        assert_eq!(
            r.on_datagram(ip("10.0.0.5"), &parse_datagram(b"clk;1:01"), t1)
                .1,
            None
        );
        let t2 = t1 + SILENCE + Duration::from_millis(1);
        let (answer, again) = r.on_datagram(ip("10.0.0.5"), &parse_datagram(b"clk;0:50"), t2);
        assert!(!answer);
        assert_eq!(again.map(|(_, b)| b), Some(request_datagram(&FIRST)));
    }

    #[test]
    fn the_locked_source_replaces_a_guessed_pss_and_is_asked() {
        let t0 = Instant::now();
        let mut r = Recovery::new(6001, None);
        r.on_datagram(ip("10.0.0.66"), &parse_datagram(b"sc1;9"), t0);
        assert_eq!(
            r.pss(),
            Some(ip("10.0.0.66")),
            "guessed from the first source"
        );
        r.locked_to(ip("10.0.0.5"));
        let (_, ask) = r.on_datagram(ip("10.0.0.5"), &parse_datagram(b"hel;"), t0);
        assert_eq!(ask.map(|(to, _)| to.ip()), Some(ip("10.0.0.5")));
        let mut given = Recovery::new(6001, Some(ip("10.0.0.7")));
        given.locked_to(ip("10.0.0.5"));
        assert_eq!(given.pss(), Some(ip("10.0.0.7")), "a given address stays");
    }

    #[test]
    fn the_winner_is_asked_only_once_the_round_winners_show_the_match_decided() {
        let t0 = Instant::now();
        let pss = ip("10.0.0.5");
        let mut r = Recovery::new(6001, Some(pss));
        r.on_start(t0);
        let mch = b"mch;204;Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;";
        r.on_datagram(pss, &parse_datagram(mch), t0);
        let open = r.on_datagram(pss, &parse_datagram(b"wrd;rd1;1;rd2;2;rd3;0;"), t0);
        assert_eq!(open, (true, None), "1-1: the match is not decided");
        let mut r = Recovery::new(6001, Some(pss));
        r.on_start(t0);
        let (answer, ask) = r.on_datagram(pss, &parse_datagram(b"wrd;rd1;1;rd2;1;rd3;0;"), t0);
        assert!(answer);
        assert_eq!(ask.map(|(_, b)| b), Some(b"winmatch\r\n".to_vec()));
        assert!(decided(&[2, 2, 0], None) && !decided(&[1, 2, 0], Some(3)));
    }
}
