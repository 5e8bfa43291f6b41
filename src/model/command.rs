//! [`Command`]: every intent of the UI (panels, shortcuts, tests), one type. Panels push commands
//! onto `AppState::commands` while they draw; the app takes them at the end of the frame and
//! runs each in one place (`app::commands`), handing subsystem commands to their service.

use super::obs::ObsCommand;
use super::review::ReviewCommand;
use super::settings::AppSettings;
use super::support::SupportCommand;
use super::web::WebCommand;
use crate::flags::FlagsCommand;

/// What the UI asks for, run at the end of the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Show another match in the event table (`None` = follow the current match).
    SelectMatch(Option<u64>),
    /// Fetch these records (the rows on screen that are not cached) into the cache.
    FetchRecords(Vec<u64>),
    /// The table's text filter changed.
    SearchText(String),
    /// Reload the match list.
    LoadMatches,
    /// Open or close the scoreboard window.
    ToggleScoreboard,
    /// Scoreboard fullscreen on/off.
    ScoreboardFullscreen(bool),
    /// Open the scoreboard window at its default size inside the main window (a window lost
    /// off-screen, on a projector that is gone).
    ResetScoreboardPlace,
    /// Put text on the clipboard.
    Copy(String),
    /// Release the source lock of the listener at this index.
    UnlockListener(usize),
    /// Settings: save, history, store location.
    Settings(SettingsCommand),
    /// OBS control, connections, rules.
    Obs(ObsCommand),
    /// System & support: logs, data jobs, advanced mode, licence.
    Support(SupportCommand),
    /// Flags manager: imports, mapping, exports.
    Flags(FlagsCommand),
    /// Video review: cue a moment, playback controls, on air / back to live.
    Review(ReviewCommand),
    /// Settings → Web: the control token.
    Web(WebCommand),
    /// Tournament settings: choose a file with a dialog (the `.creds` or CA file).
    PickTournamentFile(super::tournament::TournamentFile),
    /// The hub's Tournament window: choose a court, export the results.
    Hub(super::hub::HubCommand),
}

/// What the settings window asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingsCommand {
    /// Validate, store and apply settings.
    Save(Box<AppSettings>),
    /// Reload the settings history.
    LoadHistory,
    /// Ask for a store location with a file dialog.
    PickStorePath,
}

impl From<ObsCommand> for Command {
    fn from(c: ObsCommand) -> Command {
        Command::Obs(c)
    }
}

impl From<SupportCommand> for Command {
    fn from(c: SupportCommand) -> Command {
        Command::Support(c)
    }
}

impl From<FlagsCommand> for Command {
    fn from(c: FlagsCommand) -> Command {
        Command::Flags(c)
    }
}

impl From<SettingsCommand> for Command {
    fn from(c: SettingsCommand) -> Command {
        Command::Settings(c)
    }
}

impl From<ReviewCommand> for Command {
    fn from(c: ReviewCommand) -> Command {
        Command::Review(c)
    }
}

impl From<super::hub::HubCommand> for Command {
    fn from(c: super::hub::HubCommand) -> Command {
        Command::Hub(c)
    }
}
