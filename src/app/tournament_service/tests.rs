//! The refusal notice: once per refusal, not once per retry.

use super::TournamentAppService;
use crate::app::services::{DataService, Shared};
use crate::model::AppState;
use crate::tournament::{CourtStatus, Link};
use std::sync::Arc;

fn status(link: Link) -> CourtStatus {
    CourtStatus {
        link,
        ..CourtStatus::default()
    }
}

fn refused() -> CourtStatus {
    status(Link::WrongCredentials {
        cause: "nats://127.0.0.1:4222: authorization violation".into(),
        advice: "check the user/password".into(),
    })
}

#[test]
fn refused_credentials_are_told_once_per_refusal_not_per_retry() {
    let mut state = AppState::default();
    let mut jobs = crate::jobs::Jobs::new(Arc::new(|| {}));
    let data = DataService::default();
    let ctx = egui::Context::default();
    let mut service = TournamentAppService::default();
    let mut app = Shared {
        state: &mut state,
        jobs: &mut jobs,
        data: &data,
        ctx: &ctx,
    };
    let told = |app: &Shared<'_>| -> Vec<u64> {
        let title = "Tournament server refused the credentials";
        let items = &app.state.notices.items;
        items
            .iter()
            .filter(|n| n.title == title)
            .map(|n| n.id)
            .collect()
    };
    service.follow(&refused(), &mut app);
    let first = told(&app);
    assert_eq!(first.len(), 1);
    // Retries report the same refusal: the notice is not raised again (same id).
    service.follow(&status(Link::Connecting), &mut app);
    service.follow(&refused(), &mut app);
    service.follow(&refused(), &mut app);
    assert_eq!(told(&app), first);
    // Connected, then refused again (the server's accounts changed): told again.
    service.follow(&status(Link::Connected), &mut app);
    service.follow(&refused(), &mut app);
    let again = told(&app);
    assert_eq!(again.len(), 1);
    assert_ne!(again, first);
}
