//! State recovery through the real binaries: `courtside simulate --answer-port` plays TkStrike
//! (a match under way, answering state requests with the last packets it sent), and
//! `courtside listen --pss-request-port` starts in the middle of it. What the store holds comes
//! from the answers alone: nothing is sent to the listener but them.
#![cfg(unix)] // SIGINT stops both programs.

use crate::match_state::replay_file;
use crate::proc::{Proc, courtside, start_listen, stop_listen, write_stream};
use crate::support::{example_stream, temp_dir};
use courtside::match_state::MatchState;
use courtside::protocol::Athlete;
use courtside::store::Store;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;

/// A second match on the same court, loaded after the example match ended: other athletes,
/// another match number, under way in round 1.
const MATCH_B: &[u8] = b"pre;FightLoaded;\n\
at1;A. SILVA;Ana SILVA;BRA;at2;M. KIM;Min KIM;KOR;\n\
mch;205;Semifinal;F- 49 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;7a1b22cc;Senior;3;120;cntDown;18;1;\n\
wg1;0;wg2;0;\n\
wrd;rd1;0;rd2;0;rd3;0;\n\
s11;0;s21;0;s12;0;s22;0;s13;0;s23;0;\n\
sc1;0;sc2;0;\n\
clk;2:00;\n\
rnd;1;\n\
rdy;FightReady;\n\
clk;2:00;start;\n\
clk;1:59;\n\
pt2;3;\n\
s11;0;s21;3;s12;0;s22;0;s13;0;s23;0;\n\
sc1;0;sc2;3;\n\
wg1;1;wg2;0;\n\
s11;0;s21;4;s12;0;s22;0;s13;0;s23;0;\n\
sc1;0;sc2;4;\n\
clk;1:42;\n";

/// `courtside simulate FILE --answer-port 0`, its datagrams sent to a socket this test holds
/// and never reads (courtside is not running yet), then answering until interrupted on the port
/// the system gave it (read back from its output, so no port is picked free and then released).
/// The held socket must live as long as the simulator sends.
fn pss(file: &Path) -> (Proc, u16, UdpSocket) {
    let nobody = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("udp");
    let to = nobody.local_addr().expect("addr");
    let mut cmd = courtside();
    cmd.args(["simulate", file.to_str().expect("utf-8 path")])
        .args(["--to", &to.to_string()])
        .args(["--answer-port", "0"]);
    let p = Proc::spawn(cmd);
    p.wait_stderr("answering until Ctrl-C");
    let port = answer_port(&p.stderr_text());
    (p, port, nobody)
}

/// The port in "answering state requests on UDP 0.0.0.0:PORT".
fn answer_port(stderr: &str) -> u16 {
    let line = stderr
        .lines()
        .find(|l| l.contains("answering state requests on UDP "))
        .unwrap_or_else(|| panic!("no answer address in: {stderr}"));
    let addr = line.rsplit(' ').next().unwrap_or_default();
    let port: u16 = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    assert_ne!(port, 0, "{line}");
    port
}

/// Listen with state requests to the simulator until `answers` datagrams are stored, then stop
/// both; returns the listener's output.
fn recover(db: &Path, pss_proc: Proc, port: u16, answers: u64) -> crate::proc::Finished {
    let port = port.to_string();
    let extra = ["--pss-address", "127.0.0.1", "--pss-request-port", &port];
    let (listen, _) = start_listen(db, &extra, 1);
    listen.wait_committed(answers);
    let f = stop_listen(listen);
    pss_proc.interrupt();
    let done = pss_proc.finish();
    assert!(done.status.success(), "simulate: {}", done.stderr);
    f
}

/// The current match of Court 1 and its stored state.
fn current(db: &Path) -> (u64, MatchState) {
    let store = Store::open(db).unwrap();
    let [(court, key)] = &store.current_matches().unwrap()[..] else {
        panic!("one court expected");
    };
    assert_eq!(court, "Court 1");
    let state = store.match_record(*key).unwrap().unwrap().state;
    assert_eq!(store.rebuild_state(*key).unwrap(), state);
    (*key, state)
}

/// What the scoreboard shows, from the state: the parts the answers carry.
fn board(s: &MatchState) -> serde_json::Value {
    serde_json::json!({
        "number": s.info.number, "names": [s.blue.long_name, s.red.long_name],
        "countries": [s.blue.country, s.red.country], "scores": [s.blue.score, s.red.score],
        "round_scores": [s.blue.round_scores, s.red.round_scores],
        "penalties": [s.blue.penalties, s.red.penalties], "round": s.round, "clock": s.clock,
        "round_winners": s.round_winners, "break": s.break_clock, "winner": s.winner,
    })
}

#[test]
fn a_listener_started_mid_match_shows_names_scores_round_and_clock_from_the_answers_alone() {
    let dir = temp_dir();
    let db = dir.path().join("mid.redb");
    let bytes = std::fs::read(example_stream()).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    let cut = text.find("ch1;1;0;\n").unwrap() + "ch1;1;0;\n".len();
    let first = write_stream(dir.path(), "first.pss", &bytes[..cut]);
    let (sim, port, _sink) = pss(&first);
    // informations, athletes, sc + s.., gam-jeom, period, winperiods, break, clock (the example
    // sends no referees).
    let f = recover(&db, sim, port, 9);
    let (_, state) = current(&db);
    let want = replay_file(&bytes[..cut]);
    assert_eq!(want.round, 2, "really mid-match");
    assert_eq!(board(&state), board(&want));
    assert!(
        f.stdout.contains("9 answers to state requests"),
        "{}",
        f.stdout
    );
}

#[test]
fn a_match_loaded_while_courtside_was_down_gets_its_own_record_without_the_previous_winner() {
    let dir = temp_dir();
    let db = dir.path().join("missed-pre.redb");
    let match_a = std::fs::read(example_stream()).unwrap();
    // Courtside saw match A to its end …
    let a_file = write_stream(dir.path(), "a.pss", &match_a);
    let (listen, addrs) = start_listen(&db, &[], 1);
    crate::proc::simulate(&a_file, &crate::proc::loopback(addrs[0]));
    listen.wait_committed(49);
    stop_listen(listen);
    let (a_key, a_state) = current(&db);
    assert_eq!(a_state.winner, Some(Athlete::Blue));
    // … then was down while match B was loaded and began: the PSS's last `wmh`/`win` are
    // still match A's, and B's `pre` never arrived.
    let mut both = match_a.clone();
    both.extend_from_slice(MATCH_B);
    let file = write_stream(dir.path(), "a-then-b.pss", &both);
    let (sim, port, _sink) = pss(&file);
    recover(&db, sim, port, 49 + 9);
    let (b_key, b_state) = current(&db);
    assert_ne!(b_key, a_key, "the answers started a record of their own");
    assert_eq!(board(&b_state), board(&replay_file(MATCH_B)));
    assert_eq!(
        b_state.winner, None,
        "match A's winner is not asked for nor shown"
    );
    let store = Store::open(&db).unwrap();
    let a_after = store.match_record(a_key).unwrap().unwrap().state;
    assert_eq!(a_after, a_state, "match A's record is untouched");
}

#[test]
fn a_decided_match_recovers_its_winner_once_the_round_winners_show_it() {
    let dir = temp_dir();
    let db = dir.path().join("decided.redb");
    let (sim, port, _sink) = pss(&example_stream());
    // The nine answers, then `win` and `wmh` once `wrd` shows two rounds to blue.
    recover(&db, sim, port, 11);
    let (_, state) = current(&db);
    let want = replay_file(&std::fs::read(example_stream()).unwrap());
    assert_eq!(board(&state), board(&want));
    assert_eq!(state.winner, Some(Athlete::Blue));
    assert_eq!(state.decision.as_deref(), Some("2-1 PTF"));
}

#[test]
fn only_an_answer_naming_another_match_starts_a_record_a_live_mch_does_not() {
    use courtside::store::writer::WriteRequest;
    use courtside::store::{Writer, WriterConfig};
    let dir = temp_dir();
    let store = Store::open(&dir.path().join("keys.redb")).unwrap();
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), Vec::new()).unwrap();
    let mch = |n: &str| {
        format!(
            "mch;{n};Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;"
        )
    };
    let live =
        |raw: &str| WriteRequest::Datagram(crate::support::incoming("Court 1", raw.as_bytes()));
    let answer =
        |raw: &str| WriteRequest::Answer(crate::support::incoming("Court 1", raw.as_bytes()));
    for req in [
        live("pre;FightLoaded;"),
        live(&mch("101")),
        // An operator's correction (or anything else) sent live keeps the match together …
        live(&mch("101A")),
        // … an answer naming the match already open joins it …
        answer(&mch("101A")),
        // … and one naming another match starts that match's record.
        answer(&mch("102")),
        answer("sc1;1;sc2;0;"),
    ] {
        writer.sender().send(req).unwrap();
    }
    writer.flush().unwrap();
    writer.shutdown();
    let mut counts: Vec<(u64, u64)> = store
        .matches()
        .unwrap()
        .iter()
        .map(|m| (m.key, m.event_count))
        .collect();
    counts.sort();
    assert_eq!(counts, [(1, 4), (5, 2)]);
}

#[test]
fn listen_refuses_per_port_options_without_their_port_and_a_zero_request_port() {
    let dir = temp_dir();
    let db = dir.path().join("bad.redb");
    let db = db.to_str().unwrap();
    for (args, message) in [
        (
            vec![
                "--port",
                "0",
                "--pss-request-port",
                "6001",
                "--pss-request-port",
                "6002",
            ],
            "2 --pss-request-port values for 1 --port value(s)",
        ),
        (
            vec![
                "--port",
                "0",
                "--pss-address",
                "10.0.0.5",
                "--pss-address",
                "10.0.0.6",
            ],
            "2 --pss-address values for 1 --port value(s)",
        ),
        (
            vec!["--port", "0", "--pss-request-port", "0"],
            "--pss-request-port 0: the scoring program's port must be 1–65535",
        ),
    ] {
        let mut all = vec!["listen", "--db", db, "--bind", "127.0.0.1"];
        all.extend(args);
        let f = crate::proc::run(&all);
        assert!(!f.status.success(), "{all:?} must fail");
        assert!(f.stderr.contains(message), "{all:?}: {}", f.stderr);
    }
}

#[test]
fn simulate_names_an_answer_port_it_cannot_bind() {
    let taken = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let f = crate::proc::run(&[
        "simulate",
        example_stream().to_str().unwrap(),
        "--answer-port",
        &port,
    ]);
    assert!(!f.status.success());
    assert!(
        f.stderr
            .contains(&format!("cannot bind the answer port UDP 0.0.0.0:{port}")),
        "{}",
        f.stderr
    );
}
