//! One action of an automation rule in the rule editor: its kind, parameters and delay.

use crate::obs::rules::TEMPLATE_FIELDS;
use crate::obs::{ObsAction, RuleAction, Visibility};
use egui::RichText;

/// The action kinds a rule can use, with a fresh value of each.
fn action_kinds() -> Vec<ObsAction> {
    vec![
        ObsAction::SaveReplay,
        ObsAction::StartReplayBuffer,
        ObsAction::StopReplayBuffer,
        ObsAction::StartRecording { file_name: None },
        ObsAction::StopRecording,
        ObsAction::StartStreaming,
        ObsAction::StopStreaming,
        ObsAction::SetScene {
            scene: String::new(),
        },
        ObsAction::SetSourceVisibility {
            scene: String::new(),
            source: String::new(),
            visible: Visibility::Show,
        },
        ObsAction::ReviewSaveAndCue,
        ObsAction::ReviewBackToLive,
    ]
}

fn kind_label(a: &ObsAction) -> &'static str {
    match a {
        ObsAction::StartRecording { .. } => "start recording",
        ObsAction::StopRecording => "stop recording",
        ObsAction::StartStreaming => "start streaming",
        ObsAction::StopStreaming => "stop streaming",
        ObsAction::StartReplayBuffer => "start replay buffer",
        ObsAction::StopReplayBuffer => "stop replay buffer",
        ObsAction::SaveReplay => "save replay",
        ObsAction::SetScene { .. } => "switch scene",
        ObsAction::SetSourceVisibility { .. } => "show/hide source",
        ObsAction::SetRecordDirectory { .. } => "set record folder",
        ObsAction::ReviewSaveAndCue => "review: save and cue the disputed moment",
        ObsAction::ReviewBackToLive => "review: back to live",
    }
}

/// One action with its parameters and delay; true when removed.
pub(super) fn action_ui(ui: &mut egui::Ui, a: &mut RuleAction) -> bool {
    egui::ComboBox::from_id_salt("action")
        .selected_text(kind_label(&a.action))
        .show_ui(ui, |ui| {
            for k in action_kinds() {
                let same = std::mem::discriminant(&a.action) == std::mem::discriminant(&k);
                if ui.selectable_label(same, kind_label(&k)).clicked() && !same {
                    a.action = k;
                }
            }
        })
        .response
        .on_hover_text("What to do in OBS");
    params_ui(ui, &mut a.action);
    ui.label("after s");
    let mut secs = a.delay_ms as f64 / 1000.0;
    ui.add(
        egui::DragValue::new(&mut secs)
            .range(0.0..=600.0)
            .speed(0.5),
    )
    .on_hover_text("Wait this long after the event (e.g. stop recording 30 s after the winner)");
    a.delay_ms = (secs * 1000.0).round() as u64;
    ui.small_button("✖")
        .on_hover_text("Remove this action")
        .clicked()
}

fn params_ui(ui: &mut egui::Ui, action: &mut ObsAction) {
    match action {
        ObsAction::StartRecording { file_name } => {
            let mut named = file_name.is_some();
            ui.checkbox(&mut named, "file name")
                .on_hover_text("Set the recording's file name from the match");
            if named {
                let text = file_name
                    .get_or_insert_with(|| crate::obs::rules::DEFAULT_RECORDING_NAME.to_string());
                ui.add(egui::TextEdit::singleline(text).desired_width(260.0))
                    .on_hover_text(format!(
                        "File name template; fields: {}. OBS codes such as %hh-%mm work; not \
                         allowed (Windows could not record): < > : \" / \\ | ? *, a name such \
                         as CON, PRN, AUX, NUL, COM1, LPT1",
                        TEMPLATE_FIELDS.join(" ")
                    ));
            } else {
                *file_name = None;
            }
        }
        ObsAction::SetScene { scene } => {
            ui.add(
                egui::TextEdit::singleline(scene)
                    .hint_text("scene")
                    .desired_width(140.0),
            )
            .on_hover_text("Scene name, exactly as in OBS");
        }
        ObsAction::SetSourceVisibility {
            scene,
            source,
            visible,
        } => {
            ui.add(
                egui::TextEdit::singleline(source)
                    .hint_text("source")
                    .desired_width(120.0),
            )
            .on_hover_text("Source name, exactly as in OBS");
            ui.label("in");
            ui.add(
                egui::TextEdit::singleline(scene)
                    .hint_text("scene")
                    .desired_width(120.0),
            )
            .on_hover_text("Scene that holds the source");
            for (v, label) in [
                (Visibility::Show, "show"),
                (Visibility::Hide, "hide"),
                (Visibility::Toggle, "toggle"),
            ] {
                ui.radio_value(visible, v, label)
                    .on_hover_text(format!("{label} the source"));
            }
        }
        ObsAction::SetRecordDirectory { path } => {
            ui.add(egui::TextEdit::singleline(path).desired_width(200.0))
                .on_hover_text("Folder on the OBS machine");
        }
        ObsAction::ReviewSaveAndCue => {
            ui.label(RichText::new("(on the court's OBS)").weak())
                .on_hover_text(
                    "Saves the replay buffer once and plays the last point or penalty before the \
                     challenge in the Review panel (from the recording when the buffer is off). \
                     Only on 'challenge requested'; do not add 'save replay' too.",
                );
        }
        ObsAction::ReviewBackToLive => {
            ui.label(RichText::new("(on the court's OBS)").weak())
                .on_hover_text(
                    "Puts back the program scene the review replaced; nothing to do when the \
                     review is not on air.",
                );
        }
        _ => {}
    }
}
