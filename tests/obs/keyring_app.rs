//! The whole app on a headless Linux without a Secret Service (this machine, CI): a connection
//! entered in the OBS window is saved with its password kept in the store, the Connections tab
//! says so, and the app connects to an OBS that checks the password — also after a restart from
//! the store. Where a Secret Service does answer, the same steps end with the password in it.

use crate::app_obs::step_until;
use crate::app_support::{app, configure, free_port};
use crate::fake_obs::FakeObs;
use crate::obs_ui::runtime;
use courtside::app::CourtsideApp;
use courtside::model::obs::ObsTab;
use courtside::obs::store::load_connections;
use courtside::obs::{PasswordPlace, secrets};
use courtside::store::Store;
use egui_kittest::kittest::Queryable;

const PASSWORD: &str = "obs-fallback-pw-91c2";
const KEPT: &str = "password kept in the store: no system keyring reachable";

fn connected(a: &CourtsideApp) -> bool {
    a.state
        .obs
        .statuses
        .first()
        .is_some_and(|s| s.link.is_connected())
}

#[test]
fn a_connection_saved_without_a_keyring_keeps_its_password_in_the_store_and_connects() {
    let keyring_answers = secrets::probe(&secrets::SystemKeyring).is_ok();
    let rt = runtime();
    let obs = FakeObs::start(&rt, PASSWORD);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("court.redb");
    configure(&db, free_port());
    let mut h = app(db.clone());
    h.state_mut().state.prefs.scoreboard_open = false;
    h.state_mut().state.prefs.show_obs = true;
    h.state_mut().state.obs.tab = ObsTab::Connections;
    h.run_steps(2);
    h.get_by_label("Add connection…").click();
    h.run_steps(2);
    let d = h.state_mut().state.obs.editing.as_mut().expect("the form");
    d.port = obs.port.to_string();
    d.password = PASSWORD.into();
    h.run_steps(2);
    h.get_by_label("Save").click();
    step_until(&mut h, "connected with the saved password", connected);
    h.run_steps(2);
    if keyring_answers {
        h.get_by_label("system keyring");
    } else {
        h.get_by_label(KEPT);
    }
    assert!(h.query_by_label_contains(PASSWORD).is_none());
    assert!(obs.accepted() >= 1);
    assert_eq!(obs.refused(), 0);
    h.state_mut().flush_store();
    drop(h);

    let store = Store::open_existing(&db).expect("reopen");
    let stored = load_connections(&store).expect("load");
    let place = if keyring_answers {
        PasswordPlace::Keyring
    } else {
        PasswordPlace::Store
    };
    assert_eq!(stored[0].password_place(), place);
    drop(store);

    // After a restart the app connects from what it stored.
    let before = obs.accepted();
    let mut h = app(db);
    h.state_mut().state.prefs.scoreboard_open = false;
    step_until(&mut h, "connected again after a restart", connected);
    assert!(obs.accepted() > before);
    assert_eq!(obs.refused(), 0);
}
