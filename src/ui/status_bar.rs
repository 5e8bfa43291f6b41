//! Status bar (listeners, OBS, system, store) and the notice list.

use crate::ingest::SourceCount;
use crate::ingest::hints::SilenceHint;
use crate::model::state::ListenerTrust;
use crate::model::state::{CourtStatus, Level, Notices};
use crate::model::{AppState, Command};
use egui::{Color32, RichText};

const OK: Color32 = Color32::from_rgb(0x3C, 0xB3, 0x71);
const BAD: Color32 = Color32::from_rgb(0xE0, 0x40, 0x40);
const WARN: Color32 = Color32::from_rgb(0xE8, 0xA0, 0x20);

/// One line per concern: listeners, OBS, store.
pub fn status_bar_ui(ui: &mut egui::Ui, s: &mut AppState) {
    ui.horizontal_wrapped(|ui| {
        for (i, c) in s.listeners.iter().enumerate() {
            listener_ui(ui, i, c, &mut s.commands);
            ui.separator();
        }
        if s.listeners.is_empty() {
            if s.hub.status.is_some() {
                ui.label("hub: no UDP listener").on_hover_text(
                    "A tournament hub stores every court's datagrams from the NATS server; it \
                     does not listen for a scoring system itself",
                );
            } else {
                ui.label(RichText::new("no UDP listener running").color(BAD))
                    .on_hover_text("Events are not received; see the notices");
            }
            ui.separator();
        }
        obs_ui(ui, s);
        ui.separator();
        if crate::ui::tournament_ui::tournament_status_ui(ui, s) {
            ui.separator();
        }
        system_ui(ui, s);
        ui.separator();
        store_ui(ui, s);
        ui.separator();
        crate::ui::web_ui::status_ui(ui, &s.web, &mut s.commands);
    });
}

/// One listener: court, address, rate, status, then whom it trusts, what it did not store, the
/// PSS link and, when it hears nothing, what to check.
fn listener_ui(ui: &mut egui::Ui, i: usize, c: &CourtStatus, commands: &mut Vec<Command>) {
    status_dot(ui, if c.ok { OK } else { BAD });
    let rate = format!("{:.1}/s", c.rate);
    let mut tip = format!(
        "{} — {}\nstatus: {}\ndatagrams: {} ({}/s)\nlast source: {}\nmalformed: {}, unknown: {}",
        c.court,
        c.addr,
        c.status,
        c.datagrams,
        rate,
        c.last_source.as_deref().unwrap_or("none yet"),
        c.malformed,
        c.unknown
    );
    let t = &c.trust;
    for line in t.pss_link.iter().chain(&t.recovery) {
        tip.push('\n');
        tip.push_str(line);
    }
    if let Some(h) = &t.silence_hint {
        tip.push_str(&format!("\n\n{}", h.text));
        if let Some(cmd) = &h.command {
            tip.push_str(&format!("\n{cmd}"));
        }
    }
    ui.label(format!("{} {} {}", c.court, c.addr, rate))
        .on_hover_text(tip);
    if !c.ok {
        ui.label(RichText::new(&c.status).color(BAD).small());
    }
    if c.malformed > 0 {
        ui.label(RichText::new(format!("{} malformed", c.malformed)).color(WARN))
            .on_hover_text("Messages that could not be understood; see the live data log");
    }
    if let Some(src) = &c.last_source {
        ui.label(RichText::new(format!("from {src}")).weak())
            .on_hover_text("Address of the last datagram received");
    }
    if let Some(link) = &t.pss_link {
        ui.label(RichText::new(link).small())
            .on_hover_text("The scoring program's latest 'Udp Port … connected/disconnected' line");
    }
    trust_ui(ui, i, t, commands);
    if let Some(h) = &t.silence_hint {
        hint_ui(ui, h, commands);
    }
}

/// Source lock, the open-listener warning and what was not stored.
fn trust_ui(ui: &mut egui::Ui, i: usize, t: &ListenerTrust, commands: &mut Vec<Command>) {
    if t.trusts_everyone {
        ui.label(RichText::new("any source").color(WARN))
            .on_hover_text(
                "No source allowlist and no source lock: any machine on this network can send \
                 scores to this court, and they are stored and shown. Turn on \"Lock\" or set \
                 allowed sources in Settings → UDP listeners.",
            );
    }
    match t.locked {
        Some(ip) => {
            ui.label(RichText::new(format!("locked to {ip}")).small())
                .on_hover_text(
                    "Only this scoring program's datagrams are stored; others are counted and \
                     ignored",
                );
            if ui
                .small_button("unlock")
                .on_hover_text(
                    "Forget the locked scoring program: the next one that loads a fight or says \
                     hello is locked to (e.g. after replacing the scoring laptop)",
                )
                .clicked()
            {
                commands.push(Command::UnlockListener(i));
            }
        }
        None if t.lock_enabled => {
            ui.label(RichText::new("lock: waiting for the PSS").weak().small())
                .on_hover_text(
                    "The listener locks to the first scoring program that loads a fight or says \
                     hello; until then every source is accepted",
                );
        }
        None => {}
    }
    if let Some(top) = t.not_stored.first() {
        let mut tip: Vec<String> = t.not_stored.iter().map(not_stored_text).collect();
        if t.not_stored_untracked > 0 {
            tip.push(format!(
                "{} more datagrams from further sources (not listed one by one)",
                group_digits(t.not_stored_untracked)
            ));
        }
        tip.push("Not stored and never applied to the scoreboard or OBS.".into());
        ui.label(RichText::new(not_stored_text(top)).color(WARN))
            .on_hover_text(tip.join("\n"));
    }
}

/// The silence hint, with a copy button for its command.
fn hint_ui(ui: &mut egui::Ui, h: &SilenceHint, commands: &mut Vec<Command>) {
    let mut text = h.text.clone();
    if let Some(cmd) = &h.command {
        text.push_str(&format!("\n\n{cmd}"));
    }
    ui.label(RichText::new("nothing received").color(WARN))
        .on_hover_text(text);
    if let Some(cmd) = &h.command
        && ui
            .small_button("Copy firewall command")
            .on_hover_text(format!("Copy to the clipboard:\n{cmd}"))
            .clicked()
    {
        commands.push(Command::Copy(cmd.clone()));
    }
}

/// What was not stored from one source: "ignored 1 234 datagrams from 10.0.0.66", with the
/// other causes after it.
pub fn not_stored_text(c: &SourceCount) -> String {
    let mut parts = Vec::new();
    if c.ignored > 0 {
        parts.push(format!("ignored {} datagrams", group_digits(c.ignored)));
    }
    if c.refused > 0 {
        parts.push(format!(
            "refused {} datagrams (allowlist)",
            group_digits(c.refused)
        ));
    }
    if c.over_rate > 0 {
        parts.push(format!(
            "dropped {} datagrams over the rate bound",
            group_digits(c.over_rate)
        ));
    }
    format!("{} from {}", parts.join(", "), c.ip)
}

/// `1234567` → `1 234 567`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

/// One entry per OBS instance: link state (with the reconnect countdown), recording, replay
/// buffer, scene; a click opens the OBS window.
fn obs_ui(ui: &mut egui::Ui, s: &mut AppState) {
    use crate::ui::obs::{link_color, older_obs_text, output_text};
    let now = std::time::Instant::now();
    let mut open = false;
    if s.obs.statuses.is_empty() {
        open |= ui
            .link(RichText::new("OBS: none set up").weak())
            .on_hover_text("No OBS connection yet: click to add one")
            .clicked();
    }
    for st in &s.obs.statuses {
        status_dot(ui, link_color(&st.link));
        let mut text = format!("OBS {}", st.name);
        if st.link.is_connected() {
            for part in [
                output_text("REC", &st.recording, now),
                output_text("LIVE", &st.streaming, now),
                st.replay_buffer.phase.is_on().then(|| "replay".to_string()),
                st.program_scene.clone(),
            ]
            .into_iter()
            .flatten()
            {
                text.push_str(" · ");
                text.push_str(&part);
            }
        } else {
            text.push_str(": ");
            text.push_str(&st.link.label(now));
        }
        let color = if st.recording.phase.is_on() {
            crate::ui::obs::REC
        } else {
            ui.visuals().text_color()
        };
        open |= ui
            .link(RichText::new(text).color(color))
            .on_hover_text(format!(
                "{} ({}, {}): {}\nClick for the OBS window",
                st.name,
                st.role.label(),
                st.addr,
                st.link.label(now)
            ))
            .clicked();
        if st.older_obs {
            ui.label(RichText::new("older OBS").color(WARN).small())
                .on_hover_text(older_obs_text(st));
        }
    }
    if s.obs.paused {
        open |= ui
            .link(RichText::new("automation paused").color(WARN))
            .on_hover_text("OBS automation rules are paused; click to open the OBS window")
            .clicked();
    }
    if open {
        s.prefs.show_obs = true;
    }
}

fn system_ui(ui: &mut egui::Ui, s: &AppState) {
    let Some(x) = &s.system else {
        ui.label(RichText::new("CPU …").weak())
            .on_hover_text("System monitor: first sample in a second");
        return;
    };
    // The values the monitor wakes the UI for (coarse, so an idle app stays idle).
    let (cpu, mem_pct, rss_mb) = x.status_values();
    let warn = x.warnings.cpu_high || x.warnings.memory_low;
    let text = format!("CPU {cpu} % · memory {mem_pct} % · courtside {rss_mb} MB");
    let label = if warn {
        RichText::new(format!("{text} · HIGH LOAD")).color(WARN)
    } else {
        RichText::new(text)
    };
    ui.label(label).on_hover_text(format!(
        "CPU per core: {}\nfree memory: {:.0} MB of {:.0} MB\ncourtside CPU: {:.0} %",
        x.per_core
            .iter()
            .map(|c| format!("{c:.0}%"))
            .collect::<Vec<_>>()
            .join(" "),
        x.mem_available as f64 / 1e6,
        x.mem_total as f64 / 1e6,
        x.proc_cpu
    ));
}

fn store_ui(ui: &mut egui::Ui, s: &AppState) {
    let st = &s.store;
    if !st.open {
        ui.label(RichText::new("store: not open").color(BAD))
            .on_hover_text(format!(
                "{}\nnothing is being stored; see the notices",
                st.path
            ));
        return;
    }
    let age = if st.last_commit_ns == 0 {
        "no commit yet".to_string()
    } else {
        let ns = crate::store::writer::now_ns().saturating_sub(st.last_commit_ns);
        // Wake exactly when the shown age changes: every second in the first minute, then once
        // a minute, then once an hour (an idle app stays idle, and the age is never stale).
        ui.ctx().request_repaint_after(age_changes_in(ns));
        format!("last commit {}", human_age(ns))
    };
    ui.label(format!(
        "store: {} events · {age} · queue {}",
        st.events, st.queue
    ))
    .on_hover_text(format!(
        "{}\nevents stored: {}\nwriter queue depth: {}",
        st.path, st.events, st.queue
    ));
}

/// A small filled circle (drawn, so it does not depend on a font glyph).
fn status_dot(ui: &mut egui::Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 5.0, color);
}

/// "3 s ago", "2 min ago".
pub fn human_age(ns: i64) -> String {
    let secs = ns.max(0) / 1_000_000_000;
    match secs {
        0..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        _ => format!("{} h ago", secs / 3600),
    }
}

/// How long until `human_age(ns)` shows something else.
pub fn age_changes_in(ns: i64) -> std::time::Duration {
    const S: i64 = 1_000_000_000;
    let ns = ns.max(0);
    let unit = match ns / S {
        0..=59 => S,
        60..=3599 => 60 * S,
        _ => 3600 * S,
    };
    std::time::Duration::from_nanos((unit - ns % unit) as u64)
}

/// Notices with cause and action, each dismissable.
pub fn notices_ui(ui: &mut egui::Ui, notices: &mut Notices) {
    let mut dismiss = None;
    for n in &notices.items {
        let color = match n.level {
            Level::Error => BAD,
            Level::Warning => WARN,
            Level::Info => ui.visuals().text_color(),
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(&n.title).strong().color(color));
                ui.label(&n.cause);
                ui.label(RichText::new(&n.action).italics());
                if ui
                    .small_button("Dismiss")
                    .on_hover_text("Hide this notice")
                    .clicked()
                {
                    dismiss = Some(n.id);
                }
            });
        });
    }
    if let Some(id) = dismiss {
        notices.dismiss(id);
    }
}

#[cfg(test)]
mod tests {
    use super::{group_digits, not_stored_text};
    use crate::ingest::SourceCount;

    #[test]
    fn what_was_not_stored_reads_with_grouped_digits_and_every_cause() {
        assert_eq!(group_digits(7), "7");
        assert_eq!(group_digits(1234), "1 234");
        assert_eq!(group_digits(1_234_567), "1 234 567");
        let c = SourceCount {
            ip: "10.0.0.66".parse().expect("ip"),
            refused: 0,
            ignored: 1234,
            over_rate: 0,
        };
        assert_eq!(
            not_stored_text(&c),
            "ignored 1 234 datagrams from 10.0.0.66"
        );
        let c = SourceCount {
            refused: 5,
            over_rate: 2000,
            ignored: 0,
            ..c
        };
        assert_eq!(
            not_stored_text(&c),
            "refused 5 datagrams (allowlist), dropped 2 000 datagrams over the rate bound from \
             10.0.0.66"
        );
    }
}
