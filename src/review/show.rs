//! "Show on video" in the review service: play an earlier moment from the file the video index
//! names — after checking what can be checked first, so a failure names the file and the cause.
//!
//! - A file on this computer (OBS connected on a loopback address) that no longer exists is
//!   refused before OBS is asked. When OBS runs on another computer only OBS can look: a file it
//!   cannot open is reported with its path and the OBS computer named.
//! - A recording OBS is still writing: OBS 29's media source opens a growing Matroska file and
//!   plays what was written when it opened it; an MP4/MOV being written has no index yet
//!   (written when the recording stops) and cannot be opened, so it is refused saying so.

use super::control::{cue, refused};
use super::service::Worker;
use crate::obs::error::ObsError;

/// What the Show request says in notices.
pub const SHOW: &str = "show on video";

/// Whether OBS at `host` runs on this computer (its file paths are this computer's paths).
pub fn is_this_computer(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a recording into `path` can be played while it is still being written: formats
/// without a trailing index (Matroska, FLV, MPEG-TS) can; MP4/MOV (their index is written at the
/// end) cannot.
pub fn readable_while_recording(path: &str) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    !matches!(ext.as_str(), "mp4" | "m4v" | "mov")
}

/// Refuse what cannot play, then load `path`, seek to `offset_ms` minus the pre-roll and play.
pub(super) async fn show(
    w: &mut Worker,
    path: &str,
    offset_ms: u64,
    running: bool,
) -> Result<String, ObsError> {
    if running && !readable_while_recording(path) {
        return Err(refused(
            SHOW,
            format!(
                "{path} is still being recorded: OBS cannot open an MP4/MOV file before its \
                 recording stops (its index is written at the end). Stop the recording, or save \
                 the replay buffer and review that"
            ),
        ));
    }
    let host = w.obs_host().to_string();
    let local = is_this_computer(&host);
    if local {
        match tokio::fs::try_exists(path).await {
            Ok(true) => {}
            Ok(false) => {
                return Err(refused(
                    SHOW,
                    format!(
                        "the file {path} no longer exists on this computer (moved, renamed or \
                         deleted since it was recorded)"
                    ),
                ));
            }
            Err(e) => {
                return Err(refused(
                    SHOW,
                    format!("the file {path} cannot be read: {e}"),
                ));
            }
        }
    }
    w.ensure_source().await?;
    let mut p = w.parts().ok_or_else(|| ObsError::Lost {
        cause: "the review connection closed".into(),
    })?;
    match cue(&mut p, path, offset_ms).await {
        Ok(detail) if running => Ok(format!("{detail}; the recording is still running")),
        Ok(detail) => Ok(detail),
        Err(e) if could_not_open(&e) => {
            let place = if local {
                "OBS".to_string()
            } else {
                format!("OBS on {host}")
            };
            Err(refused(
                SHOW,
                format!(
                    "{place} could not play {path} ({e}); is the file still there on the OBS \
                     computer?"
                ),
            ))
        }
        Err(e) => Err(e),
    }
}

/// A failure of OBS to open the file (not of the connection).
fn could_not_open(e: &ObsError) -> bool {
    match e {
        ObsError::Refused { .. } => true,
        ObsError::Timeout { what, .. } => what.starts_with("opening the file"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_this_computer_and_others_are_not() {
        for h in [
            "localhost",
            "127.0.0.1",
            "127.0.1.1",
            "::1",
            "[::1]",
            " LocalHost ",
        ] {
            assert!(is_this_computer(h), "{h}");
        }
        for h in ["192.168.1.20", "obs-pc", "10.0.0.1", "fe80::1"] {
            assert!(!is_this_computer(h), "{h}");
        }
    }

    #[test]
    fn only_containers_without_a_trailing_index_play_while_recording() {
        assert!(readable_while_recording("/v/2026-12-07 12-00-00.mkv"));
        assert!(readable_while_recording("C:\\v\\a.flv"));
        assert!(readable_while_recording("/v/a.ts"));
        assert!(!readable_while_recording("/v/a.mp4"));
        assert!(!readable_while_recording("C:\\v\\A.MOV"));
    }

    #[test]
    fn only_failures_to_open_the_file_are_blamed_on_the_file() {
        let opening = ObsError::Timeout {
            what: "opening the file (media state Opening)".into(),
            secs: 10,
        };
        assert!(could_not_open(&opening));
        let lost = ObsError::Lost {
            cause: "closed".into(),
        };
        assert!(!could_not_open(&lost));
        let slow = ObsError::Timeout {
            what: "GetMediaInputStatus".into(),
            secs: 10,
        };
        assert!(!could_not_open(&slow));
    }
}
