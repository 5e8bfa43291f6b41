//! The terminal around the command line: attaching to the parent console on Windows, colour on
//! stderr, and a closing console window on Windows.
//!
//! On Windows the executable is a GUI-subsystem program (`windows_subsystem = "windows"` in
//! `main.rs`): double-clicked, it opens no console window beside the GUI, which the operator
//! could close and kill the app without a shutdown. A subcommand run in a terminal attaches to
//! that terminal's console ([`attach_parent_console`]) so it still prints there.

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

/// Whether to write ANSI colour codes to stderr: only to a terminal (never into a file or a
/// pipe), not when `NO_COLOR` is set to something (<https://no-color.org>), and only where the
/// terminal interprets them (`vt_ok`: on Windows the console's virtual-terminal processing
/// could be turned on; Windows 10's console shows the codes raw otherwise).
pub fn colour_wanted(stderr_is_terminal: bool, no_color: Option<&str>, vt_ok: bool) -> bool {
    stderr_is_terminal && no_color.is_none_or(str::is_empty) && vt_ok
}

/// [`colour_wanted`] for this process's stderr (turns on virtual-terminal processing on Windows).
pub fn stderr_colour() -> bool {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let no_color = std::env::var("NO_COLOR").ok();
    colour_wanted(
        terminal,
        no_color.as_deref(),
        terminal && platform::enable_vt_on_stderr(),
    )
}

/// Whether this run needs the terminal it was started from: every subcommand, and the GUI's
/// smoke test (it reports on stderr). The GUI itself does not: attached to a terminal, closing
/// that terminal would end the app without its shutdown.
pub fn needs_parent_console(subcommand: bool, smoke_test: bool) -> bool {
    subcommand || smoke_test
}

/// Attach to the console of the process that started this one (the terminal a subcommand is
/// typed in), so `courtside listen` / `export` print there although the executable is a GUI
/// program. Nothing to do outside Windows, or when started without a console (Explorer).
pub fn attach_parent_console() {
    platform::attach_parent_console();
}

/// Longest the close handler keeps a closing console waiting for the store. Windows ends the
/// process 5 s after CTRL_CLOSE_EVENT whatever the handler does; half a second is left for the
/// handler to return and the process to exit by itself.
pub const CLOSE_WAIT: Duration = Duration::from_millis(4500);

/// What a closing console (window closed, logoff, shutdown) does before Windows ends the
/// process: ask `listen` to stop, then wait until [`Finished`] says everything is stored.
pub struct CloseWait {
    stop: Sender<()>,
    done: Receiver<()>,
    limit: Duration,
}

impl CloseWait {
    /// Ask to stop and wait for the finished signal, at most the limit. True when finished.
    pub fn stop_and_wait(&self) -> bool {
        // Full: a stop is already asked for (Ctrl-C came first).
        let _ = self.stop.try_send(());
        // Disconnected (the `Finished` guard dropped) also means finished.
        !matches!(
            self.done.recv_timeout(self.limit),
            Err(crossbeam_channel::RecvTimeoutError::Timeout)
        )
    }
}

/// Held by `listen` while it runs; dropped once everything received is stored, which releases a
/// waiting close handler.
#[derive(Debug)]
pub struct Finished {
    _done: Sender<()>,
}

/// Build the pair: the handler's side and `listen`'s guard.
pub fn close_wait(stop: Sender<()>, limit: Duration) -> (CloseWait, Finished) {
    let (tx, rx) = crossbeam_channel::bounded(1);
    (
        CloseWait {
            stop,
            done: rx,
            limit,
        },
        Finished { _done: tx },
    )
}

/// The handler's side while `listen` runs (read by the Windows console handler).
static CLOSING: Mutex<Option<CloseWait>> = Mutex::new(None);

/// Send `stop` on Ctrl-C, SIGTERM and SIGHUP (ctrlc), and on Windows when the console closes
/// (window closed, logoff, shutdown), then make the closing console wait until `listen` has
/// stored everything (at most [`CLOSE_WAIT`]): keep the returned guard alive until then.
///
/// Order matters on Windows: handlers run last-registered first, and ctrlc's returns at once for
/// every event, after which Windows ends the process; so ours is registered after ctrlc's.
pub fn stop_signals(stop: Sender<()>) -> anyhow::Result<Finished> {
    let (wait, finished) = close_wait(stop.clone(), CLOSE_WAIT);
    ctrlc::set_handler(move || {
        // Full: a stop is already asked for; closed: `listen` has ended.
        let _ = stop.try_send(());
    })
    .context("cannot install the Ctrl-C / SIGTERM handler")?;
    if let Ok(mut slot) = CLOSING.lock() {
        *slot = Some(wait);
    }
    platform::install_close_handler();
    Ok(finished)
}

/// Run by the console handler: stop and wait, if `listen` is running. True when it finished.
pub fn run_close_wait() -> bool {
    match CLOSING.lock() {
        Ok(slot) => slot.as_ref().is_none_or(CloseWait::stop_and_wait),
        Err(_) => false,
    }
}

#[cfg(windows)]
#[path = "console_windows.rs"]
mod platform;

#[cfg(not(windows))]
mod platform {
    /// Terminals outside Windows interpret ANSI codes.
    pub fn enable_vt_on_stderr() -> bool {
        true
    }

    /// A Unix program inherits its terminal; nothing to attach.
    pub fn attach_parent_console() {}

    /// SIGHUP (terminal closed) is handled by ctrlc.
    pub fn install_close_handler() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn colour_only_for_a_terminal_that_shows_it_and_without_no_color() {
        assert!(colour_wanted(true, None, true));
        assert!(
            colour_wanted(true, Some(""), true),
            "empty NO_COLOR is unset"
        );
        assert!(!colour_wanted(false, None, true), "file or pipe");
        assert!(!colour_wanted(true, Some("1"), true), "NO_COLOR set");
        assert!(!colour_wanted(true, None, false), "console shows codes raw");
    }

    #[test]
    fn subcommands_and_the_smoke_test_print_to_their_terminal_the_gui_does_not() {
        assert!(needs_parent_console(true, false));
        assert!(needs_parent_console(false, true));
        assert!(!needs_parent_console(false, false));
    }

    #[test]
    fn closing_console_asks_listen_to_stop_and_returns_once_it_finished() {
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(1);
        let (wait, finished) = close_wait(stop_tx, Duration::from_secs(30));
        let listen = std::thread::Builder::new()
            .name("test-listen".into())
            .spawn(move || {
                // `listen`: waits for its stop signal, stores, drops its guard.
                stop_rx.recv().expect("stop asked");
                drop(finished);
            })
            .expect("spawn listen thread");
        let started = Instant::now();
        assert!(wait.stop_and_wait(), "finished in time");
        assert!(started.elapsed() < Duration::from_secs(30));
        listen.join().expect("listen thread");
    }

    #[test]
    fn closing_console_gives_up_after_its_limit_when_listen_does_not_finish() {
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(1);
        let (wait, _finished) = close_wait(stop_tx, Duration::from_millis(50));
        assert!(
            !wait.stop_and_wait(),
            "not finished: the guard is still held"
        );
        assert_eq!(stop_rx.try_recv(), Ok(()), "the stop was asked for");
    }

    #[test]
    fn a_second_close_event_after_ctrl_c_does_not_block_on_the_full_stop_channel() {
        let (stop_tx, _stop_rx) = crossbeam_channel::bounded(1);
        stop_tx.try_send(()).expect("Ctrl-C's stop");
        let (wait, finished) = close_wait(stop_tx, Duration::from_secs(30));
        drop(finished);
        assert!(wait.stop_and_wait());
    }
}
