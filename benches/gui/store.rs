//! The GUI bench's store: one long match of `n` generated datagrams, built once and kept under
//! `target/bench-stores/`, and reused only when its content is exactly what this code generates
//! (every datagram's bytes, source, court, parsed events and match), not merely when its count
//! matches: a store left by an older generator or parser would otherwise be measured.

use courtside::protocol::parse_datagram;
use courtside::store::writer::{Incoming, WriteRequest, now_ns};
use courtside::store::{Store, Writer, WriterConfig};
use std::path::Path;
use std::time::Instant;

/// Where every generated datagram comes from, and its court.
const SOURCE: &str = "192.0.2.10:50000";
const COURT: &str = "Court 1";
/// Records read per page while verifying.
const PAGE: usize = 10_000;

/// A realistic long match: header, then a cycle of clock ticks, hit levels, points and scores.
pub fn datagram(i: u64) -> Vec<u8> {
    const HEAD: [&str; 4] = [
        "pre;FightLoaded;",
        "at1;J. MÜLLER;Jonas Müller;GER;at2;I. IVANOV;Иван Иванов;RUS;",
        "mch;101;Final;M- 80 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;",
        "rnd;1;",
    ];
    if let Some(h) = HEAD.get(i as usize) {
        return h.as_bytes().to_vec();
    }
    let t = 119 - (i % 120);
    let score = i / 10;
    match i % 6 {
        0 => format!("clk;{}:{:02};", t / 60, t % 60).into_bytes(),
        1 => format!("hl{};{};", 1 + i % 2, 10 + i % 90).into_bytes(),
        2 => format!("pt{};{};", 1 + i % 2, 1 + i % 5).into_bytes(),
        3 => format!("s11;{score};s21;{score};s12;0;s22;0;s13;0;s23;0;").into_bytes(),
        4 => format!("sc1;{score};sc2;{score};").into_bytes(),
        _ => format!("wg1;{};wg2;0;", i % 3).into_bytes(),
    }
}

/// Reuse the store at `path` if it holds exactly the `n` generated datagrams; else build it anew.
pub fn build_or_verify(path: &Path, n: u64) -> Result<(), String> {
    if path.exists() {
        let started = Instant::now();
        match verify(path, n) {
            Ok(()) => {
                println!(
                    "store: reusing {} ({n} events, content verified in {:.1} s)",
                    path.display(),
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            Err(why) => println!("store: rebuilding {}: {why}", path.display()),
        }
        std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    build(path, n)?;
    // What was written is what is measured: check it as a reused store would be checked.
    verify(path, n).map_err(|why| format!("the store just built is wrong: {why}"))
}

fn build(path: &Path, n: u64) -> Result<(), String> {
    let started = Instant::now();
    let store = Store::open(path).map_err(|e| e.to_string())?;
    let writer =
        Writer::spawn(store, WriterConfig::default(), Vec::new()).map_err(|e| e.to_string())?;
    let tx = writer.sender();
    for i in 0..n {
        let raw = datagram(i);
        let req = WriteRequest::Datagram(Incoming {
            received_at_ns: now_ns(),
            received: Instant::now(),
            source: SOURCE.into(),
            court: COURT.into(),
            events: parse_datagram(&raw),
            raw,
        });
        tx.send(req).map_err(|_| "the store writer stopped")?;
    }
    writer.flush().map_err(|e| e.to_string())?;
    writer.shutdown();
    println!(
        "store: built {n} events in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(())
}

/// `Ok` when the store holds exactly datagrams 0..n in order, each with its parsed events, in
/// the one match the first datagram loaded; else the first difference.
fn verify(path: &Path, n: u64) -> Result<(), String> {
    let store = Store::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let stats = store.stats().map_err(|e| e.to_string())?;
    if stats.events != n || stats.matches != 1 {
        return Err(format!(
            "{} events in {} matches, not {n} in one",
            stats.events, stats.matches
        ));
    }
    let mut next = 0u64;
    let mut from_seq = 0u64;
    let mut match_key = None;
    while next < n {
        let page = store
            .events_page(from_seq, PAGE)
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else {
            return Err(format!("only {next} events readable"));
        };
        from_seq = last.seq + 1;
        for rec in &page {
            let want = datagram(next);
            let key = *match_key.get_or_insert(rec.seq);
            if rec.raw != want
                || rec.source != SOURCE
                || rec.court != COURT
                || rec.events != parse_datagram(&want)
                || rec.match_key != key
            {
                return Err(format!("event {} (seq {}) differs", next, rec.seq));
            }
            next += 1;
        }
    }
    Ok(())
}
