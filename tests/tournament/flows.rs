//! Courts to hub: complete, in order, once — through server and process restarts.

use crate::server::NatsServer;
use crate::support::*;
use courtside::match_state::MatchState;
use courtside::tournament::{Auth, Link};

#[test]
fn three_courts_each_arrive_complete_in_order_once_and_rebuild_the_courts_match_state() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "t3", Auth::None);
    let match_ = example_datagrams();
    let courts: Vec<Court> = ["1", "2", "3"]
        .iter()
        .map(|n| Court::start(dir.path(), n, nats.clone(), rt.handle()))
        .collect();
    let hub = Hub::start(dir.path(), nats, rt.handle());
    for c in &courts {
        c.receive(&match_);
    }
    // `courtside replay` of the match: its datagrams from the `pre` that loaded it.
    let pre = match_.iter().position(|d| d.starts_with(b"pre;")).unwrap();
    let replay = MatchState::from_events(
        match_[pre..]
            .iter()
            .flat_map(|r| courtside::protocol::parse_datagram(r))
            .collect::<Vec<_>>()
            .iter(),
    );
    for c in &courts {
        hub.wait_for(&c.name, match_.len());
        assert_same_datagrams(c, &hub);
        wait_until(
            "the hub's view of the court",
            || hub.status().courts.get(&c.name).map(|v| &v.state) == Some(&replay),
            || format!("{:?}", hub.status().courts.keys()),
        );
        let view = hub.service.as_ref().unwrap().court(&c.name).unwrap();
        assert_eq!(view.state, replay, "hub view of court {}", c.name);
        let stored = hub.store.match_record(view.match_key).unwrap().unwrap();
        assert_eq!(stored.state, replay, "hub match record of court {}", c.name);
        assert_eq!(
            stored.state.winner,
            Some(courtside::protocol::Athlete::Blue)
        );
        let (_, court_key) = c.store.current_matches().unwrap()[0].clone();
        let on_court = c.store.match_record(court_key).unwrap().unwrap();
        assert_eq!(
            on_court.state, replay,
            "the court's own state of court {}",
            c.name
        );
        wait_until(
            "court queue empty",
            || c.status().queued == 0,
            || c.status().line(),
        );
        assert_eq!(c.status().link, Link::Connected);
    }
    let s = hub.status();
    assert_eq!(s.stored, 3 * match_.len() as u64);
    assert_eq!(s.duplicates, 0);
    // Dashboards read each court's live state from the KV bucket.
    let kv_state = |court: &str| -> Option<MatchState> {
        rt.block_on(async {
            let client = async_nats::connect(server.url()).await.ok()?;
            let js = async_nats::jetstream::new(client);
            let kv = js.get_key_value("courtside-t3").await.ok()?;
            let value = kv.get(court).await.ok()??;
            serde_json::from_slice(&value).ok()
        })
    };
    for c in &courts {
        wait_until(
            "the court's state in the KV bucket",
            || kv_state(&c.name).as_ref() == Some(&replay),
            || format!("{:?}", kv_state(&c.name).map(|s| s.counts)),
        );
    }
}

#[test]
fn a_server_outage_queues_on_the_court_and_then_delivers_everything_once_in_order() {
    let dir = temp_dir();
    let mut server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "outage", Auth::None);
    let match_ = example_datagrams();
    let (first, rest) = match_.split_at(20);
    let court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    let hub = Hub::start(dir.path(), nats, rt.handle());
    court.receive(first);
    hub.wait_for("1", first.len());

    server.kill();
    court.receive(rest);
    // The court says it is offline and how much waits.
    wait_until(
        "the court to report the outage with its queue",
        || {
            let s = court.status();
            matches!(s.link, Link::Offline { .. }) && s.queued == rest.len() as u64
        },
        || court.status().line(),
    );
    assert!(
        court
            .status()
            .line()
            .contains(&format!("{} queued", rest.len()))
    );
    let cursor = courtside::tournament::cursor::cursor(&court.store, "outage")
        .unwrap()
        .unwrap();
    assert_eq!(
        cursor,
        first.len() as u64,
        "the cursor did not move during the outage"
    );

    server.restart();
    hub.wait_for("1", match_.len());
    wait_until(
        "queue drained",
        || court.status().queued == 0,
        || court.status().line(),
    );
    assert_same_datagrams(&court, &hub);
    assert_eq!(hub.status().duplicates, 0);
}

#[test]
fn a_court_restarted_during_an_outage_resumes_from_its_cursor() {
    let dir = temp_dir();
    let mut server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "crestart", Auth::None);
    let match_ = example_datagrams();
    let (first, rest) = match_.split_at(15);
    let (mid, last) = rest.split_at(15);
    let mut court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    let hub = Hub::start(dir.path(), nats, rt.handle());
    court.receive(first);
    hub.wait_for("1", first.len());
    server.kill();
    court.receive(mid);
    // The court process goes away while offline, and comes back (same store).
    court.stop();
    court.resume(rt.handle());
    court.receive(last);
    wait_until(
        "the restarted court to know its queue",
        || court.status().queued == (mid.len() + last.len()) as u64,
        || court.status().line(),
    );
    server.restart();
    hub.wait_for("1", match_.len());
    assert_same_datagrams(&court, &hub);
}

#[test]
fn a_hub_restarted_during_traffic_resumes_without_gaps_or_repeats() {
    let dir = temp_dir();
    let server = NatsServer::start(dir.path());
    let rt = runtime();
    let nats = nats(&server.url(), "hrestart", Auth::None);
    let match_ = example_datagrams();
    let court = Court::start(dir.path(), "1", nats.clone(), rt.handle());
    let mut hub = Hub::start(dir.path(), nats, rt.handle());
    let (first, rest) = match_.split_at(25);
    court.receive(first);
    hub.wait_for("1", 5);
    hub.stop();
    court.receive(rest);
    hub.resume(rt.handle());
    hub.wait_for("1", match_.len());
    wait_until(
        "court drained",
        || court.status().queued == 0,
        || court.status().line(),
    );
    assert_same_datagrams(&court, &hub);
    // The restarted hub's view is the stored match plus what came after. The view follows the
    // writer's durable records on its own thread, a moment after the commit the store count
    // above saw: wait for it to catch up, then compare whole states.
    let hub_service = hub.service.as_ref().unwrap();
    let view = || hub_service.court("1").unwrap();
    let stored = hub.store.match_record(view().match_key).unwrap().unwrap();
    wait_until(
        "the hub's view to reach the stored match",
        || view().state == stored.state,
        || format!("{} datagrams in the view", view().datagrams),
    );
    assert_eq!(view().state, stored.state);
}
