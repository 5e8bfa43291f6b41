//! `courtside results` on a court's store and on a hub's, against hand-written expectations.

use crate::server::NatsServer;
use crate::support::*;
use courtside::tournament::Auth;
use std::path::Path;
use std::process::Command;

fn results(db: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .env("RUST_LOG", "warn")
        .args(["results", "--format", format, "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 finished matches"));
    String::from_utf8(out.stdout).unwrap()
}

/// The example match's result, written out by hand from tests/fixtures/example-match.pss.
fn expected_json(court: &str, key: u64) -> serde_json::Value {
    serde_json::json!([{
        "court": court,
        "match_key": key,
        "number": "204",
        "phase": "Quarterfinal",
        "weight": "M- 68 kg",
        "blue": {"name": "Kenji TANAKA", "country": "JPN"},
        "red": {"name": "Lucas MOREAU", "country": "FRA"},
        "winner": "blue",
        "decision": "2-1 PTF",
        "round_winners": ["blue", "red", "blue"],
        "round_scores": [
            {"round": 1, "blue": 3, "red": 0},
            {"round": 2, "blue": 0, "red": 5},
            {"round": 3, "blue": 3, "red": 0}
        ]
    }])
}

#[test]
fn results_of_a_court_store_and_of_the_hub_store_list_the_finished_match() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "res", Auth::None);
    let match_ = example_datagrams();
    let mut court = Court::start(dir.path(), "3", nats.clone(), rt.handle());
    let mut hub = Hub::start(dir.path(), nats, rt.handle());
    court.receive(&match_);
    hub.wait_for("3", match_.len());
    court.stop();
    hub.stop();
    drop((court.store.clone(), hub.store.clone()));
    let (court_path, hub_path) = (court.path.clone(), hub.path.clone());
    drop(court);
    drop(hub);

    // On the court: listener "Court 1"; the first datagram (seq 1) is no match, the `pre` (seq 2)
    // opens the finished one.
    let json: serde_json::Value = serde_json::from_str(&results(&court_path, "json")).unwrap();
    assert_eq!(json, expected_json("Court 1", 2));
    // On the hub: the tournament court name, and the hub's own sequence.
    let json: serde_json::Value = serde_json::from_str(&results(&hub_path, "json")).unwrap();
    assert_eq!(json, expected_json("3", 2));

    let csv = results(&hub_path, "csv");
    assert_eq!(
        csv,
        "court,match_key,number,phase,weight,blue_name,blue_country,red_name,red_country,winner,\
         decision,round1_winner,round1_blue,round1_red,round2_winner,round2_blue,round2_red,\
         round3_winner,round3_blue,round3_red\n\
         3,2,204,Quarterfinal,M- 68 kg,Kenji TANAKA,JPN,Lucas MOREAU,FRA,blue,2-1 PTF,blue,3,0,\
         red,0,5,blue,3,0\n"
    );
}

#[test]
fn results_on_a_missing_store_name_the_path() {
    let dir = temp_dir();
    let missing = dir.path().join("nope.redb");
    let out = Command::new(env!("CARGO_BIN_EXE_courtside"))
        .args(["results", "--db"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no store at") && err.contains("nope.redb"),
        "{err}"
    );
}
