//! The file dialogs of Settings → Tournament (the `.creds` and CA files), run as jobs of the app's
//! registry like the store-location dialog: the native dialog blocks its own thread, never the UI.

use super::TournamentAppService;
use crate::app::jobs_glue::{JobKind, JobOutput};
use crate::app::services::Shared;
use crate::model::state::Level;
use crate::model::tournament::TournamentFile;

impl TournamentAppService {
    /// Ask for a file with the app's file dialog job (the dialog blocks its own thread).
    pub(in crate::app) fn pick_file(&self, which: TournamentFile, app: &mut Shared<'_>) {
        app.jobs.spawn(
            "tournament file dialog",
            JobKind::TournamentFile(which),
            move |_| {
                let dialog = rfd::FileDialog::new();
                let picked = match which {
                    TournamentFile::Creds => dialog
                        .set_title("NATS credentials (.creds)")
                        .add_filter("NATS credentials", &["creds"])
                        .pick_file(),
                    TournamentFile::Ca => dialog
                        .set_title("CA certificate (PEM)")
                        .add_filter("PEM certificate", &["pem", "crt", "cer"])
                        .pick_file(),
                };
                Ok(JobOutput::Path(picked))
            },
        );
    }

    /// The file dialog answered: fill the field.
    pub(in crate::app) fn file_picked(
        which: TournamentFile,
        outcome: Result<JobOutput, String>,
        app: &mut Shared<'_>,
    ) {
        match outcome {
            Ok(JobOutput::Path(Some(path))) => {
                let field = match which {
                    TournamentFile::Creds => &mut app.state.draft.tournament.creds_file,
                    TournamentFile::Ca => &mut app.state.draft.tournament.ca_file,
                };
                *field = path.display().to_string();
            }
            Ok(_) => {}
            Err(e) => app.state.notices.push(
                Level::Error,
                "File dialog could not open",
                &e,
                "Type the path into the field instead.",
            ),
        }
    }
}
