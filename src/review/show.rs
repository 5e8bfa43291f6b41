//! "Show on video" in the review service: play an earlier moment from the file the video index
//! names — after checking what can be checked first, so a failure names the file and the cause.
//!
//! - A file on this computer (OBS connected on a loopback address) that no longer exists is
//!   refused before OBS is asked. When OBS runs on another computer only OBS can look: a file it
//!   cannot open is reported with its path and the OBS computer named.
//! - A recording OBS is still writing is refused before OBS is asked, saying so. Tried on OBS
//!   29.0.2: a running MKV opened in the media source plays from its start and reports no
//!   duration (so it cannot be cued at a moment); a running MP4 "plays" at 0 s showing nothing
//!   (its index is written when the recording stops). Once stopped, both play and seek.

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

/// Refuse what cannot play, then load `path`, seek to `offset_ms` minus the pre-roll and play.
pub(super) async fn show(
    w: &mut Worker,
    path: &str,
    offset_ms: u64,
    running: bool,
) -> Result<String, ObsError> {
    if running {
        return Err(refused(
            SHOW,
            format!(
                "{path} is still being recorded: OBS cannot cue a moment in a recording it is \
                 still writing (it opens an MKV without its length and an MP4 not at all). Stop \
                 the recording, or save the replay buffer and review that"
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
