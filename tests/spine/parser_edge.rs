//! Parser edge cases: truncated TkStrike datagrams, lossy UTF-8, unknown codes and every kind of
//! malformed message (each reported with its fields and a reason, never a panic or a guess).

use crate::parser::{at, both_framings, pt, sc, unknown};
use courtside::protocol::{
    Athlete::{Blue, Red},
    Event, PointKind, parse_datagram, parse_text,
};

/// A datagram as TkStrike sends it: CRLF added, then cut to the text's length in UTF-16 units.
fn tkstrike_cut(text: &str) -> Vec<u8> {
    let full = format!("{text}\r\n");
    let units = full.encode_utf16().count();
    full.as_bytes()[..units].to_vec()
}

#[test]
fn truncated_tkstrike_datagrams_parse_what_is_there() {
    // 8 two-byte letters: the last 8 bytes (CRLF, the country and the end of the name) are cut.
    let bytes = tkstrike_cut("at1;J. MÜLLER;Jonas MÜLLER;GER;at2;Ö. ÇAĞLAYAN;Ömer ÇAĞLAYAN;TUR");
    assert_eq!(
        bytes,
        "at1;J. MÜLLER;Jonas MÜLLER;GER;at2;Ö. ÇAĞLAYAN;Ömer ÇAĞLAY".as_bytes()
    );
    assert_eq!(
        parse_datagram(&bytes),
        [
            at(Blue, "J. MÜLLER", "Jonas MÜLLER", "GER", false),
            at(Red, "Ö. ÇAĞLAYAN", "Ömer ÇAĞLAY", "", true),
        ]
    );
    // Four accents: only the CRLF and part of the country are lost; the datagram still parses.
    let bytes = tkstrike_cut("at1;J. MÜLLER;Jonas MÜLLER;GER;at2;A. MÜLLER;Anna MÜLLER;GER");
    assert_eq!(
        parse_datagram(&bytes)[1],
        at(Red, "A. MÜLLER", "Anna MÜLLER", "G", false)
    );
    // Cut in the middle of a two-byte letter: the half letter becomes U+FFFD.
    let bytes = b"at1;J. M\xc3\x9cLLER;Jonas M\xc3\x9cLLER;GER;at2;A. M\xc3";
    assert_eq!(
        parse_datagram(bytes),
        [
            at(Blue, "J. MÜLLER", "Jonas MÜLLER", "GER", false),
            at(Red, "A. M\u{FFFD}", "", "", true),
        ]
    );
    // A cut mch keeps what arrived and says how much.
    let events = parse_datagram(b"mch;12;Final;F- 49 kg;;#0000ff;#FF");
    let [Event::MatchConfig(cfg)] = &events[..] else {
        panic!("expected one mch event, got {events:?}");
    };
    assert_eq!((cfg.fields_present, cfg.blue_fg.as_str()), (6, "#FF"));
    assert_eq!((cfg.red_bg.as_str(), cfg.total_rounds), ("", None));
}

#[test]
fn invalid_utf8_is_decoded_lossily() {
    // Latin-1 Ü (0xDC) from a misconfigured scoring PC.
    assert_eq!(
        parse_datagram(b"at1;J. M\xdcLLER;Jonas M\xdcLLER;GER\r\n"),
        [at(
            Blue,
            "J. M\u{FFFD}LLER",
            "Jonas M\u{FFFD}LLER",
            "GER",
            false
        )]
    );
    assert_eq!(
        parse_datagram(b"hl1;\xff\xfe;"),
        [Event::Malformed {
            code: "hl1".into(),
            fields: vec!["\u{FFFD}\u{FFFD}".into()],
            reason: "value is not a whole number: '\u{FFFD}\u{FFFD}'".into(),
        }]
    );
}

#[test]
fn unknown_codes_are_kept_whole() {
    both_framings(
        "Udp Port 6000 listening",
        &[unknown("Udp Port 6000 listening", &[])],
    );
    // An unknown message ends where a known code starts.
    both_framings(
        "qqq;1;pt1;2",
        &[unknown("qqq", &["1"]), pt(Blue, PointKind::Body)],
    );
}

/// (datagram, code, fields, part of the reason) for every kind of malformed message.
const MALFORMED: &[(&[u8], &str, &[&str], &str)] = &[
    (b"pt1;", "pt1", &[], "missing value"),
    (b"pt1\r\n", "pt1", &[], "missing value"),
    (b"sc1;;", "sc1", &[""], "missing value"),
    (b"sc2;abc;", "sc2", &["abc"], "not a whole number"),
    (b"sc1;2.5\r\n", "sc1", &["2.5"], "not a whole number"),
    (b"sc1;-3;", "sc1", &["-3"], "not a whole number"),
    (b"wg2;-1\r\n", "wg2", &["-1"], "not a whole number"),
    (b"sc1;4294967296;", "sc1", &["4294967296"], "too large (over 4294967295)"),
    (b"hl1;x;", "hl1", &["x"], "not a whole number"),
    (b"s12;ten;", "s12", &["ten"], "not a whole number"),
    (b"rnd;;", "rnd", &[""], "missing value"),
    (b"avt;one\r\n", "avt", &["one"], "not a whole number"),
    (b"pt1;6;", "pt1", &["6"], "point type must be 1"),
    (b"pt2;0\r\n", "pt2", &["0"], "point type must be 1"),
    (b"pt1;300;", "pt1", &["300"], "point type must be 1"),
    (b"clk;2:60;", "clk", &["2:60"], "clock is not m:ss"),
    (b"clk;1:5\r\n", "clk", &["1:5"], "clock is not m:ss"),
    (b"clk;-1:00;", "clk", &["-1:00"], "clock is not m:ss"),
    (b"clk;abc;start;", "clk", &["abc", "start"], "clock is not m:ss"),
    (b"clk;;start;", "clk", &["", "start"], "missing clock value"),
    (b"brk;1:xx;", "brk", &["1:xx"], "clock is not m:ss"),
    (b"ij1;;show;", "ij1", &["", "show"], "missing clock value"),
    (b"to1;9:99;", "to1", &["9:99"], "clock is not m:ss"),
    (b"clk;1:00;go;", "clk", &["1:00", "go"], "unknown clock action 'go'"),
    (b"to2;1:00;pause\r\n", "to2", &["1:00", "pause"], "unknown clock action"),
    (b"ij1;1:00;maybe;", "ij1", &["1:00", "maybe"], "unknown injury action"),
    (b"brk;0:30;start;", "brk", &["0:30", "start"], "unknown break action"),
    (b"ch1;2;", "ch1", &["2"], "challenge fields"),
    (b"ch2;1;7\r\n", "ch2", &["1", "7"], "challenge fields"),
    (b"ch0;0;1;", "ch0", &["0", "1"], "challenge fields"),
    (b"ch1;;1;", "ch1", &["", "1"], "challenge fields"),
    (b"wrd;rd1;0;rd2;0;", "wrd", &["rd1", "0", "rd2", "0"], "expected 3 round winners, got 2"),
    (
        b"wrd;rd1;0;rd2;0;rd3;0;rd4;1;",
        "wrd",
        &["rd1", "0", "rd2", "0", "rd3", "0", "rd4", "1"],
        "expected 3 round winners, got 4",
    ),
    (b"wrd;1;2\r\n", "wrd", &["1", "2"], "expected 3 round winners, got 2"),
    (b"wrd;rd1;0;rdX;0;rd3;0;", "wrd", &["rd1", "0", "rdX", "0", "rd3", "0"], "expected 'rd2'"),
    (b"wrd;rd1;0;rd2;0;rd3;", "wrd", &["rd1", "0", "rd2", "0", "rd3"], "missing winner of rd3"),
    (b"wrd;rd1;3;rd2;0;rd3;0;", "wrd", &["rd1", "3", "rd2", "0", "rd3", "0"], "0, 1 or 2"),
    (b"wrd;rd1;x;rd2;0;rd3;0;", "wrd", &["rd1", "x", "rd2", "0", "rd3", "0"], "whole number"),
    (b"win;GREEN;", "win", &["GREEN"], "winner must be BLUE, RED or TIE, got 'GREEN'"),
    (b"win\r\n", "win", &[], "winner must be BLUE, RED or TIE, got ''"),
    (b"wmh;", "wmh", &[], "missing winner name"),
    (
        b"mch;204;Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;three;120;cntDown;18;1;",
        "mch",
        &[
            "204", "Final", "M- 68 kg", "", "#0000ff", "#FFFFFF", "#ff0000", "#FFFFFF", "null",
            "Senior", "three", "120", "cntDown", "18", "1",
        ],
        "total rounds is not a whole number",
    ),
    (
        b"mch;204;Final;M- 68 kg;;#00f;#fff;#f00;#fff;null;Senior;3;2min;cntDown;18;1\r\n",
        "mch",
        &[
            "204", "Final", "M- 68 kg", "", "#00f", "#fff", "#f00", "#fff", "null", "Senior",
            "3", "2min", "cntDown", "18", "1",
        ],
        "round seconds is not a whole number",
    ),
    (b"mch;", "mch", &[], "no fields"),
    (b"", "", &[], "empty datagram"),
    (b";", "", &[], "empty datagram"),
    (b"\r\n", "", &[], "empty datagram"),
    (b"  \0", "", &[], "empty datagram"),
    (b";;;", "", &["", "", ""], "no message in datagram"),
];

#[test]
fn every_malformed_kind_is_reported_with_its_fields() {
    for (raw, code, fields, reason) in MALFORMED {
        let events = parse_datagram(raw);
        let raw = String::from_utf8_lossy(raw);
        let [
            Event::Malformed {
                code: c,
                fields: f,
                reason: r,
            },
        ] = &events[..]
        else {
            panic!("{raw:?} should give one malformed event, got {events:?}");
        };
        assert_eq!(c, code, "code of {raw:?}");
        assert_eq!(f, fields, "fields of {raw:?}");
        assert!(
            r.contains(reason),
            "reason of {raw:?}: {r:?} lacks {reason:?}"
        );
    }
}

#[test]
fn a_malformed_message_does_not_spoil_its_neighbours() {
    assert_eq!(
        parse_text("sc1;x;sc2;4;"),
        [
            Event::Malformed {
                code: "sc1".into(),
                fields: vec!["x".into()],
                reason: "value is not a whole number: 'x'".into(),
            },
            sc(Red, 4),
        ]
    );
}
