//! The Review panel: the current match's scoring events newest first, each with its place on
//! video; choosing one plays it in OBS. Playback controls, each on a key of the numeric keypad
//! (review operators work with one hand), the review OBS's state as it reports it, and a live
//! preview of the review source.

use crate::model::review::{ReviewCommand, ReviewEntry, ReviewView};
use crate::model::{AppState, Command};
use crate::obs::review::MediaState;
use crate::protocol::Athlete;
use crate::review::format_offset;
use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText};

/// F6: open / close the Review panel.
pub const REVIEW_WINDOW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F6);
/// Ctrl+Shift+E (Cmd+Shift+E): the same as F6 (not V: Ctrl+Shift+V pastes in text fields).
pub const REVIEW_WINDOW_ALT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::E);

/// The panel's keys (keypad digits type the same keys as the top row): key, command, label.
pub const KEYS: [(Key, &str); 12] = [
    (Key::Num5, "play / pause"),
    (Key::Num4, "1 frame back"),
    (Key::Num6, "1 frame forward"),
    (Key::Num7, "1 s back"),
    (Key::Num9, "1 s forward"),
    (Key::Num1, "speed 25 %"),
    (Key::Num2, "speed 50 %"),
    (Key::Num3, "speed 100 %"),
    (Key::Num0, "loop the moment on / off"),
    (Key::Plus, "on air"),
    (Key::Minus, "back to live"),
    (Key::Enter, "play the chosen event (Up / Down choose)"),
];

/// The command of a panel key, from the view's state (play/pause and loop toggle).
pub fn key_command(key: Key, view: &ReviewView) -> Option<ReviewCommand> {
    let playing = view
        .obs
        .media
        .is_some_and(|m| m.state == MediaState::Playing);
    Some(match key {
        Key::Num5 | Key::Space if playing => ReviewCommand::Pause,
        Key::Num5 | Key::Space => ReviewCommand::Play,
        Key::Num4 => ReviewCommand::StepFrames(-1),
        Key::Num6 => ReviewCommand::StepFrames(1),
        Key::Num7 => ReviewCommand::StepMs(-1000),
        Key::Num9 => ReviewCommand::StepMs(1000),
        Key::Num1 => ReviewCommand::Speed(25),
        Key::Num2 => ReviewCommand::Speed(50),
        Key::Num3 => ReviewCommand::Speed(100),
        Key::Num0 => ReviewCommand::Loop(view.obs.loop_window.is_none()),
        Key::Plus => ReviewCommand::OnAir,
        Key::Minus => ReviewCommand::BackToLive,
        Key::Enter => ReviewCommand::Cue {
            seq: view.selected?,
        },
        _ => return None,
    })
}

/// The panel's shortcuts: F6 always; the playback keys while the panel is open and no text
/// field takes the keyboard.
pub fn shortcuts(i: &mut egui::InputState, s: &mut AppState, typing: bool) {
    if super::consume_either(i, &REVIEW_WINDOW, &REVIEW_WINDOW_ALT) {
        s.prefs.show_review = !s.prefs.show_review;
    }
    if !s.prefs.show_review || typing {
        return;
    }
    let mut pressed = Vec::new();
    i.events.retain(|e| match panel_key(e) {
        Some(k) => {
            pressed.push(k);
            false
        }
        None => true,
    });
    for key in pressed {
        if matches!(key, Key::ArrowUp | Key::ArrowDown) {
            if let Some(seq) = s.review.neighbour(key == Key::ArrowUp) {
                s.review.selected = Some(seq);
            }
        } else if let Some(c) = key_command(key, &s.review) {
            s.commands.push(Command::Review(c));
        }
    }
}

/// The panel key a key press is, if any. A keypad key counts by its place (its physical key), so
/// the keypad works with NumLock off (4 would be Left) and on layouts whose digit row needs
/// Shift (AZERTY); otherwise by the key it types. Not with Ctrl, Cmd or Alt held.
fn panel_key(e: &egui::Event) -> Option<Key> {
    let egui::Event::Key {
        key,
        physical_key,
        pressed: true,
        modifiers,
        ..
    } = e
    else {
        return None;
    };
    if modifiers.ctrl || modifiers.command || modifiers.alt || modifiers.mac_cmd {
        return None;
    }
    let is_panel = |k: &Key| {
        KEYS.iter().any(|(p, _)| p == k) || matches!(k, Key::Space | Key::ArrowUp | Key::ArrowDown)
    };
    physical_key
        .filter(|p| KEYS.iter().any(|(k, _)| k == p))
        .or(Some(*key))
        .filter(is_panel)
}

/// The Review window (F6).
pub fn review_window(ctx: &egui::Context, s: &mut AppState) {
    let mut open = s.prefs.show_review;
    egui::Window::new("Review")
        .open(&mut open)
        .default_width(900.0)
        .default_height(560.0)
        .show(ctx, |ui| review_ui(ui, s));
    s.prefs.show_review = open;
}

/// The panel's content.
pub fn review_ui(ui: &mut egui::Ui, s: &mut AppState) {
    let earlier = earlier_title(s);
    let commands = &mut s.commands;
    let view = &mut s.review;
    header(ui, view);
    if let Some(title) = earlier {
        earlier_ui(ui, &title, commands);
    }
    ui.separator();
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(380.0);
            events_ui(ui, view, commands);
        });
        ui.separator();
        ui.vertical(|ui| {
            preview_ui(ui, view);
            media_ui(ui, view);
            controls_ui(ui, view, commands);
        });
    });
}

/// The listed match's title when it is an earlier one shown by "Show on video".
fn earlier_title(s: &AppState) -> Option<String> {
    let key = s.review.match_key.filter(|_| s.review.earlier)?;
    let title = (s.match_list.iter())
        .find(|m| m.key == key)
        .map_or_else(|| format!("match {key}"), super::event_table::match_title);
    Some(title)
}

/// The banner over an earlier match's events, with the way back to the current match.
fn earlier_ui(ui: &mut egui::Ui, title: &str, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("Earlier match: {title}"))
                .strong()
                .color(Color32::from_rgb(0xE8, 0xA0, 0x20)),
        );
        if ui
            .button("Back to the current match")
            .on_hover_text("List the current match's events again (a challenge does this too)")
            .clicked()
        {
            commands.push(Command::Review(ReviewCommand::BackToCurrent));
        }
    });
}

fn athlete_colour(a: Option<Athlete>) -> Color32 {
    match a {
        Some(Athlete::Blue) => Color32::from_rgb(0x40, 0x80, 0xFF),
        Some(Athlete::Red) => Color32::from_rgb(0xE0, 0x40, 0x40),
        None => Color32::GRAY,
    }
}

fn header(ui: &mut egui::Ui, view: &mut ReviewView) {
    match (&view.connection, view.obs.connected) {
        (Ok(name), true) => {
            ui.label(format!("OBS {name}: connected"));
        }
        (Ok(name), false) => {
            ui.colored_label(
                Color32::from_rgb(0xE8, 0xA0, 0x20),
                format!("OBS is not connected: {name} does not answer (retrying)"),
            );
        }
        (Err(why), _) => {
            ui.colored_label(
                Color32::from_rgb(0xE8, 0xA0, 0x20),
                format!("OBS is not connected: {why}"),
            );
        }
    }
    if let Some(ch) = &view.challenge {
        let text = format!("{} — {}", ch.who(), ch.status.word());
        ui.label(
            RichText::new(text)
                .strong()
                .color(athlete_colour(ch.by).gamma_multiply(1.2)),
        );
    }
    // Going back to live is the automation rule's (one place to set it), not a panel setting.
    ui.label(
        RichText::new(
            "Back to live when the challenge is over: the automation rule \"Challenge over: back \
             to live\" (OBS → Automation).",
        )
        .weak(),
    );
}

fn entry_text(e: &ReviewEntry) -> String {
    let who = match e.athlete {
        Some(Athlete::Blue) => "Blue",
        Some(Athlete::Red) => "Red",
        None => "",
    };
    let video = e.video.as_ref().map_or_else(
        || "no video".into(),
        |(_, o)| format!("video {}", format_offset(*o)),
    );
    format!("R{} {}  {who} {}  ·  {video}", e.round, e.clock, e.label)
}

fn events_ui(ui: &mut egui::Ui, view: &mut ReviewView, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.strong("Scoring events, newest first");
        if view.loading.is_some() {
            ui.spinner();
        }
        if ui
            .small_button("Reload")
            .on_hover_text("Read the match's events and the video index again")
            .clicked()
        {
            commands.push(Command::Review(ReviewCommand::Load));
        }
    });
    if view.entries.is_empty() && view.loading.is_none() {
        ui.label(if view.earlier {
            "No point or penalty in this match."
        } else {
            "No point or penalty in the current match yet."
        });
    }
    egui::ScrollArea::vertical()
        .id_salt("review events")
        .max_height(440.0)
        .show(ui, |ui| {
            for e in view.entries.iter().rev() {
                let chosen = view.selected == Some(e.seq);
                let text = RichText::new(entry_text(e)).color(athlete_colour(e.athlete));
                let r = ui
                    .selectable_label(chosen, text)
                    .on_hover_text("Play this moment in OBS (pre-roll 3 s)");
                if chosen && r.gained_focus() {
                    r.scroll_to_me(None);
                }
                if r.clicked() {
                    view.selected = Some(e.seq);
                    commands.push(Command::Review(ReviewCommand::Cue { seq: e.seq }));
                }
            }
        });
}

/// The preview's box: fixed, so the controls under it never move when frames come and go (an
/// operator reaching for "On air" must not hit "Back to live" because the first frame arrived).
const PREVIEW_BOX: egui::Vec2 = egui::vec2(440.0, 248.0);

fn preview_ui(ui: &mut egui::Ui, view: &ReviewView) {
    let (rect, _) = ui.allocate_exact_size(PREVIEW_BOX, egui::Sense::hover());
    let mut inner = ui.new_child(egui::UiBuilder::new().max_rect(rect).layout(
        egui::Layout::centered_and_justified(egui::Direction::TopDown),
    ));
    match &view.preview {
        Some(t) => {
            let size = t.size_vec2();
            let scale = (PREVIEW_BOX.x / size.x.max(1.0))
                .min(PREVIEW_BOX.y / size.y.max(1.0))
                .min(1.0);
            inner
                .add(egui::Image::new(t).fit_to_exact_size(size * scale))
                .on_hover_text("The review source in OBS, a few frames a second");
        }
        None => {
            inner.label("No preview yet (it shows once OBS plays a review).");
        }
    }
    // Before a review is loaded the source may not exist yet: the header says what matters.
    // The line is always there (empty without an error) so nothing below it moves.
    let error =
        (view.preview_error.as_ref()).filter(|_| view.obs.connected && view.obs.file.is_some());
    ui.small(error.map_or_else(String::new, |e| format!("preview: {e}")));
}

/// Two lines, always, each on one line (long paths cut, full text on hover): the controls below
/// stay where the operator's hand expects them.
fn media_ui(ui: &mut egui::Ui, view: &ReviewView) {
    let o = &view.obs;
    let (state, file) = match o.media {
        None => ("Nothing loaded in the review source.".to_string(), None),
        Some(m) => {
            let at = |v: Option<u64>| v.map_or_else(|| "–".into(), format_offset);
            let state = format!(
                "{:?} at {} of {} · speed {} %{}{}",
                m.state,
                at(m.cursor_ms),
                at(m.duration_ms),
                o.speed_percent,
                o.loop_window
                    .map(|(a, b)| format!(" · looping {}–{}", format_offset(a), format_offset(b)))
                    .unwrap_or_default(),
                if o.on_air { " · ON AIR" } else { "" },
            );
            let file = (o.file.as_ref().zip(o.moment_ms))
                .map(|(f, moment)| format!("{f} · moment {}", format_offset(moment)));
            (state, file)
        }
    };
    ui.add(egui::Label::new(state).truncate());
    let file = file.unwrap_or_default();
    ui.add(egui::Label::new(RichText::new(file).small()).truncate());
}

fn controls_ui(ui: &mut egui::Ui, view: &ReviewView, commands: &mut Vec<Command>) {
    let mut button = |ui: &mut egui::Ui, label: &str, key: Key| {
        let tip = KEYS.iter().find(|(k, _)| *k == key).map_or("", |(_, t)| t);
        if ui
            .button(label)
            .on_hover_text(format!("{tip} (key {})", key.symbol_or_name()))
            .clicked()
            && let Some(c) = key_command(key, view)
        {
            commands.push(Command::Review(c));
        }
    };
    let playing = view
        .obs
        .media
        .is_some_and(|m| m.state == MediaState::Playing);
    ui.horizontal(|ui| {
        button(ui, "<< 1 s", Key::Num7);
        button(ui, "< frame", Key::Num4);
        button(ui, if playing { "Pause" } else { "Play" }, Key::Num5);
        button(ui, "frame >", Key::Num6);
        button(ui, "1 s >>", Key::Num9);
    });
    ui.horizontal(|ui| {
        button(ui, "25 %", Key::Num1);
        button(ui, "50 %", Key::Num2);
        button(ui, "100 %", Key::Num3);
        let loop_label = if view.obs.loop_window.is_some() {
            "Stop loop"
        } else {
            "Loop moment"
        };
        button(ui, loop_label, Key::Num0);
    });
    ui.horizontal(|ui| {
        button(ui, "On air", Key::Plus);
        button(ui, "Back to live", Key::Minus);
    });
    if let Some((what, result)) = &view.last {
        match result {
            Ok(d) => ui.small(format!("{what}: {d}")),
            Err(e) => ui.colored_label(
                Color32::from_rgb(0xE0, 0x40, 0x40),
                format!("{what} failed: {e}"),
            ),
        };
    }
    ui.small("Keys: 5 play/pause · 4/6 frame · 7/9 1 s · 1/2/3 speed · 0 loop · + on air · - live · Up/Down, Enter: event");
}
