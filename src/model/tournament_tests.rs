//! Tests of `model::tournament`: every bad input refused beside its field, secrets never stored
//! nor shown, the status item.

use super::*;
use crate::model::settings::{AppSettings, keys};

fn draft() -> TournamentDraft {
    TournamentDraft {
        enabled: true,
        servers: "nats://10.0.0.5:4222, tls://10.0.0.6:4222".into(),
        tournament: "wtc2026".into(),
        court: "court-3".into(),
        ..TournamentDraft::default()
    }
}

#[test]
fn a_valid_draft_gives_the_settings_with_every_server() {
    let s = draft().to_settings().unwrap();
    assert_eq!(s.servers, ["nats://10.0.0.5:4222", "tls://10.0.0.6:4222"]);
    assert_eq!(
        (s.tournament.as_str(), s.court.as_str()),
        ("wtc2026", "court-3")
    );
}

#[test]
fn a_bad_tournament_id_is_refused_beside_its_field() {
    let mut d = draft();
    d.tournament = "world champs".into();
    assert!(d.to_settings().is_none());
    assert!(d.errors.tournament.unwrap().contains("no spaces or dots"));
    assert_eq!(d.errors.court, None);
}

#[test]
fn a_bad_court_name_is_refused_beside_its_field() {
    let mut d = draft();
    d.court = "court.3".into();
    assert!(d.to_settings().is_none());
    assert!(d.errors.court.is_some());
}

#[test]
fn a_bad_or_missing_server_url_is_refused_naming_it() {
    let mut d = draft();
    d.servers = "http://10.0.0.5:4222".into();
    assert!(d.to_settings().is_none());
    let e = d.errors.servers.clone().unwrap();
    assert!(
        e.contains("http://10.0.0.5:4222") && e.contains("nats://"),
        "{e}"
    );
    d.servers = "  ".into();
    assert!(d.to_settings().is_none());
    assert!(d.errors.servers.unwrap().contains("at least one"));
}

#[test]
fn a_creds_login_without_a_file_and_a_password_login_without_a_user_are_refused() {
    let mut d = draft();
    d.login = Login::CredsFile;
    assert!(d.to_settings().is_none());
    assert!(d.errors.creds_file.is_some());
    let mut d = draft();
    d.login = Login::UserPassword;
    assert!(d.to_settings().is_none());
    assert!(d.errors.user.is_some());
}

#[test]
fn a_disabled_half_filled_section_is_kept_as_typed() {
    let mut d = TournamentDraft {
        tournament: "not valid yet".into(),
        ..TournamentDraft::default()
    };
    let s = d.to_settings().unwrap();
    assert!(!s.enabled);
    assert_eq!(s.tournament, "not valid yet");
}

#[test]
fn a_typed_secret_is_neither_stored_nor_shown() {
    let mut d = draft();
    d.login = Login::Token;
    d.secret = "tok-9f8e7d".into();
    assert!(!format!("{d:?}").contains("tok-9f8e7d"));
    let app = AppSettings {
        tournament: d.to_settings().unwrap(),
        ..AppSettings::default()
    };
    let entries = app.to_entries();
    assert!(entries.iter().all(|(_, v)| !v.contains("tok-9f8e7d")));
    let stored: Vec<(String, String)> = entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let (back, warnings) = AppSettings::from_entries(&stored);
    assert!(warnings.is_empty());
    assert_eq!(back.tournament, app.tournament);
    assert!(stored.iter().any(|(k, _)| k == keys::TOURNAMENT));
}

#[test]
fn the_publisher_config_needs_the_secret_for_password_and_token_logins() {
    let mut s = draft().to_settings().unwrap();
    s.login = Login::Token;
    assert!(
        s.court_config(None)
            .unwrap_err()
            .contains("Settings → Tournament")
    );
    let c = s.court_config(Some(&Password::new("t0k"))).unwrap();
    assert_eq!(c.nats.auth, Auth::Token("t0k".into()));
    c.validate().unwrap();
}

#[test]
fn the_status_item_is_absent_when_off_and_names_the_queue_when_offline() {
    let mut v = TournamentView::default();
    assert!(v.status_item().is_none());
    v.status = Some(CourtStatus {
        link: Link::Offline {
            cause: "connection refused".into(),
            advice: "check the network".into(),
        },
        queued: 1234,
        ..CourtStatus::default()
    });
    let (text, tip) = v.status_item().unwrap();
    assert_eq!(text, "tournament: offline — 1 234 queued");
    assert!(tip.contains("connection refused") && tip.contains("check the network"));
}
