//! Windows-only parts of `console.rs`. Every call is checked against windows-sys 0.61.2's
//! source (feature Win32_System_Console; Win32_Foundation, for HANDLE, comes with it) and
//! Microsoft's documentation. Not compiled on Linux: keep each piece small and say what Windows
//! behaviour it relies on.

use windows_sys::Win32::Foundation::{HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Console::{
    ATTACH_PARENT_PROCESS, AttachConsole, CONSOLE_MODE, CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT,
    CTRL_SHUTDOWN_EVENT, ENABLE_VIRTUAL_TERMINAL_PROCESSING, GetConsoleMode, GetStdHandle,
    STD_ERROR_HANDLE, STD_HANDLE, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, SetConsoleCtrlHandler,
    SetConsoleMode, SetStdHandle,
};
use windows_sys::core::BOOL;

/// GetStdHandle answers NULL when the process has no such handle (a GUI program started from
/// Explorer) and INVALID_HANDLE_VALUE on failure.
fn usable(h: HANDLE) -> bool {
    !h.is_null() && h != INVALID_HANDLE_VALUE
}

/// Turn on ANSI escape processing for stderr's console (Windows 10 1511+; the old console shows
/// the codes raw until a program asks). A stderr that is a terminal but not a console (mintty,
/// MSYS2's pty pipe, which `IsTerminal` recognises) interprets ANSI itself.
pub fn enable_vt_on_stderr() -> bool {
    // SAFETY: GetStdHandle has no preconditions; Get/SetConsoleMode get that handle (checked
    // usable) and a pointer to a local that outlives the call.
    unsafe {
        let h = GetStdHandle(STD_ERROR_HANDLE);
        if !usable(h) {
            return false;
        }
        let mut mode: CONSOLE_MODE = 0;
        if GetConsoleMode(h, &mut mode) == 0 {
            return true;
        }
        mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0
            || SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0
    }
}

/// Attach to the parent's console (the terminal that ran `courtside listen`). AttachConsole
/// fails harmlessly when the parent has none (Explorer) or we already have one.
///
/// Why std's `println!`/`eprintln!` then print there: std does not cache the standard handles
/// on Windows; every write calls GetStdHandle again (library/std/src/sys/stdio/windows.rs,
/// "get them fresh for every read/write", rust-lang/rust#40490), and AttachConsole sets the
/// process's standard handles to the console. Before it, writes to a missing handle are
/// treated as successful by std (ERROR_INVALID_HANDLE), so nothing fails either way.
///
/// AttachConsole also replaces handles the parent redirected (`courtside export > out.json`,
/// a pipe): those are saved first and put back, so redirection keeps working.
pub fn attach_parent_console() {
    const IDS: [STD_HANDLE; 3] = [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE];
    // SAFETY: plain Win32 calls without pointers; the handles put back are the ones this
    // process was started with (inherited, still open).
    unsafe {
        let inherited = IDS.map(|id| GetStdHandle(id));
        if AttachConsole(ATTACH_PARENT_PROCESS) == 0 {
            return;
        }
        for (id, h) in IDS.into_iter().zip(inherited) {
            if usable(h) {
                SetStdHandle(id, h);
            }
        }
    }
}

/// Register [`on_console_event`] once. Windows calls handlers last-registered first, so this
/// must come after ctrlc's (see `wait_on_console_close`).
pub fn install_close_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: `on_console_event` has the PHANDLER_ROUTINE signature and lives for the
        // whole program; TRUE (1) adds it.
        if unsafe { SetConsoleCtrlHandler(Some(on_console_event), 1) } == 0 {
            tracing::warn!(
                "cannot watch the console window ({}): closing it may lose datagrams not yet \
                 stored; stop with Ctrl-C instead",
                std::io::Error::last_os_error()
            );
        }
    });
}

/// Runs on a thread Windows starts for the event. For a closing console Windows ends the
/// process as soon as a handler returns, or 5 s after the event whatever it does: so wait here
/// (up to `CLOSE_WAIT`) until `listen` has stored everything, then return TRUE. Ctrl-C and
/// Ctrl-Break return FALSE: the next handler (ctrlc's) stops `listen` as usual. LOGOFF and
/// SHUTDOWN reach a console handler only in processes that do not load user32.dll (Microsoft's
/// SetConsoleCtrlHandler remarks); courtside loads it, so for them this is best effort.
unsafe extern "system" fn on_console_event(ctrl: u32) -> BOOL {
    match ctrl {
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT => {
            super::run_close_wait();
            1
        }
        _ => 0,
    }
}
