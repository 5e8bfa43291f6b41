//! Folding OBS events into an [`ObsStatus`].

use super::link::{LinkEvent, Output};
use super::status::{ObsStatus, OutputPhase, OutputStatus};
use std::time::Instant;

/// The status of one output.
pub(crate) fn output_mut(status: &mut ObsStatus, output: Output) -> &mut OutputStatus {
    match output {
        Output::Record => &mut status.recording,
        Output::Stream => &mut status.streaming,
        Output::ReplayBuffer => &mut status.replay_buffer,
    }
}

/// Fold an event into the status. True when the scene list must be read again.
pub(crate) fn apply_event(status: &mut ObsStatus, ev: &LinkEvent, now: Instant) -> bool {
    match ev {
        LinkEvent::ProgramScene(s) => status.program_scene = Some(s.clone()),
        LinkEvent::SceneList(list) => status.scenes = list.clone(),
        LinkEvent::OutputState {
            output,
            phase,
            path,
        } => {
            let out = output_mut(status, *output);
            if let Some(p) = *phase {
                apply_phase(out, p, now);
            }
            if *output == Output::Record && path.is_some() {
                out.file = path.clone();
            }
        }
        LinkEvent::RecordFile(f) => status.recording.file = Some(f.clone()),
        LinkEvent::ReplaySaved(f) => status.replay_buffer.file = Some(f.clone()),
        LinkEvent::CollectionChanged => return true,
        LinkEvent::Exiting => {}
    }
    false
}

/// OBS 29 can deliver STARTED before STARTING (and STOPPED before STOPPING): its UI thread and
/// the output's thread both report, unordered. A late "-ing" must not undo what it leads to.
fn apply_phase(out: &mut OutputStatus, p: OutputPhase, now: Instant) {
    let stale = (p == OutputPhase::Starting && out.phase == OutputPhase::On)
        || (p == OutputPhase::Stopping && out.phase == OutputPhase::Off);
    if stale {
        return;
    }
    if p == OutputPhase::On && out.phase != OutputPhase::On {
        out.since = Some(now);
    } else if p == OutputPhase::Off {
        out.since = None;
    }
    out.phase = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obs::config::ObsConnection;

    fn record(phase: OutputPhase, path: Option<&str>) -> LinkEvent {
        LinkEvent::OutputState {
            output: Output::Record,
            phase: Some(phase),
            path: path.map(String::from),
        }
    }

    #[test]
    fn out_of_order_start_and_stop_events_end_in_the_right_phase() {
        // Seen from OBS 29: STARTED, then the STARTING of the same start.
        let mut st = ObsStatus::new(&ObsConnection::new("x", "h", 1));
        let t0 = Instant::now();
        apply_event(&mut st, &record(OutputPhase::On, Some("/r/a.mkv")), t0);
        apply_event(&mut st, &record(OutputPhase::Starting, None), t0);
        assert_eq!(st.recording.phase, OutputPhase::On);
        assert_eq!(st.recording.since, Some(t0));
        assert_eq!(st.recording.file.as_deref(), Some("/r/a.mkv"));
        apply_event(&mut st, &record(OutputPhase::Off, Some("/r/a.mkv")), t0);
        apply_event(&mut st, &record(OutputPhase::Stopping, None), t0);
        assert_eq!(st.recording.phase, OutputPhase::Off);
        assert_eq!(st.recording.since, None);
        // In order, the intermediate phases show.
        apply_event(&mut st, &record(OutputPhase::Starting, None), t0);
        assert_eq!(st.recording.phase, OutputPhase::Starting);
        apply_event(&mut st, &record(OutputPhase::On, Some("/r/b.mkv")), t0);
        assert_eq!(st.recording.phase, OutputPhase::On);
        assert_eq!(st.recording.file.as_deref(), Some("/r/b.mkv"));
    }

    #[test]
    fn scene_events_update_the_status_and_a_collection_change_asks_for_a_reread() {
        let mut st = ObsStatus::new(&ObsConnection::new("x", "h", 1));
        let now = Instant::now();
        assert!(!apply_event(
            &mut st,
            &LinkEvent::ProgramScene("B".into()),
            now
        ));
        assert!(!apply_event(
            &mut st,
            &LinkEvent::SceneList(vec!["A".into(), "B".into()]),
            now
        ));
        assert_eq!(st.program_scene.as_deref(), Some("B"));
        assert_eq!(st.scenes, vec!["A", "B"]);
        assert!(apply_event(&mut st, &LinkEvent::CollectionChanged, now));
    }
}
