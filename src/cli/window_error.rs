//! "The window could not open": what the operator reads when the GUI cannot start, with the
//! cause and what to do. courtside draws with OpenGL (glow) only; Remote Desktop sessions,
//! virtual machines, Windows' "Microsoft Basic Display Adapter" (no vendor driver installed) and
//! Windows on ARM without the OpenGL compatibility pack offer no usable OpenGL 2.0, and then
//! the window cannot open. Text here, shown by `main` (message box and stderr).

/// The platforms whose advice differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Windows.
    Windows,
    /// macOS.
    MacOs,
    /// Linux and the other Unixes.
    Linux,
}

impl Os {
    /// The platform this was built for.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// A message box's title and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowFailure {
    /// Title line.
    pub title: String,
    /// Body: cause, what to do, the technical error last.
    pub text: String,
}

/// Whether eframe's error is about OpenGL (no driver, no GL 2.0, no pixel format) rather than
/// the window system itself. Matches eframe 0.37's messages: "glutin error: …", "Found no
/// glutin configs matching …", "egui_glow: OpenGL: …".
pub fn is_graphics_error(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    [
        "glutin",
        "egui_glow",
        "opengl",
        "wgl",
        "egl",
        "glx",
        "pixel format",
    ]
    .iter()
    .any(|k| e.contains(k))
}

/// The message for eframe's `error` text on `os`.
pub fn window_failure(error: &str, os: Os) -> WindowFailure {
    let title = "courtside: the window could not open".to_string();
    let headless = "Scoring data is not lost meanwhile: `courtside listen` (in a terminal) \
                    receives and stores every datagram without a window; the app shows them \
                    once it opens.";
    let text = if is_graphics_error(error) {
        let driver = match os {
            Os::Windows => {
                "- Install the graphics driver from the laptop maker, Intel, AMD or NVIDIA \
                 (Device Manager showing \"Microsoft Basic Display Adapter\" means none is \
                 installed). On Windows on ARM, install the \"OpenCL and OpenGL \
                 Compatibility Pack\" from the Microsoft Store.\n\
                 - Start courtside at the laptop itself, not over Remote Desktop (a Remote \
                 Desktop session has no OpenGL driver); remote tools that show the real \
                 screen (e.g. VNC) work.\n\
                 - In a virtual machine, turn on 3D acceleration."
            }
            Os::MacOs => {
                "- Update macOS (its OpenGL driver comes with it) and start courtside at the \
                 Mac itself, not in a remote or virtual session."
            }
            Os::Linux => {
                "- Install the Mesa OpenGL driver (e.g. `libgl1-mesa-dri`), or try \
                 `LIBGL_ALWAYS_SOFTWARE=1 courtside` for software rendering.\n\
                 - Over SSH or in a virtual machine, use a session with a real display."
            }
        };
        format!(
            "courtside draws with OpenGL 2.0 or newer, and this computer's graphics driver \
             does not offer it here (typical: Remote Desktop, a virtual machine, no graphics \
             driver installed).\n\nWhat to do:\n{driver}\n\n{headless}\n\nDetails: {error}"
        )
    } else {
        format!(
            "The window system refused to open a window.\n\nWhat to do: start courtside \
             again; if this repeats, restart the computer and send the log folder to \
             support.\n\n{headless}\n\nDetails: {error}"
        )
    };
    WindowFailure { title, text }
}

/// Whether to show a message box besides printing to stderr: not in a smoke test (nobody there
/// to click it; it would hang CI), and only where stderr is not a terminal. A terminal shows the
/// printed text; without one (started from a desktop icon, Explorer) nobody would see it.
pub fn show_dialog(stderr_is_terminal: bool, smoke_test: bool) -> bool {
    !smoke_test && !stderr_is_terminal
}

/// Tell the operator: on stderr always, and in a native message box (rfd: MessageBoxW on
/// Windows, NSAlert on macOS, zenity/portal on Linux) when [`show_dialog`] says so.
pub fn report_window_failure(error: &str, smoke_test: bool) {
    use std::io::IsTerminal;
    let m = window_failure(error, Os::current());
    eprintln!("{}\n\n{}", m.title, m.text);
    if show_dialog(std::io::stderr().is_terminal(), smoke_test) {
        // The one button pressed changes nothing: the message is on stderr too.
        let _ = rfd::MessageDialog::new()
            .set_level(rfd::MessageLevel::Error)
            .set_title(&m.title)
            .set_description(&m.text)
            .set_buttons(rfd::MessageButtons::Ok)
            .show();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_GL: &str = "egui_glow: OpenGL: egui_glow requires opengl 2.0+. ";
    const NO_CONFIG: &str = "Found no glutin configs matching the template: \
                             ConfigTemplate { .. }. Error: Error { raw_code: None }";

    #[test]
    fn remote_desktop_without_opengl_says_cause_driver_local_session_and_listen() {
        for error in [
            NO_GL,
            NO_CONFIG,
            "glutin error: WGL: pixel format not found",
        ] {
            let m = window_failure(error, Os::Windows);
            assert!(m.title.contains("could not open"));
            assert!(m.text.contains("OpenGL 2.0"), "{}", m.text);
            assert!(m.text.contains("graphics driver"));
            assert!(m.text.contains("Microsoft Basic Display Adapter"));
            assert!(m.text.contains("Remote Desktop"));
            assert!(m.text.contains("courtside listen"));
            assert!(m.text.ends_with(&format!("Details: {error}")), "error kept");
        }
    }

    #[test]
    fn each_platform_gets_its_own_driver_advice() {
        let linux = window_failure(NO_GL, Os::Linux).text;
        assert!(linux.contains("LIBGL_ALWAYS_SOFTWARE=1"));
        assert!(!linux.contains("Microsoft Store"));
        let mac = window_failure(NO_GL, Os::MacOs).text;
        assert!(mac.contains("Update macOS"));
        assert!(!mac.contains("Remote Desktop (a Remote"));
    }

    #[test]
    fn a_window_system_error_is_not_blamed_on_the_graphics_driver() {
        let error = "winit EventLoopError: os error at …: failed to open display";
        assert!(!is_graphics_error(error));
        let m = window_failure(error, Os::Windows);
        assert!(!m.text.contains("graphics driver"));
        assert!(m.text.contains("courtside listen"));
        assert!(m.text.contains(error));
    }

    #[test]
    fn dialog_only_without_a_terminal_and_never_in_a_smoke_test() {
        assert!(show_dialog(false, false), "started from a desktop icon");
        assert!(!show_dialog(true, false), "the terminal shows the text");
        assert!(!show_dialog(false, true), "CI smoke test must not hang");
    }
}
