//! The whole app driving a real OBS: what the app-level OBS tests share (a store with the OBS
//! connection saved, stepping the app until a condition holds, the PSS's datagrams, the "done"
//! notices).

use crate::obs_process::ObsProcess;
use crate::obs_ui::connection;
use crate::wait::step_until_with;
use courtside::app::CourtsideApp;
use courtside::model::state::Level;
use courtside::obs::store as obs_store;
use courtside::store::Writer;
use egui_kittest::Harness;
use std::net::{Ipv4Addr, UdpSocket};
use std::path::Path;
use std::time::Duration;

/// Longest wait for the app to reach a state (OBS under Xvfb on 2 cores).
pub const APP_DEADLINE: Duration = Duration::from_secs(40);

/// Save the connection to `obs` ("court OBS") through `writer`, waiting for the store.
pub fn save_obs_connection(writer: &Writer, obs: &ObsProcess) {
    let (ack, acked) = crossbeam_channel::bounded(1);
    let conn = connection("court OBS", obs.port, &obs.password);
    (writer.sender())
        .send(obs_store::save_connection(conn, Some(ack)))
        .expect("queue");
    acked.recv().expect("ack").expect("connection stored");
}

/// A store with one loopback listener on `udp_port` and one OBS connection, as an operator
/// would have saved.
pub fn configure(db: &Path, udp_port: u16, obs: &ObsProcess) {
    crate::app_support::configure_with(db, udp_port, |w| save_obs_connection(w, obs));
}

/// Step the app until `done` holds; between frames it blocks until the app is asked for a
/// repaint or a frame wait passes; fails after [`APP_DEADLINE`] naming `what` and the notices.
pub fn step_until(
    h: &mut Harness<'_, CourtsideApp>,
    what: &str,
    done: impl Fn(&CourtsideApp) -> bool,
) {
    step_until_with(h, APP_DEADLINE, what, done, |a| {
        let notices: Vec<String> = (a.state.notices.items.iter())
            .map(|n| format!("{}: {}", n.title, n.cause))
            .collect();
        format!("notices: {notices:?}")
    });
}

/// The cause of the "<what> — done" notice, once there is one.
pub fn notice_done(a: &CourtsideApp, what: &str) -> Option<String> {
    (a.state.notices.items.iter())
        .find(|n| n.level == Level::Info && n.title.contains(&format!("{what} — done")))
        .map(|n| n.cause.clone())
}

/// Send `lines` as datagrams to the app's listener, as the scoring system would.
pub fn send(udp_port: u16, lines: &[&str]) {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("udp");
    for l in lines {
        s.send_to(l.as_bytes(), (Ipv4Addr::LOCALHOST, udp_port))
            .expect("send");
    }
}
