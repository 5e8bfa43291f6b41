//! The read API and the pages: paths, status codes, the versioned state contract.

use crate::support::*;

#[test]
fn state_endpoint_gives_the_replay_json_contract_after_the_datagrams() {
    let rig = Rig::start();
    let all = example_datagrams();
    for d in &all {
        rig.send("Court 1", d);
    }
    rig.wait_records(all.len() as u64);
    let a = get(rig.addr, "/api/v1/courts/Court%201/state");
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("content-type").as_deref(),
        Some("application/json")
    );
    let doc = a.json();
    assert_eq!(doc["api"], 1);
    assert_eq!(doc["court"], "Court 1");
    assert_eq!(
        doc["state"],
        replayed(&all),
        "the API state differs from replay --json"
    );
    assert!(doc["match_key"].as_u64().unwrap() > 0);
    // The courts list names the winner as the state does: lower case, written here by hand
    // (the example match ends `win;BLUE`).
    assert_eq!(doc["state"]["winner"], "blue");
    let list = get(rig.addr, "/api/v1/courts").json();
    assert_eq!(list["courts"][0]["court"], "Court 1");
    assert_eq!(list["courts"][0]["winner"], "blue");
}

#[test]
fn a_new_match_on_a_court_starts_from_a_fresh_state_like_the_app() {
    let rig = Rig::start();
    for d in [
        "pre;FightLoaded;",
        "at1;A;Anna A;KOR;at2;B;Bea B;JPN;",
        "sc1;7;sc2;3;",
    ] {
        rig.send("Court 1", d.as_bytes());
    }
    rig.send("Court 1", b"pre;FightLoaded;");
    rig.send("Court 1", b"sc2;1;");
    rig.wait_records(5);
    let doc = get(rig.addr, "/api/v1/courts/Court%201/state").json();
    assert_eq!(doc["state"]["blue"]["score"], 0, "{doc}");
    assert_eq!(doc["state"]["red"]["score"], 1);
    assert_eq!(doc["state"]["blue"]["long_name"], "");
}

#[test]
fn courts_stored_before_start_are_served_from_the_store() {
    let prefill = example_datagrams()
        .into_iter()
        .map(|d| ("Court 2".to_string(), d))
        .collect::<Vec<_>>();
    let expected = replayed(&example_datagrams());
    let rig = Rig::with(RigOptions {
        prefill,
        ..RigOptions::default()
    });
    let list = get(rig.addr, "/api/v1/courts").json();
    let names: Vec<&str> = list["courts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["court"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Court 1", "Court 2"],
        "configured and stored courts: {list}"
    );
    let doc = get(rig.addr, "/api/v1/courts/Court%202/state").json();
    assert_eq!(doc["state"], expected);
}

#[test]
fn pages_and_assets_are_served_embedded_with_their_types() {
    let rig = Rig::start();
    for (path, ty) in [
        ("/overlay/Court%201", "text/html; charset=utf-8"),
        (
            "/overlay/Court%201?layout=corner&scale=2&theme=light",
            "text/html; charset=utf-8",
        ),
        ("/board/Court%201", "text/html; charset=utf-8"),
        ("/courts", "text/html; charset=utf-8"),
        ("/assets/courtside.js", "text/javascript; charset=utf-8"),
        ("/assets/overlay.css", "text/css; charset=utf-8"),
    ] {
        let a = get(rig.addr, path);
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("content-type").as_deref(), Some(ty), "{path}");
        assert!(!a.body.is_empty(), "{path}");
    }
    let page = get(rig.addr, "/overlay/Court%201");
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "a page must not load from elsewhere"
    );
    let root = get(rig.addr, "/");
    assert_eq!(
        (root.status, root.header("location").as_deref()),
        (303, Some("/courts"))
    );
}

#[test]
fn unknown_courts_and_paths_are_404_with_a_clear_message() {
    let rig = Rig::start();
    let page = get(rig.addr, "/overlay/Court%209");
    assert_eq!(page.status, 404);
    let text = String::from_utf8(page.body).unwrap();
    assert!(
        text.contains("\"Court 9\"") && text.contains("Court 1"),
        "{text}"
    );
    let state = get(rig.addr, "/api/v1/courts/Court%209/state");
    assert_eq!(state.status, 404);
    assert!(state.json()["error"].as_str().unwrap().contains("Court 9"));
    assert_eq!(get(rig.addr, "/nothing").status, 404);
    assert_eq!(get(rig.addr, "/assets/../Cargo.toml").status, 404);
    assert_eq!(get(rig.addr, "/api/v1/courts/Court%201/other").status, 404);
    let live = get(rig.addr, "/api/v1/courts/Court%201/live");
    assert_eq!(
        live.status, 426,
        "a live stream without upgrade or event-stream"
    );
}

#[test]
fn flags_resolve_like_the_app_and_refuse_bad_names() {
    let rig = Rig::start();
    let svg = get(rig.addr, "/flags/KOR.svg");
    assert_eq!(svg.status, 200);
    assert_eq!(svg.header("content-type").as_deref(), Some("image/svg+xml"));
    assert!(String::from_utf8_lossy(&svg.body).contains("<svg"));
    assert!(
        svg.header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    let lower = get(rig.addr, "/flags/kor.svg");
    assert_eq!(
        lower.body, svg.body,
        "codes are case-insensitive as in the app"
    );
    let png = get(rig.addr, "/flags/JPN.png?h=40");
    assert_eq!(png.status, 200);
    let img = image::load_from_memory(&png.body).unwrap();
    assert_eq!(img.height(), 40);
    assert_eq!(get(rig.addr, "/flags/QQQQ.svg").status, 404);
    assert_eq!(get(rig.addr, "/flags/KOR.gif").status, 404);
    assert_eq!(get(rig.addr, "/flags/KOR.png?h=99999").status, 400);
    for evil in [
        "/flags/..%2F..%2Fetc%2Fpasswd",
        "/flags/..%2Fsrc%2Fmain.rs",
        "/flags/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/flags/..\\..\\Cargo.toml",
    ] {
        let a = get(rig.addr, evil);
        assert_eq!(
            a.status,
            400,
            "{evil}: {}",
            String::from_utf8_lossy(&a.body)
        );
    }
    let a = get(rig.addr, "/flags/....svg");
    assert_eq!(a.status, 400, "{}", String::from_utf8_lossy(&a.body));
}

#[test]
fn status_reports_counters_and_control_availability() {
    let rig = Rig::start();
    let s = get(rig.addr, "/api/v1/status").json();
    assert_eq!(s["api"], 1);
    assert_eq!(s["control"]["enabled"], false);
    assert_eq!(s["control"]["host"], false);
    assert!(s["control"]["actions"].as_array().unwrap().len() >= 5);
}
