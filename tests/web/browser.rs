//! The pages in a real headless Chromium: names, scores and flags from the live stream, updates
//! without reload, transparent pixels where the overlay draws nothing, both layouts, the board.
//! Screenshots are written to `target/web-screens/` to look at.

use crate::cdp::Browser;
use crate::support::*;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const WAIT: Duration = Duration::from_secs(20);

/// The first `n` datagrams of the example match (names, colours, the first points).
fn opening(n: usize) -> Vec<Vec<u8>> {
    example_datagrams().into_iter().take(n).collect()
}

fn screens_dir() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screens");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Centre of an element in the page, in CSS px.
fn centre(b: &mut Browser, id: &str) -> (u32, u32) {
    let r = b.eval(&format!(
        "(() => {{ const r = document.getElementById('{id}').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
    ));
    (r[0].as_f64().unwrap() as u32, r[1].as_f64().unwrap() as u32)
}

fn text_of(b: &mut Browser, id: &str) -> String {
    b.eval(&format!("document.getElementById('{id}').textContent"))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn feed(rig: &Rig, datagrams: &[Vec<u8>]) -> u64 {
    for d in datagrams {
        rig.send("Court 1", d);
    }
    datagrams.len() as u64
}

#[test]
fn overlay_bar_shows_names_flags_and_scores_live_over_a_transparent_page() {
    let rig = Rig::start();
    let all = example_datagrams();
    let first = opening(20);
    rig.wait_records(feed(&rig, &first));
    let want = replayed(&first);
    let mut b = Browser::open(
        &format!("http://{}/overlay/Court%201?layout=bar", rig.addr),
        1920,
        1080,
    );
    b.wait_for(
        "document.getElementById('overlay').dataset.version !== '0'",
        WAIT,
    );
    assert_eq!(
        text_of(&mut b, "blue-name"),
        want["blue"]["long_name"].as_str().unwrap()
    );
    assert_eq!(
        text_of(&mut b, "red-name"),
        want["red"]["long_name"].as_str().unwrap()
    );
    assert_eq!(
        text_of(&mut b, "blue-score"),
        want["blue"]["score"].to_string()
    );
    b.wait_for(
        "['blue-flag','red-flag'].every(id => { const i = document.getElementById(id); return i.complete && i.naturalWidth > 0 && !i.hidden; })",
        WAIT,
    );
    assert_eq!(
        b.eval("document.getElementById('blue-flag').dataset.code"),
        Value::from("JPN")
    );
    let shot = b.screenshot();
    shot.save(screens_dir().join("overlay-bar-1.png")).unwrap();
    assert_eq!(shot.dimensions(), (1920, 1080));
    assert_eq!(
        shot.get_pixel(10, 10)[3],
        0,
        "transparent where the overlay draws nothing"
    );
    assert_eq!(shot.get_pixel(1900, 100)[3], 0);
    let (x, y) = centre(&mut b, "blue-score");
    let px = shot.get_pixel(x + 20, y);
    // The blue score box in the match's colour (#0000ff from `mch`), opaque.
    assert!(
        px[2] > 200 && px[0] < 60 && px[1] < 60 && px[3] == 255,
        "blue score box pixel {px:?}"
    );

    // The rest of the match arrives: the page updates from the stream, without a reload.
    b.eval("window.__same_page = 'yes'");
    rig.wait_records(feed(&rig, &all[20..]));
    let end = replayed(&all);
    let score = end["blue"]["score"].to_string();
    b.wait_for(
        &format!("document.getElementById('blue-score').textContent === '{score}'"),
        WAIT,
    );
    assert_eq!(
        text_of(&mut b, "red-score"),
        end["red"]["score"].to_string()
    );
    assert_eq!(
        b.eval("window.__same_page"),
        Value::from("yes"),
        "no reload"
    );
    if end["winner"].is_string() {
        b.wait_for("!document.getElementById('banner').hidden", WAIT);
        assert!(text_of(&mut b, "banner").starts_with("Winner"));
    }
    let shot = b.screenshot();
    shot.save(screens_dir().join("overlay-bar-2.png")).unwrap();
    assert_eq!(shot.get_pixel(10, 10)[3], 0);
}

#[test]
fn overlay_corner_layout_scales_for_4k() {
    let rig = Rig::start();
    rig.wait_records(feed(&rig, &opening(30)));
    let mut b = Browser::open(
        &format!(
            "http://{}/overlay/Court%201?layout=corner&scale=2&theme=light",
            rig.addr
        ),
        3840,
        2160,
    );
    b.wait_for(
        "document.getElementById('overlay').dataset.version !== '0'",
        WAIT,
    );
    assert_eq!(
        b.eval("document.getElementById('overlay').className"),
        Value::from("overlay layout-corner theme-light")
    );
    let width = b
        .eval("document.getElementById('overlay').getBoundingClientRect().width")
        .as_f64()
        .unwrap();
    assert!(
        (width - 800.0).abs() < 2.0,
        "corner bug 400 px × scale 2, got {width}"
    );
    let shot = b.screenshot();
    shot.save(screens_dir().join("overlay-corner-4k.png"))
        .unwrap();
    assert_eq!(
        shot.get_pixel(3800, 2100)[3],
        0,
        "transparent away from the corner"
    );
    let (x, y) = centre(&mut b, "blue-name");
    let alpha = shot.get_pixel(x, y)[3];
    // The light panel is 94 % opaque (a glyph pixel there is fully opaque).
    assert!(
        alpha >= 235,
        "the panel is drawn under the name: alpha {alpha}"
    );
}

#[test]
fn board_shows_the_match_full_screen() {
    let rig = Rig::start();
    let all = example_datagrams();
    rig.wait_records(feed(&rig, &all));
    let end = replayed(&all);
    let mut b = Browser::open(&format!("http://{}/board/Court%201", rig.addr), 1920, 1080);
    b.wait_for(
        "document.getElementById('board').dataset.version !== '0'",
        WAIT,
    );
    assert_eq!(
        text_of(&mut b, "blue-score"),
        end["blue"]["score"].to_string()
    );
    assert_eq!(
        text_of(&mut b, "red-name"),
        end["red"]["long_name"].as_str().unwrap()
    );
    assert_eq!(text_of(&mut b, "clock"), end["clock"].as_str().unwrap());
    b.wait_for("document.getElementById('red-flag').naturalWidth > 0", WAIT);
    let shot = b.screenshot();
    shot.save(screens_dir().join("board.png")).unwrap();
    let px = shot.get_pixel(200, 540);
    assert!(
        px[2] > 200 && px[0] < 60,
        "the blue half in the match colour: {px:?}"
    );
    let px = shot.get_pixel(1720, 540);
    assert!(px[0] > 200 && px[2] < 60, "the red half: {px:?}");
}

#[test]
fn courts_page_lists_every_court_live() {
    let rig = Rig::start();
    rig.send("Court 2", b"at1;A;Anna A;KOR;at2;B;Bea B;JPN;sc1;4;");
    rig.wait_records(1);
    let mut b = Browser::open(&format!("http://{}/courts", rig.addr), 1280, 720);
    b.wait_for("document.querySelectorAll('.card').length === 2", WAIT);
    b.wait_for(
        "document.querySelector('.card[data-court=\"Court 2\"] .row.blue .s').textContent === '4'",
        WAIT,
    );
    rig.send("Court 1", b"sc2;9;");
    b.wait_for(
        "document.querySelector('.card[data-court=\"Court 1\"] .row.red .s').textContent === '9'",
        WAIT,
    );
    b.screenshot()
        .save(screens_dir().join("courts.png"))
        .unwrap();
}

#[test]
fn the_page_falls_back_to_server_sent_events() {
    let rig = Rig::start();
    rig.wait_records(feed(&rig, &opening(20)));
    let mut b = Browser::open(
        &format!("http://{}/overlay/Court%201?transport=sse", rig.addr),
        1280,
        720,
    );
    b.wait_for(
        "document.getElementById('overlay').dataset.link === 'up'",
        WAIT,
    );
    rig.send("Court 1", b"sc1;0;sc2;17;");
    b.wait_for(
        "document.getElementById('red-score').textContent === '17'",
        WAIT,
    );
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// Datagram (into the writer) → overlay DOM updated, measured in the page with a
/// MutationObserver: prints p50/p99 (`cargo test --test web latency -- --nocapture`).
#[test]
fn latency_from_datagram_to_overlay_dom() {
    let rig = Rig::start();
    rig.wait_records(feed(&rig, &opening(20)));
    let mut b = Browser::open(&format!("http://{}/overlay/Court%201", rig.addr), 1280, 720);
    b.wait_for(
        "document.getElementById('overlay').dataset.link === 'up'",
        WAIT,
    );
    let mut samples = Vec::new();
    for i in 0..60u32 {
        let score = 100 + i;
        b.eval(&format!(
            "window.__changed = new Promise(done => {{ const el = document.getElementById('red-score'); \
             new MutationObserver(() => {{ if (el.textContent === '{score}') done(Date.now()); }}) \
             .observe(el, {{childList: true, characterData: true, subtree: true}}); }}); 1"
        ));
        let sent = now_ms();
        rig.send("Court 1", format!("sc2;{score};").as_bytes());
        let shown = b.eval("window.__changed").as_f64().unwrap();
        samples.push((shown - sent).max(0.0));
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "datagram → overlay DOM: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} samples)",
        p(0.5),
        p(0.99),
        p(1.0),
        samples.len()
    );
    // Generous for a shared 2-core CI machine in a debug build; the README gives the numbers.
    assert!(p(0.5) < 100.0, "p50 {:.1} ms", p(0.5));
}
