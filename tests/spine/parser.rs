//! Parser tables: every message code in both framings, paired and concatenated messages, empty
//! fields and no clamping. Malformed, unknown, lossy and truncated input: `parser_edge.rs`.

use courtside::protocol::{
    Athlete,
    Athlete::{Blue, Red},
    BreakAction, ChallengeStatus, Clock, ClockAction, Event, InjuryAction, MatchConfig, PointKind,
    parse_datagram, parse_text,
};

// Short constructors keep the tables one line per case.
pub fn pt(athlete: Athlete, kind: PointKind) -> Event {
    Event::Point { athlete, kind }
}
pub fn hl(athlete: Athlete, level: u32) -> Event {
    Event::HitLevel { athlete, level }
}
pub fn wg(athlete: Athlete, count: u32) -> Event {
    Event::Penalties { athlete, count }
}
pub fn sc(athlete: Athlete, score: u32) -> Event {
    Event::Score { athlete, score }
}
pub fn rs(athlete: Athlete, round: u8, score: u32) -> Event {
    Event::RoundScore {
        athlete,
        round,
        score,
    }
}
pub fn clk(secs: u32, action: Option<ClockAction>) -> Event {
    Event::Clock {
        clock: Clock::from_secs(secs),
        action,
    }
}
pub fn to(athlete: Athlete, secs: u32, action: Option<ClockAction>) -> Event {
    Event::Timeout {
        athlete,
        clock: Clock::from_secs(secs),
        action,
    }
}
pub fn ij(athlete: Option<Athlete>, secs: u32, action: Option<InjuryAction>) -> Event {
    Event::Injury {
        athlete,
        clock: Clock::from_secs(secs),
        action,
    }
}
pub fn brk(secs: u32, action: Option<BreakAction>) -> Event {
    Event::Break {
        clock: Clock::from_secs(secs),
        action,
    }
}
pub fn ch(by: Option<Athlete>, status: ChallengeStatus) -> Event {
    Event::Challenge { by, status }
}
pub fn wmh(name: &str, decision: Option<&str>) -> Event {
    Event::WinnerShown {
        name: name.into(),
        decision: decision.map(String::from),
    }
}
pub fn led(code: &str, value: &str) -> Event {
    Event::LedSetting {
        code: code.into(),
        value: value.into(),
    }
}
pub fn unknown(code: &str, fields: &[&str]) -> Event {
    Event::Unknown {
        code: code.into(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
    }
}
pub fn at(athlete: Athlete, short: &str, long: &str, country: &str, truncated: bool) -> Event {
    Event::AthleteInfo {
        athlete,
        short_name: short.into(),
        long_name: long.into(),
        country: country.into(),
        truncated,
    }
}

/// Parse `body` as a spec datagram (`body;`), a TkStrike datagram (`body\r\n`) and, through
/// `parse_datagram`, as bytes in both framings: all four must give `expected`.
pub fn both_framings(body: &str, expected: &[Event]) {
    let spec = format!("{body};");
    let tk = format!("{body}\r\n");
    for framed in [&spec, &tk] {
        assert_eq!(parse_text(framed), expected, "text {framed:?}");
        assert_eq!(
            parse_datagram(framed.as_bytes()),
            expected,
            "bytes {framed:?}"
        );
    }
}

fn example_config() -> MatchConfig {
    MatchConfig {
        number: "204".into(),
        phase: "Quarterfinal".into(),
        weight: "M- 68 kg".into(),
        rounds_field: String::new(),
        blue_bg: "#0000ff".into(),
        blue_fg: "#FFFFFF".into(),
        red_bg: "#ff0000".into(),
        red_fg: "#FFFFFF".into(),
        match_id: Some("9f3e21aa".into()),
        division: "Senior".into(),
        total_rounds: Some(3),
        round_seconds: Some(120),
        count_mode: "cntDown".into(),
        body_threshold: Some(18),
        head_threshold: Some(1),
        fields_present: 15,
    }
}

#[test]
fn every_code_in_both_framings() {
    use BreakAction as B;
    use ChallengeStatus as C;
    use ClockAction as K;
    use InjuryAction as I;
    use PointKind as P;
    let referees = ["KIM Min", "KOR", "ju1", "LEE", "ju2", "PARK", "ju3", "CHOI"];
    let table: Vec<(&str, Vec<Event>)> = vec![
        ("pt1;1", vec![pt(Blue, P::Punch)]),
        ("pt1;2", vec![pt(Blue, P::Body)]),
        ("pt2;3", vec![pt(Red, P::Head)]),
        ("pt2;4", vec![pt(Red, P::TechBody)]),
        ("pt1;5", vec![pt(Blue, P::TechHead)]),
        ("hl1;72", vec![hl(Blue, 72)]),
        ("hl2;1", vec![hl(Red, 1)]),
        ("wg1;0;wg2;1", vec![wg(Blue, 0), wg(Red, 1)]),
        ("ij0;1:00", vec![ij(None, 60, None)]),
        ("ij1;0:45;show", vec![ij(Some(Blue), 45, Some(I::Show))]),
        ("ij2;1:00;hide", vec![ij(Some(Red), 60, Some(I::Hide))]),
        ("ij1;0:00;reset", vec![ij(Some(Blue), 0, Some(I::Reset))]),
        ("ch0", vec![ch(None, C::Requested)]),
        ("ch1", vec![ch(Some(Blue), C::Requested)]),
        ("ch1;1", vec![ch(Some(Blue), C::Accepted)]),
        ("ch2;1;1", vec![ch(Some(Red), C::Decided { won: true })]),
        ("ch1;1;0", vec![ch(Some(Blue), C::Decided { won: false })]),
        ("ch2;0", vec![ch(Some(Red), C::Rejected)]),
        ("ch0;-1", vec![ch(None, C::Closed)]),
        ("brk;0:59", vec![brk(59, None)]),
        ("brk;45", vec![brk(45, None)]),
        ("brk;0:30;stop", vec![brk(30, Some(B::Stop))]),
        ("brk;0:00;stopEnd", vec![brk(0, Some(B::StopEnd))]),
        (
            "wrd;rd1;1;rd2;2;rd3;0",
            vec![Event::RoundWinners { winners: [1, 2, 0] }],
        ),
        (
            "wrd;rd1;0;rd2;0;rd3;0",
            vec![Event::RoundWinners { winners: [0, 0, 0] }],
        ),
        (
            "wrd;2;1;2",
            vec![Event::RoundWinners { winners: [2, 1, 2] }],
        ),
        (
            "wmh;Kenji TANAKA;2-1 PTF",
            vec![wmh("Kenji TANAKA", Some("2-1 PTF"))],
        ),
        ("wmh;Kenji TANAKA", vec![wmh("Kenji TANAKA", None)]),
        ("win;BLUE", vec![Event::Winner { athlete: Blue }]),
        ("win;RED", vec![Event::Winner { athlete: Red }]),
        (
            "at1;K. TANAKA;Kenji TANAKA;JPN;at2;L. MOREAU;Lucas MOREAU;FRA",
            vec![
                at(Blue, "K. TANAKA", "Kenji TANAKA", "JPN", false),
                at(Red, "L. MOREAU", "Lucas MOREAU", "FRA", false),
            ],
        ),
        (
            "mch;204;Quarterfinal;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;9f3e21aa;Senior;3;120;cntDown;18;1",
            vec![Event::MatchConfig(Box::new(example_config()))],
        ),
        (
            "s11;3;s21;0;s12;0;s22;5;s13;3;s23;0",
            vec![
                rs(Blue, 1, 3),
                rs(Red, 1, 0),
                rs(Blue, 2, 0),
                rs(Red, 2, 5),
                rs(Blue, 3, 3),
                rs(Red, 3, 0),
            ],
        ),
        ("sc1;6;sc2;5", vec![sc(Blue, 6), sc(Red, 5)]),
        ("avt;2", vec![Event::VideoTime { value: 2 }]),
        ("clk;2:00", vec![clk(120, None)]),
        ("clk;2:00;start", vec![clk(120, Some(K::Start))]),
        ("clk;1:56;stop", vec![clk(116, Some(K::Stop))]),
        ("clk;1:30;corr", vec![clk(90, Some(K::Corr))]),
        ("clk;0:00;stopEnd", vec![clk(0, Some(K::StopEnd))]),
        ("clk;75", vec![clk(75, None)]),
        ("rnd;1", vec![Event::Round { round: 1 }]),
        ("rnd;4", vec![Event::Round { round: 4 }]),
        ("pre;FightLoaded", vec![Event::FightLoaded]),
        ("rdy;FightReady", vec![Event::FightReady]),
        ("sup;1", vec![Event::Superiority { value: 1 }]),
        ("to1;1:00;start", vec![to(Blue, 60, Some(K::Start))]),
        ("to2;0:30", vec![to(Red, 30, None)]),
        (
            "ref;KIM Min;KOR;ju1;LEE;ju2;PARK;ju3;CHOI",
            vec![Event::Referees {
                fields: referees.map(String::from).to_vec(),
            }],
        ),
        ("hel", vec![Event::Hello]),
        ("bye", vec![Event::Bye]),
        ("hwt;3", vec![Event::HardwareTest { value: 3 }]),
        ("inlb;5:", vec![led("inlb", "5")]),
        ("insl:2:", vec![led("insl", "2")]),
        ("inth;80:", vec![led("inth", "80")]),
    ];
    for (body, expected) in &table {
        both_framings(body, expected);
    }
}

#[test]
fn values_are_never_clamped() {
    both_framings("sc1;99", &[sc(Blue, 99)]);
    both_framings("hl1;150", &[hl(Blue, 150)]);
    both_framings("wg2;12", &[wg(Red, 12)]);
    both_framings("rnd;9", &[Event::Round { round: 9 }]);
    both_framings("clk;99:59", &[clk(99 * 60 + 59, None)]);
    both_framings("sc2;4294967295", &[sc(Red, u32::MAX)]);
}

#[test]
fn several_messages_in_one_datagram() {
    let expected = vec![
        clk(117, None),
        hl(Blue, 72),
        pt(Blue, PointKind::Body),
        sc(Blue, 2),
        sc(Red, 0),
    ];
    both_framings("clk;1:57;hl1;72;pt1;2;sc1;2;sc2;0", &expected);
    // Messages whose optional fields are absent still end where the next code starts.
    both_framings(
        "ch1;clk;1:59;wmh;Kenji TANAKA;rdy;FightReady",
        &[
            ch(Some(Blue), ChallengeStatus::Requested),
            clk(119, None),
            wmh("Kenji TANAKA", None),
            Event::FightReady,
        ],
    );
    // TkStrike messages, each with its CRLF, concatenated into one datagram.
    assert_eq!(parse_text("clk;1:57\r\nhl1;72\r\npt1;2\r\n"), expected[..3]);
    // A spec message then a TkStrike one.
    assert_eq!(parse_text("sc1;2;\r\nsc2;0\r\n"), expected[3..]);
}

fn only_config(events: &[Event]) -> &MatchConfig {
    match events {
        [Event::MatchConfig(cfg)] => cfg,
        other => panic!("expected one mch event, got {other:?}"),
    }
}

#[test]
fn empty_fields_keep_their_position() {
    let events = parse_text(
        "mch;245.A;Final;W- 57 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;",
    );
    let cfg = only_config(&events);
    assert_eq!(cfg.number, "245.A");
    assert_eq!(
        cfg.rounds_field, "",
        "the empty 4th field stays the 4th field"
    );
    assert_eq!(cfg.blue_bg, "#0000ff");
    assert_eq!(cfg.red_fg, "#FFFFFF");
    assert_eq!(cfg.match_id, None, "'null' is no match id");
    assert_eq!(cfg.division, "Senior");
    assert_eq!((cfg.total_rounds, cfg.round_seconds), (Some(3), Some(120)));
    assert_eq!(
        (cfg.body_threshold, cfg.head_threshold),
        (Some(18), Some(1))
    );

    // Empty match id and empty numbers: None, and the fields after them still in place.
    let events = parse_text("mch;7;Final;+87 kg;2;#00f;#fff;#f00;#fff;;Junior;;90;cntUp;;25\r\n");
    let cfg = only_config(&events);
    assert_eq!(cfg.rounds_field, "2");
    assert_eq!(cfg.match_id, None);
    assert_eq!(cfg.division, "Junior");
    assert_eq!((cfg.total_rounds, cfg.round_seconds), (None, Some(90)));
    assert_eq!(cfg.count_mode, "cntUp");
    assert_eq!((cfg.body_threshold, cfg.head_threshold), (None, Some(25)));

    both_framings(
        "at1;;Kenji TANAKA;JPN",
        &[at(Blue, "", "Kenji TANAKA", "JPN", false)],
    );
    both_framings("wmh;;2-1 PTF", &[wmh("", Some("2-1 PTF"))]);
    both_framings("xyz;1;;abc", &[unknown("xyz", &["1", "", "abc"])]);
}
