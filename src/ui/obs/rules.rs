//! The automation rule table: edit a working copy, then save (validated, stored, applied) or
//! discard. Nothing changes in force until "Save rules" succeeds.

use super::BAD;
use super::rule_action::action_ui;
use crate::model::Command;
use crate::model::obs::{ObsCommand, ObsView, RulesDraft};
use crate::obs::rules::default_rules;
use crate::obs::{ObsAction, ObsConnection, ObsRole, Rule, RuleAction, Target, Trigger};
use crate::protocol::{Athlete, PointKind};
use egui::RichText;

const POINT_KINDS: [PointKind; 5] = [
    PointKind::Punch,
    PointKind::Body,
    PointKind::Head,
    PointKind::TechBody,
    PointKind::TechHead,
];

/// The Automation tab.
pub fn rules_ui(
    ui: &mut egui::Ui,
    view: &mut ObsView,
    commands: &mut Vec<Command>,
    unlocked: bool,
) {
    let connections = view.connections.clone();
    let in_force = view.rules.clone();
    let draft = view
        .rules_draft
        .get_or_insert_with(|| RulesDraft::of(&in_force));
    ui.label(
        RichText::new(
            "When a PSS event happens, do OBS actions. Changes apply after \"Save rules\".",
        )
        .weak(),
    );
    let mut remove = None;
    for i in 0..draft.rules.len() {
        let id = draft.rules[i].id;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.push_id(id, |ui| {
                let rounds = &mut draft.rounds[i];
                if rule_ui(ui, &mut draft.rules[i], rounds, &connections) {
                    remove = Some(i);
                }
            });
        });
    }
    if let Some(i) = remove {
        draft.rules.remove(i);
        draft.rounds.remove(i);
    }
    // A draft that does not validate counts as changed, so Save can say why.
    let dirty = draft.checked().map_or(true, |r| r != in_force);
    footer_ui(ui, draft, &in_force, (dirty, unlocked), commands);
    if dirty && !unlocked {
        ui.label(
            RichText::new(
                "Saving rules needs advanced mode: unlock it in System & support → Advanced.",
            )
            .italics(),
        );
    }
}

fn footer_ui(
    ui: &mut egui::Ui,
    draft: &mut RulesDraft,
    in_force: &[Rule],
    (dirty, can_save): (bool, bool),
    commands: &mut Vec<Command>,
) {
    if let Some(e) = &draft.error {
        ui.colored_label(BAD, e);
    }
    ui.horizontal(|ui| {
        if ui
            .button("Add rule")
            .on_hover_text("A new rule: fight ready → save replay (edit it below)")
            .clicked()
        {
            let r = Rule::new(
                "new rule",
                Trigger::FightReady,
                vec![RuleAction::now(ObsAction::SaveReplay)],
            );
            draft.rules.push(r);
            draft.rounds.push(String::new());
        }
        if ui
            .button("Restore defaults")
            .on_hover_text(
                "Replace the working copy with the built-in rules (nothing changes until you save)",
            )
            .clicked()
        {
            *draft = RulesDraft::of(&default_rules());
        }
        let save = ui
            .add_enabled(
                dirty && can_save && !draft.saving,
                egui::Button::new("Save rules"),
            )
            .on_hover_text("Check every rule; if all are valid, store them and apply them now")
            .on_disabled_hover_text(if can_save {
                "No change to save"
            } else {
                "Saving rules needs advanced mode (System & support → Advanced)"
            });
        if save.clicked() {
            match draft.checked() {
                Ok(rules) => {
                    draft.error = None;
                    draft.saving = true;
                    commands.push(Command::Obs(ObsCommand::SaveRules(rules)));
                }
                Err(e) => draft.error = Some(e),
            }
        }
        if ui
            .add_enabled(dirty, egui::Button::new("Discard changes"))
            .on_hover_text("Go back to the rules in force")
            .clicked()
        {
            *draft = RulesDraft::of(in_force);
        }
        if draft.saving {
            ui.spinner();
        } else if dirty {
            ui.label(RichText::new("unsaved changes").italics());
        }
    });
}

/// One rule; true when the operator removed it.
fn rule_ui(
    ui: &mut egui::Ui,
    r: &mut Rule,
    rounds: &mut String,
    connections: &[ObsConnection],
) -> bool {
    let mut removed = false;
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut r.enabled, "")
            .on_hover_text("Rule enabled (off: kept but never fires)");
        ui.add(egui::TextEdit::singleline(&mut r.name).desired_width(200.0))
            .on_hover_text("Rule name (shown in the automation log)");
        ui.label("when");
        trigger_ui(ui, &mut r.trigger);
        if ui
            .button("Remove")
            .on_hover_text("Remove this rule from the working copy (undo with Discard changes)")
            .clicked()
        {
            removed = true;
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label("rounds");
        ui.add(egui::TextEdit::singleline(rounds).desired_width(60.0))
            .on_hover_text(
                "Only in these rounds, e.g. \"1, 2\" (empty: any round; 4 = golden round)",
            );
        ui.label("athlete");
        egui::ComboBox::from_id_salt("athlete")
            .selected_text(athlete_label(r.conditions.athlete))
            .show_ui(ui, |ui| {
                for a in [None, Some(Athlete::Blue), Some(Athlete::Red)] {
                    ui.selectable_value(&mut r.conditions.athlete, a, athlete_label(a));
                }
            })
            .response
            .on_hover_text("Only when this athlete scores, challenges or wins");
        ui.label("on");
        target_ui(ui, &mut r.target, connections);
        ui.label("cooldown s");
        let mut secs = r.cooldown_ms as f64 / 1000.0;
        ui.add(
            egui::DragValue::new(&mut secs)
                .range(0.0..=600.0)
                .speed(0.5),
        )
        .on_hover_text("After firing, ignore this rule on the same court for this long");
        r.cooldown_ms = (secs * 1000.0).round() as u64;
    });
    let mut drop_action = None;
    for (j, a) in r.actions.iter_mut().enumerate() {
        ui.push_id(j, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label("  →");
                if action_ui(ui, a) {
                    drop_action = Some(j);
                }
            });
        });
    }
    if let Some(j) = drop_action {
        r.actions.remove(j);
    }
    if ui
        .small_button("+ action")
        .on_hover_text("Add another OBS action to this rule")
        .clicked()
    {
        r.actions.push(RuleAction::now(ObsAction::SaveReplay));
    }
    removed
}

fn athlete_label(a: Option<Athlete>) -> &'static str {
    match a {
        None => "any",
        Some(Athlete::Blue) => "blue",
        Some(Athlete::Red) => "red",
    }
}

fn trigger_ui(ui: &mut egui::Ui, t: &mut Trigger) {
    egui::ComboBox::from_id_salt("trigger")
        .selected_text(t.label())
        .show_ui(ui, |ui| {
            for option in Trigger::ALL {
                let same_kind = std::mem::discriminant(t) == std::mem::discriminant(&option);
                if ui.selectable_label(same_kind, option.label()).clicked() && !same_kind {
                    *t = option;
                }
            }
        })
        .response
        .on_hover_text("The PSS event this rule reacts to");
    if let Trigger::Point { kind } = t {
        egui::ComboBox::from_id_salt("point-kind")
            .selected_text(kind.map_or("any type".to_string(), |k| k.label().to_string()))
            .show_ui(ui, |ui| {
                ui.selectable_value(kind, None, "any type");
                for k in POINT_KINDS {
                    ui.selectable_value(kind, Some(k), k.label());
                }
            })
            .response
            .on_hover_text("Only points of this technique");
    }
}

fn target_label(t: &Target, connections: &[ObsConnection]) -> String {
    match t {
        Target::All => "every OBS".into(),
        Target::Role(r) => format!("{} OBS", r.label()),
        Target::Connection(id) => connections
            .iter()
            .find(|c| c.id == *id)
            .map_or("(deleted connection)".into(), |c| c.name.clone()),
    }
}

fn target_ui(ui: &mut egui::Ui, t: &mut Target, connections: &[ObsConnection]) {
    egui::ComboBox::from_id_salt("target")
        .selected_text(target_label(t, connections))
        .show_ui(ui, |ui| {
            let mut options = vec![Target::All];
            options.extend(ObsRole::ALL.map(Target::Role));
            options.extend(connections.iter().map(|c| Target::Connection(c.id)));
            for o in options {
                let label = target_label(&o, connections);
                ui.selectable_value(t, o, label);
            }
        })
        .response
        .on_hover_text("Which OBS instances the actions go to");
}
