//! The store location through the whole app: a path pasted with Explorer's quotes is cleaned, a
//! relative one is refused beside the field, and one whose folder does not exist is refused by
//! the save itself — an error in the settings panel, nothing stored, never "Saved".

use super::whole_app::{app, configure, free_port, step_until, unlock_advanced, wait_listening};
use courtside::model::{Command, SettingsCommand};
use courtside::store::Store;

#[test]
fn a_store_location_that_cannot_be_used_is_a_settings_error_not_a_silent_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.redb");
    let port = free_port();
    configure(&db, port);
    let mut h = app(db.clone());
    h.state_mut().state.prefs.scoreboard_open = false;
    wait_listening(&mut h);
    unlock_advanced(&mut h);

    // Relative: refused beside the field, nothing sent to the store.
    h.state_mut().state.draft.store_path = "courtside.redb".into();
    assert!(h.state_mut().state.draft.to_settings().is_none());
    let e = h.state().state.draft.store_path_error.clone();
    assert!(
        e.as_deref().is_some_and(|e| e.contains("not a full path")),
        "{e:?}"
    );

    // Pasted with quotes and a line break, in a folder that does not exist (a drive that is not
    // connected): cleaned, then refused by the save.
    let gone = dir.path().join("E-drive").join("venue.redb");
    h.state_mut().state.draft.store_path = format!("\"{}\"\r\n", gone.display());
    let new = h
        .state_mut()
        .state
        .draft
        .to_settings()
        .expect("the text is fine");
    assert_eq!(new.store_path, Some(gone.display().to_string()));
    assert_eq!(h.state().state.draft.store_path, gone.display().to_string());
    h.state_mut()
        .state
        .commands
        .push(Command::Settings(SettingsCommand::Save(Box::new(new))));
    step_until(&mut h, "the save answered", |a| {
        !a.state.draft.saving && (a.state.draft.error.is_some() || a.state.draft.status.is_some())
    });
    let error = h.state().state.draft.error.clone();
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.starts_with("not saved") && e.contains("does not exist")),
        "{error:?}"
    );
    assert_eq!(h.state().state.settings.store_path, None, "not applied");
    h.state_mut().flush_store();
    drop(h);
    let store = Store::open_existing(&db).expect("reopen");
    let stored = store.setting("store_path").expect("read");
    assert!(
        stored.as_deref().is_none_or(|v| !v.contains("E-drive")),
        "not stored: {stored:?}"
    );
}
