//! kittest: the advanced-mode panel (first-use password, lock, unlock, wrong passwords, pause,
//! inactivity timeout) and the About panel's licence states.

use courtside::advanced::{AdvancedConfig, AdvancedMode, LockState};
use courtside::license::{self, LicenseClaims, LicenseReport, generate_key, issue};
use courtside::model::support::SupportCommand;
use courtside::store::{Store, WriteRequest, Writer, WriterConfig};
use courtside::ui::about::about_ui;
use courtside::ui::advanced::{AdvancedPanel, advanced_ui};
use crossbeam_channel::Sender;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::time::{Duration, Instant};

fn random_password() -> String {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).expect("random");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The app's part, reduced: a fake clock and blocking calls (the app uses begin_*/poll).
struct Adv {
    mode: AdvancedMode,
    panel: AdvancedPanel,
    now: Instant,
    writer: Sender<WriteRequest>,
}

fn adv_frame(ui: &mut egui::Ui, s: &mut Adv) {
    let state = s.mode.state(s.now);
    let Some(intent) = advanced_ui(ui, &mut s.panel, state, s.mode.is_busy()) else {
        return;
    };
    let result = match intent {
        SupportCommand::SetPassword { new, confirm } => s
            .mode
            .set_password_blocking(&new, &confirm, &s.writer, s.now)
            .map(|_| ()),
        SupportCommand::Unlock(p) => s.mode.try_unlock_blocking(&p, s.now).map(|_| ()),
        SupportCommand::Lock => {
            s.mode.lock();
            Ok(())
        }
        other => panic!("the advanced panel asked for {other:?}"),
    };
    s.panel.message = result.err().map(|e| e.to_string());
}

fn type_into(h: &mut Harness<'_, Adv>, label: &str, text: &str) {
    let node = h.get_by(|n| n.role() == Role::PasswordInput && n.label().as_deref() == Some(label));
    node.focus();
    node.type_text(text);
    h.run();
}

fn unlocked(h: &mut Harness<'_, Adv>) -> bool {
    matches!(lock_state(h), LockState::Unlocked { .. })
}

fn lock_state(h: &mut Harness<'_, Adv>) -> LockState {
    let s = h.state_mut();
    s.mode.state(s.now)
}

#[test]
fn advanced_mode_first_use_lock_unlock_pause_and_timeout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("s.redb")).expect("open");
    let writer = Writer::spawn(store.clone(), WriterConfig::default(), vec![]).expect("writer");
    let state = Adv {
        mode: AdvancedMode::load(&store, AdvancedConfig::default()).expect("load"),
        panel: AdvancedPanel::default(),
        now: Instant::now(),
        writer: writer.sender(),
    };
    let mut h = Harness::builder()
        .with_size([700.0, 400.0])
        .build_ui_state(adv_frame, state);
    h.run();
    // First use: no built-in password, the panel asks for a new one.
    h.get_by_label_contains("there is no default password");
    let pw = random_password();
    type_into(&mut h, "New password", &pw);
    type_into(&mut h, "Repeat password", "something else");
    h.get_by_label("Set password").click();
    h.run();
    h.get_by_label("the two passwords differ");
    type_into(&mut h, "New password", &pw);
    type_into(&mut h, "Repeat password", &pw);
    h.get_by_label("Set password").click();
    h.run();
    h.get_by_label_contains("Unlocked — locks after 5 min");
    assert!(unlocked(&mut h));

    // Lock, then wrong passwords: a clear message, then a pause.
    h.get_by_label("Lock now").click();
    h.run();
    h.get_by_label_contains("Locked. Enter the advanced-mode password");
    type_into(&mut h, "Password", "wrong-password-1");
    h.get_by_label("Unlock").click();
    h.run();
    h.get_by_label("wrong password; 2 attempts left before a pause");
    for _ in 0..2 {
        type_into(&mut h, "Password", "wrong-password-2");
        h.get_by_label("Unlock").click();
        h.run();
    }
    h.get_by_label("Too many wrong passwords: try again in 5 s");
    assert!(matches!(lock_state(&mut h), LockState::LockedOut { .. }));
    // While paused the right password is not even tried.
    type_into(&mut h, "Password", &pw);
    h.get_by_label("Unlock").click();
    h.run();
    assert!(!unlocked(&mut h));

    // After the pause the right password unlocks.
    h.state_mut().now += Duration::from_secs(6);
    h.run();
    assert!(
        h.query_by_label_contains("Too many wrong passwords")
            .is_none()
    );
    h.get_by_label("Unlock").click();
    h.run();
    h.get_by_label_contains("Unlocked — locks after");

    // Inactivity: locked again after the timeout.
    let idle = h.state().mode.config().inactivity;
    h.state_mut().now += idle + Duration::from_secs(1);
    h.run();
    h.get_by_label_contains("Locked. Enter the advanced-mode password");
    drop(h);
    writer.shutdown();
}

const DAY: i64 = 86_400;

fn about_harness(report: LicenseReport) -> Harness<'static, (LicenseReport, String, Vec<String>)> {
    Harness::builder().with_size([700.0, 400.0]).build_ui_state(
        |ui, (report, entry, applied): &mut (LicenseReport, String, Vec<String>)| {
            if let Some(SupportCommand::ApplyLicense(k)) = about_ui(ui, report, entry, false) {
                applied.push(k.expose().to_string());
            }
        },
        (report, String::new(), Vec::new()),
    )
}

#[test]
fn about_panel_licence_states() {
    let key = generate_key().expect("key");
    let pk = key.verifying_key();
    let now = 1_800_000_000i64;
    let claims = |expires_at| LicenseClaims {
        licensee: "Dojang Nord".into(),
        edition: "venue".into(),
        issued_at: now - DAY,
        expires_at,
    };
    let ns = |s: i64| s * 1_000_000_000;
    let check = |token: Option<&str>, seen: Option<i64>| {
        license::check(token, &pk, ns(now), seen, license::CLOCK_MARGIN)
    };

    let valid = issue(&claims(now + 10 * DAY), &key);
    let mut h = about_harness(check(Some(&valid), None));
    h.run();
    h.get_by_label("Licensed to Dojang Nord");
    h.get_by_label("Edition: venue");
    h.get_by_label_contains("(10 days left)");
    assert!(h.query_by_label_contains("keep working").is_none());

    let expired = issue(&claims(now - 2 * DAY), &key);
    let mut h = about_harness(check(Some(&expired), None));
    h.run();
    h.get_by_label_contains("(2 days ago)");
    h.get_by_label("Scoring, storage and the scoreboard keep working without a licence.");

    let mut h = about_harness(check(None, None));
    h.run();
    h.get_by_label("No licence key entered");

    let wrong_key = issue(&claims(now + DAY), &generate_key().expect("key"));
    let mut h = about_harness(check(Some(&wrong_key), None));
    h.run();
    h.get_by_label_contains("signature does not match");

    // Clock five days behind the latest time seen (beyond the 24 h tolerance): flagged, judged
    // at the clock (the mark may be a wrong reading), and the reset needs advanced mode.
    let mut h = about_harness(check(Some(&valid), Some(ns(now + 5 * DAY))));
    h.run();
    h.get_by_label_contains("The system clock is 5 days behind");
    h.get_by_label_contains("(10 days left)");
    assert!(reset_disabled(&h));

    // Entering a key hands it to the app, and the field is cleared.
    let mut h = about_harness(check(None, None));
    h.run();
    let field = h.get_by(|n| n.role() == Role::PasswordInput);
    field.focus();
    field.type_text(&valid);
    h.run();
    h.get_by_label("Apply key").click();
    h.run();
    assert_eq!(h.state().2, vec![valid.clone()]);
    assert!(h.state().1.is_empty());
}

fn sample(t: f64, cpu: f32, warnings: courtside::sysmon::Warnings) -> courtside::sysmon::SysSample {
    courtside::sysmon::SysSample {
        t,
        cpu_total: cpu,
        per_core: vec![cpu, cpu / 2.0],
        mem_total: 8 << 30,
        mem_available: 3 << 30,
        proc_cpu: 4.0,
        proc_rss: 150 << 20,
        warnings,
    }
}

#[test]
fn system_panel_shows_values_badges_and_settles() {
    use courtside::sysmon::{SysHistory, Warnings};
    let mut history = SysHistory::default();
    for i in 0..30 {
        history.push(
            sample(f64::from(i), 40.0, Warnings::default()),
            Duration::from_secs(600),
        );
    }
    let mut h = Harness::builder().with_size([800.0, 600.0]).build_ui_state(
        |ui, h: &mut SysHistory| courtside::ui::monitor::system_ui(ui, h),
        history,
    );
    h.run(); // settles: no repaint loop
    h.get_by_label("40 %");
    h.get_by_label("40 · 20 %");
    h.get_by_label("5.0 of 8.0 GiB");
    h.get_by_label("CPU 4 % · memory 150 MiB");
    assert!(h.query_by_label_contains("CPU above 85 %").is_none());
    let hot = Warnings {
        cpu_high: true,
        memory_low: true,
    };
    h.state_mut()
        .push(sample(31.0, 97.0, hot), Duration::from_secs(600));
    h.run();
    h.get_by_label_contains("CPU above 85 %");
    h.get_by_label_contains("memory low");
}

#[test]
fn diagnostics_panel_threshold_edits_the_slow_list() {
    use courtside::model::diagnostics::{DiagnosticsSnapshot, SlowOps};
    let mut slow = SlowOps::new(Duration::from_millis(50), 10);
    slow.record("store commit", Duration::from_millis(80), 0);
    slow.record("export match 3", Duration::from_millis(300), 0);
    let snap = DiagnosticsSnapshot {
        datagrams_per_sec: 12.5,
        commit_p50_micros: Some(1500),
        commit_p99_micros: Some(9000),
        ..Default::default()
    };
    let mut h = Harness::builder().with_size([800.0, 600.0]).build_ui_state(
        |ui, (snap, slow): &mut (DiagnosticsSnapshot, SlowOps)| {
            courtside::ui::monitor::diagnostics_ui(ui, snap, slow)
        },
        (snap, slow),
    );
    h.run();
    h.get_by_label("12.5");
    h.get_by_label("1.5 ms / 9.0 ms");
    h.get_by_label_contains("store commit");
    let field = h.get_by(|n| n.role() == Role::SpinButton);
    field.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by(|n| n.role() == Role::SpinButton).type_text("100");
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().1.threshold(), Duration::from_millis(100));
    assert!(h.query_by_label_contains("store commit").is_none());
    h.get_by_label_contains("export match 3");
}

/// Whether the About panel's "Reset latest time seen" button is there and disabled.
fn reset_disabled<S>(h: &egui_kittest::Harness<'_, S>) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_by(|n| n.label().as_deref() == Some("Reset latest time seen") && n.is_disabled())
        .is_some()
}
