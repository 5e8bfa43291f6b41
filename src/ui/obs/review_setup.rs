//! "Set up OBS for review" in the OBS window's Control tab: the keyframe policy of the court's
//! OBS (the one that plays reviews), run by the review service; what was set, or why it was
//! refused, comes back as a notice and is shown here.

use super::{BAD, OK};
use crate::model::Command;
use crate::model::obs::ObsView;
use crate::model::review::ReviewCommand;
use crate::obs::review_setup::{
    ALL_INTRA_CPU_RATIO, ALL_INTRA_EQUAL_QUALITY_SIZE, ALL_INTRA_SIZE_RATIO, KeyframePolicy,
};
use egui::RichText;

/// The all-intra choice's label, with its measured cost.
pub fn all_intra_label() -> String {
    format!(
        "Every frame a keyframe (all-intra): exact frame steps. On our test machine OBS kept its \
         bitrate: about {ALL_INTRA_SIZE_RATIO:.1}× the file size and {ALL_INTRA_CPU_RATIO:.1}× \
         the CPU of 0.5 s keyframes, paid in picture quality; the same quality needs about \
         {ALL_INTRA_EQUAL_QUALITY_SIZE:.0}× the bitrate"
    )
}

/// The set-up block.
pub fn review_setup_ui(ui: &mut egui::Ui, view: &mut ObsView, commands: &mut Vec<Command>) {
    let Some(conn) = crate::obs::review_connection(&view.connections) else {
        return;
    };
    let name = conn.name.clone();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.strong(format!("Video review set-up ({name})"));
        ui.label(
            RichText::new(
                "Seeking in a replay lands on a keyframe: OBS's default (one every ~8 s) makes the \
                 review land seconds early. Stop recording, streaming and the replay buffer \
                 first; simple output mode with the x264 encoder.",
            )
            .weak(),
        );
        let setup = &mut view.review_setup;
        ui.radio_value(
            &mut setup.policy,
            KeyframePolicy::HALF_SECOND,
            "A keyframe every 0.5 s (recommended): seeks land at most 0.5 s early",
        );
        ui.radio_value(
            &mut setup.policy,
            KeyframePolicy::AllIntra,
            all_intra_label(),
        );
        ui.horizontal(|ui| {
            let button = ui
                .add_enabled(!setup.running, egui::Button::new("Set up OBS for review"))
                .on_hover_text(format!(
                    "Set the keyframe interval of {name}'s recordings and replays (profile \
                     parameters, then a profile reload)"
                ));
            if button.clicked() {
                commands.push(Command::Review(ReviewCommand::SetupKeyframes(setup.policy)));
            }
            if setup.running {
                ui.spinner();
                ui.label("setting up OBS…");
            }
        });
        match &setup.last {
            Some(Ok(detail)) => {
                ui.colored_label(OK, format!("Done: {detail}"));
            }
            Some(Err(why)) => {
                ui.colored_label(BAD, format!("Not set up: {why}"));
            }
            None => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obs::ObsConnection;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    struct Panel {
        view: ObsView,
        commands: Vec<Command>,
    }

    fn harness() -> Harness<'static, Panel> {
        let view = ObsView {
            connections: vec![ObsConnection::new("court OBS", "127.0.0.1", 4455)],
            ..ObsView::default()
        };
        Harness::new_ui_state(
            |ui, p: &mut Panel| review_setup_ui(ui, &mut p.view, &mut p.commands),
            Panel {
                view,
                commands: Vec::new(),
            },
        )
    }

    #[test]
    fn the_set_up_button_asks_for_the_chosen_keyframe_policy_and_waits_while_it_runs() {
        let mut h = harness();
        h.get_by_label("Set up OBS for review").click();
        h.run();
        let asked = |p: &Panel| p.commands.clone();
        assert_eq!(
            asked(h.state()),
            vec![Command::Review(ReviewCommand::SetupKeyframes(
                KeyframePolicy::HALF_SECOND
            ))],
            "0.5 s keyframes by default"
        );
        h.get_by_label(&all_intra_label()).click();
        h.run();
        h.get_by_label("Set up OBS for review").click();
        h.run();
        assert_eq!(
            asked(h.state()).last(),
            Some(&Command::Review(ReviewCommand::SetupKeyframes(
                KeyframePolicy::AllIntra
            )))
        );
        // While the set-up runs the button is off (one at a time) and progress is shown.
        // (The spinner repaints: step a fixed number of frames instead of waiting to settle.)
        h.state_mut().view.review_setup.running = true;
        h.run_steps(2);
        h.get_by_label("setting up OBS…");
        let before = asked(h.state()).len();
        h.get_by_label("Set up OBS for review").click();
        h.run_steps(2);
        assert_eq!(asked(h.state()).len(), before);
        // Its outcome is shown: what was set, or why OBS refused.
        let setup = &mut h.state_mut().view.review_setup;
        setup.running = false;
        setup.last = Some(Err("the recording is running".into()));
        h.run();
        h.get_by_label("Not set up: the recording is running");
    }
}
