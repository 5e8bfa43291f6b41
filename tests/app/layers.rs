//! The shell's layers (README "Architecture"): `scripts/check-layers.sh` passes on the sources,
//! and fails, naming the line, on each kind of import it forbids.

use std::path::{Path, PathBuf};
use std::process::Command;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-layers.sh")
}

/// Run the check on `root`; (exit code, stderr).
fn check(root: &Path) -> (i32, String) {
    let out = Command::new("bash")
        .arg(script())
        .arg(root)
        .output()
        .expect("bash runs the layer check");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A source tree with one file.
fn tree(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    std::fs::write(&path, text).expect("file");
    dir
}

#[test]
fn the_sources_keep_their_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (code, err) = check(&src);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn ui_importing_app_fails_the_check_and_names_the_line() {
    let dir = tree(
        "ui/panel.rs",
        "use crate::{model::AppState, app::CourtsideApp};\n",
    );
    let (code, err) = check(dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ui/panel.rs:1:"), "{err}");
}

#[test]
fn model_importing_ui_or_app_fails_the_check() {
    for text in [
        "    let id = crate::ui::scoreboard::viewport_id();\n",
        "use crate::app::CourtsideApp;\n",
    ] {
        let dir = tree("model/state.rs", text);
        let (code, err) = check(dir.path());
        assert_eq!(code, 1, "{text}: {err}");
        assert!(err.contains("src/model must not import"), "{err}");
    }
}

#[test]
fn the_cli_importing_app_settings_fails_the_check() {
    let dir = tree(
        "cli/listen.rs",
        "let s = crate::app::settings::AppSettings::default();\n",
    );
    let (code, err) = check(dir.path());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cli must not import crate::app"), "{err}");
}

#[test]
fn a_comment_naming_app_is_not_an_import() {
    let dir = tree("model/notes.rs", "//! Run by `crate::app::commands`.\n");
    let (code, err) = check(dir.path());
    assert_eq!(code, 0, "{err}");
}
