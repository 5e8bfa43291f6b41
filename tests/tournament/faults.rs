//! What goes wrong on the way: refused credentials, no server, no JetStream, a refusing stream,
//! re-published datagrams. Scoring (the court's store) never depends on any of it.

use crate::server::{NatsServer, Options};
use crate::support::*;
use courtside::tournament::wire::{CourtDatagram, MSG_ID_HEADER};
use courtside::tournament::{Auth, Link};

/// A test-only password, never printed by the code under test.
const PASSWORD: &str = "right-horse-battery";

#[test]
fn wrong_credentials_are_reported_with_advice_and_without_the_secret() {
    let dir = temp_dir();
    let server = NatsServer::start_with(
        dir.path(),
        Options {
            user_password: Some(("court".into(), PASSWORD.into())),
            ..Options::default()
        },
    );
    let rt = runtime();
    let wrong = "not-the-password";
    let auth = Auth::UserPassword {
        user: "court".into(),
        password: wrong.into(),
    };
    let court = Court::start(
        dir.path(),
        "1",
        nats(&server.url(), "auth", auth),
        rt.handle(),
    );
    court.receive(&example_datagrams()[..10]);
    wait_until(
        "wrong credentials reported with the queue",
        || {
            let s = court.status();
            matches!(s.link, Link::WrongCredentials { .. }) && s.queued == 10
        },
        || court.status().line(),
    );
    let line = court.status().line();
    assert!(
        line.starts_with("tournament: wrong credentials — 10 queued"),
        "{line}"
    );
    assert!(line.contains("check the user/password"), "{line}");
    assert!(!line.contains(wrong) && !line.contains(PASSWORD));
    assert!(!format!("{:?}", court.status()).contains(wrong));
    // Scoring is unaffected: every datagram is in the court's store.
    assert_eq!(court.store.stats().unwrap().events, 10);
}

#[test]
fn the_right_password_connects_and_publishes() {
    let dir = temp_dir();
    let server = NatsServer::start_with(
        dir.path(),
        Options {
            user_password: Some(("court".into(), PASSWORD.into())),
            ..Options::default()
        },
    );
    let rt = runtime();
    let auth = Auth::UserPassword {
        user: "court".into(),
        password: PASSWORD.into(),
    };
    let nats = nats(&server.url(), "authok", auth);
    let court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    let hub = Hub::start(dir.path(), nats, rt.handle());
    court.receive(&example_datagrams()[..10]);
    hub.wait_for("1", 10);
    assert_same_datagrams(&court, &hub);
}

#[test]
fn an_unreachable_server_at_start_is_reported_offline_and_the_court_queues() {
    let dir = temp_dir();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let rt = runtime();
    let url = format!("nats://127.0.0.1:{port}");
    let court = Court::start(dir.path(), "1", nats(&url, "down", Auth::None), rt.handle());
    court.receive(&example_datagrams()[..7]);
    wait_until(
        "offline with 7 queued",
        || matches!(court.status().link, Link::Offline { .. }) && court.status().queued == 7,
        || court.status().line(),
    );
    let line = court.status().line();
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(line.contains("datagrams are kept"), "{line}");
    assert_eq!(court.store.stats().unwrap().events, 7);
}

#[test]
fn a_server_without_jetstream_is_named_as_such() {
    let dir = temp_dir();
    let server = NatsServer::start_with(
        dir.path(),
        Options {
            no_jetstream: true,
            ..Options::default()
        },
    );
    let rt = runtime();
    let court = Court::start(
        dir.path(),
        "1",
        nats(&server.url(), "nojs", Auth::None),
        rt.handle(),
    );
    court.receive(&example_datagrams()[..3]);
    wait_until(
        "no JetStream reported",
        || matches!(court.status().link, Link::NoJetStream { .. }),
        || court.status().line(),
    );
    assert!(
        court.status().line().contains("-js"),
        "{}",
        court.status().line()
    );
    assert_eq!(court.store.stats().unwrap().events, 3);
}

#[test]
fn a_misconfigured_court_says_which_setting_and_runs_nothing() {
    let dir = temp_dir();
    let rt = runtime();
    let court = Court::start(
        dir.path(),
        "court 1",
        nats("nats://127.0.0.1:4222", "t", Auth::None),
        rt.handle(),
    );
    match court.status().link {
        Link::Misconfigured { cause } => {
            assert!(cause.starts_with("court name \"court 1\""), "{cause}")
        }
        other => panic!("expected a refused setting, got {other:?}"),
    }
}

#[test]
fn the_cursor_moves_only_over_acknowledged_datagrams() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "limit", Auth::None);
    // A stream that takes 5 messages and refuses more (as a full disk or a quota would).
    rt.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut config = courtside::tournament::stream_config(&nats);
        config.max_messages = 5;
        js.create_stream(config).await.unwrap();
    });
    let court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    court.receive(&example_datagrams()[..12]);
    // All 12 stored (the listener and writer may still be storing when the refusal comes):
    // 5 acknowledged, 7 queued.
    wait_until(
        "the refusal reported with all 12 stored",
        || {
            let s = court.status();
            matches!(s.link, Link::NoJetStream { .. }) && s.queued == 7
        },
        || court.status().line(),
    );
    let cursor = courtside::tournament::cursor::cursor(&court.store, "limit")
        .unwrap()
        .unwrap();
    assert_eq!(cursor, 5, "cursor at the last acknowledged datagram");
    assert_eq!(court.status().queued, 7);
    assert_eq!(court.status().published, 5);
}

#[test]
fn the_hub_drops_a_republished_datagram_the_server_window_let_through() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "dedupe", Auth::None);
    let court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    let hub = Hub::start(dir.path(), nats.clone(), rt.handle());
    let match_ = example_datagrams();
    court.receive(&match_[..10]);
    hub.wait_for("1", 10);
    // Datagram 4 again under another message id: the server stores it, the hub must not.
    let rec = court.store.event(4).unwrap().unwrap();
    let id = courtside::tournament::cursor::store_id(&court.store)
        .unwrap()
        .unwrap();
    let d = CourtDatagram::of(&id, "1", &rec);
    rt.block_on(async {
        let client = async_nats::connect(server.url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(MSG_ID_HEADER, "replayed-after-the-window");
        js.publish_with_headers(
            nats.datagram_subject("1"),
            headers,
            d.to_bytes().unwrap().into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    });
    court.receive(&match_[10..12]);
    hub.wait_for("1", 12);
    wait_until(
        "the duplicate counted",
        || hub.status().duplicates == 1,
        || format!("{:?}", hub.status().duplicates),
    );
    assert_same_datagrams(&court, &hub);
}

#[test]
fn a_court_publishing_twice_the_same_ids_is_stored_once() {
    // The server's own de-duplication: a court that lost its cursor write (crash after the
    // acknowledgement) publishes again with the same ids.
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "again", Auth::None);
    let mut court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    let match_ = example_datagrams();
    court.receive(&match_[..8]);
    wait_until(
        "published",
        || court.status().queued == 0 && court.status().published == 8,
        || court.status().line(),
    );
    court.stop();
    // Move the cursor back as if its last write had been lost.
    let w = courtside::store::Writer::spawn(court.store.clone(), Default::default(), Vec::new())
        .unwrap();
    w.sender()
        .send(courtside::store::WriteRequest::Apply {
            what: "test: rewind cursor",
            op: Box::new(|txn| {
                txn.open_table(courtside::store::schema::TOURNAMENT)?
                    .insert("cursor/again", 3u64)?;
                Ok(())
            }),
            ack: None,
        })
        .unwrap();
    w.flush().unwrap();
    w.shutdown();
    court.resume(rt.handle());
    wait_until(
        "re-published",
        || court.status().duplicates == 5,
        || court.status().line(),
    );
    let hub = Hub::start(dir.path(), nats, rt.handle());
    hub.wait_for("1", 8);
    assert_same_datagrams(&court, &hub);
    assert_eq!(
        hub.status().duplicates,
        0,
        "the server dropped them already"
    );
}
