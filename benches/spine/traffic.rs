//! Realistic PSS traffic for the benches: the example match in spec style (trailing `;`) and as
//! TkStrike sends it (no trailing `;`, CRLF), paired per-round scores, `mch` variants and an
//! athlete line cut short the way TkStrike cuts it (length counted in UTF-16 units).

use courtside::stream_file;

/// The example match (`tests/fixtures/example-match.pss`, a copy of the shared stream).
const EXAMPLE_MATCH: &str = include_str!("../../tests/fixtures/example-match.pss");

/// The example match, one datagram per line, exactly as in the stream file (spec style).
pub fn spec_match() -> Vec<Vec<u8>> {
    stream_file::datagrams(EXAMPLE_MATCH.as_bytes())
        .into_iter()
        .map(|l| l.bytes)
        .collect()
}

/// A spec-style datagram rewritten the way TkStrike sends it: no trailing `;`, ending in CRLF.
pub fn tkstrike(spec: &[u8]) -> Vec<u8> {
    let body = spec.strip_suffix(b";").unwrap_or(spec);
    let mut out = body.to_vec();
    out.extend_from_slice(b"\r\n");
    out
}

/// The example match as TkStrike would send it.
pub fn tkstrike_match() -> Vec<Vec<u8>> {
    spec_match().iter().map(|d| tkstrike(d)).collect()
}

/// Paired per-round score datagrams (`s11;..;s21;..;…;s23;..`), both styles, as a match
/// progresses.
pub fn paired_scores() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (b1, r1, b2, r2, b3, r3) in [
        (0, 0, 0, 0, 0, 0),
        (2, 0, 0, 0, 0, 0),
        (3, 1, 0, 0, 0, 0),
        (3, 1, 0, 5, 0, 0),
        (3, 1, 4, 5, 0, 0),
        (3, 1, 4, 5, 12, 9),
    ] {
        let spec = format!("s11;{b1};s21;{r1};s12;{b2};s22;{r2};s13;{b3};s23;{r3};");
        out.push(tkstrike(spec.as_bytes()));
        out.push(spec.into_bytes());
    }
    out
}

/// `mch` datagrams: full spec style, TkStrike style with a `null` match id and an empty 4th
/// field, a `245.A` match number, and one cut short by the UTF-16 length bug.
pub fn mch_lines() -> Vec<Vec<u8>> {
    vec![
        b"mch;204;Quarterfinal;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;9f3e21aa;Senior;3;120;cntDown;18;1;".to_vec(),
        b"mch;245.A;Final;W- 57 kg;;#0000FF;#FFFFFF;#FF0000;#FFFFFF;null;Junior;3;90;cntDown;22;4\r\n".to_vec(),
        b"mch;1101;Round of 16;M+ 87 kg;3;#1E90FF;#000000;#DC143C;#000000;null;Senior;3;120;cntUp;18;1\r\n".to_vec(),
        utf16_truncated("mch;12;Préliminaire;Catégorie F- 49 kg;;#0000FF;#FFFFFF;#FF0000;#FFFFFF;null;Sénior;3;120;cntDown;18;1\r\n"),
    ]
}

/// The datagram TkStrike emits for `text`: UTF-8 bytes cut to the text's length in UTF-16
/// units, so every non-ASCII letter costs the tail one byte.
pub fn utf16_truncated(text: &str) -> Vec<u8> {
    let units = text.encode_utf16().count();
    text.as_bytes()[..units.min(text.len())].to_vec()
}

/// The traffic the ingest and latency runs cycle through: the example match in spec style, then
/// in TkStrike style with accented athlete names (truncated) and a TkStrike `mch`.
pub fn realistic_mix() -> Vec<Vec<u8>> {
    let mut out = spec_match();
    for d in tkstrike_match() {
        if d.starts_with(b"at1;") {
            out.push(utf16_truncated(
                "at1;J. MÜLLER;Jörg MÜLLER;GER;at2;A. GARCÍA;Ana GARCÍA;ESP\r\n",
            ));
        } else if d.starts_with(b"mch;") {
            out.push(mch_lines()[1].clone());
        } else {
            out.push(d);
        }
    }
    out
}

/// The datagrams a scoring program sends in one burst when it loads a match (`pre` up to
/// `rdy`), TkStrike style.
pub fn match_load_burst() -> Vec<Vec<u8>> {
    let lines = tkstrike_match();
    let start = lines.iter().position(|d| d.starts_with(b"pre;"));
    let end = lines.iter().position(|d| d.starts_with(b"rdy;"));
    match (start, end) {
        (Some(s), Some(e)) if s <= e => lines[s..=e].to_vec(),
        _ => lines,
    }
}
