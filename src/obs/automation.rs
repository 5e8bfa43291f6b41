//! The automation entry point: every persisted PSS datagram goes through the rules, and what they
//! decide goes to the OBS worker as commands carrying the firing context (rule, event, receive
//! instant), so the worker can log result and latency.
//!
//! Give the automation its own subscriber channel of the store writer and run it on its own
//! thread ([`Automation::spawn`]): then a slow or hidden UI never delays a replay save.

use super::command::{FiringCause, FiringContext, ObsAction, ObsCommand, Origin, ReviewCall};
use super::hub::Repaint;
use super::rules::{Decision, MAX_REVIEW_SAVE_DELAY_MS, Rule, RuleEngine};
use crate::match_state::MatchState;
use crate::store::writer::Persisted;
use crate::store::{Store, StoreError};
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded, select};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// Counters for the status line.
#[derive(Debug, Default)]
pub struct AutomationStats {
    /// Actions handed to the OBS worker.
    pub actions_sent: AtomicU64,
    /// Actions lost because the OBS command channel was full.
    pub actions_dropped: AtomicU64,
    /// Persisted datagrams run through the rules (with the two above, tells a caller that
    /// automation has seen a datagram and what it decided for it).
    pub datagrams_seen: AtomicU64,
    /// Review actions handed to the review service (through the app).
    pub review_sent: AtomicU64,
    /// Review actions lost because the review channel was full.
    pub review_dropped: AtomicU64,
}

/// Where review actions go: a bounded channel the app's review service drains, and the wake-up
/// that makes it look (the UI thread runs it).
pub struct ReviewRoute {
    /// The channel.
    pub calls: Sender<ReviewCall>,
    /// Wakes the app after each call.
    pub wake: Repaint,
}

/// Rules + match state + engine; turns persisted datagrams into OBS commands.
pub struct Automation {
    engine: RuleEngine,
    rules: Vec<Rule>,
    paused: Arc<AtomicBool>,
    states: HashMap<String, MatchState>,
    commands: Sender<ObsCommand>,
    review: Option<ReviewRoute>,
    stats: Arc<AutomationStats>,
}

/// The current match state of every court, rebuilt from the store (so a restart mid-match keeps
/// conditions and file names right, and does not fire again for what already happened).
pub fn current_states(store: &Store) -> Result<HashMap<String, MatchState>, StoreError> {
    let mut out = HashMap::new();
    for (court, key) in store.current_matches()? {
        // The writer keeps each match's state in its record (committed with its events):
        // replaying is only the fallback, as it costs a pass over the whole match.
        let state = match store.match_record(key)? {
            Some(m) => m.state,
            None => store.rebuild_state(key)?,
        };
        out.insert(court, state);
    }
    Ok(out)
}

impl Automation {
    /// An automation sending to the OBS worker's `commands` channel.
    pub fn new(rules: Vec<Rule>, paused: bool, commands: Sender<ObsCommand>) -> Automation {
        Automation {
            engine: RuleEngine::new(),
            rules,
            paused: Arc::new(AtomicBool::new(paused)),
            states: HashMap::new(),
            commands,
            review: None,
            stats: Arc::new(AutomationStats::default()),
        }
    }

    /// Send review actions to `route` (without one they go to the OBS worker, which refuses
    /// them in the log: the review runs only in the app).
    pub fn with_review(mut self, route: ReviewRoute) -> Automation {
        self.review = Some(route);
        self
    }

    /// Start from the courts' current states (see [`current_states`]).
    pub fn with_states(mut self, states: HashMap<String, MatchState>) -> Automation {
        for (court, state) in &states {
            self.engine.prime(court, state);
        }
        self.states = states;
        self
    }

    /// Replace the rules.
    pub fn set_rules(&mut self, rules: Vec<Rule>) {
        self.rules = rules;
    }

    /// Pause or resume every rule (the master switch).
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }

    /// Whether automation is paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Counters.
    pub fn stats(&self) -> Arc<AutomationStats> {
        self.stats.clone()
    }

    /// Run one persisted datagram through the rules; returns the decisions sent to OBS.
    pub fn on_persisted(&mut self, p: &Persisted) -> Vec<Decision> {
        let rec = &p.record;
        let paused = self.is_paused();
        let state = self.states.entry(rec.court.clone()).or_default();
        let mut all = Vec::new();
        let mut firings = Vec::new();
        for event in &rec.events {
            state.apply(event);
            let now = Instant::now();
            let decisions =
                self.engine
                    .evaluate(&self.rules, paused, &rec.court, event, state, now);
            let review_saves = decisions.iter().any(|d| {
                d.action == ObsAction::ReviewSaveAndCue
                    && d.delay.as_millis() <= u128::from(MAX_REVIEW_SAVE_DELAY_MS)
            });
            for d in decisions {
                let context = FiringContext {
                    cause: FiringCause {
                        rule_id: d.rule_id,
                        rule_name: d.rule_name.clone(),
                        court: rec.court.clone(),
                        match_key: rec.match_key,
                        event_seq: rec.seq,
                        event: event.label(),
                    },
                    received: p.received,
                    review_saves_replay: review_saves,
                };
                firings.push((d, context));
            }
        }
        for (d, context) in firings {
            self.dispatch(&d, context);
            all.push(d);
        }
        self.stats.datagrams_seen.fetch_add(1, Ordering::Relaxed);
        all
    }

    /// Hand one decision to the review service (review actions, when routed) or the OBS worker;
    /// a full channel is counted and logged, never a blocked automation thread.
    fn dispatch(&self, d: &Decision, context: FiringContext) {
        if d.action.is_review()
            && let Some(route) = &self.review
        {
            let call = ReviewCall {
                action: d.action.clone(),
                delay: d.delay,
                context,
            };
            match route.calls.try_send(call) {
                Ok(()) => {
                    self.stats.review_sent.fetch_add(1, Ordering::Relaxed);
                    (route.wake)();
                }
                Err(TrySendError::Full(_)) => {
                    self.stats.review_dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!("review queue full: '{}' not run", d.rule_name);
                }
                Err(TrySendError::Disconnected(_)) => {}
            }
            return;
        }
        let cmd = ObsCommand::Run {
            target: d.target,
            action: d.action.clone(),
            delay: d.delay,
            origin: Origin::Automation(Box::new(context)),
        };
        match self.commands.try_send(cmd) {
            Ok(()) => {
                self.stats.actions_sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Full(_)) => {
                self.stats.actions_dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!("OBS command queue full: '{}' not run", d.rule_name);
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Run on a named thread, fed by a store-writer subscriber channel.
    pub fn spawn(self, persisted: Receiver<Persisted>) -> std::io::Result<AutomationHandle> {
        let (control_tx, control_rx) = bounded(16);
        let paused = self.paused.clone();
        let stats = self.stats.clone();
        let thread = crate::worker::WorkerThread::spawn("obs-automation", move |stop| {
            self.run(persisted, control_rx, stop)
        })?;
        Ok(AutomationHandle {
            control: control_tx,
            paused,
            stats,
            thread,
        })
    }

    fn run(
        mut self,
        persisted: Receiver<Persisted>,
        control: Receiver<Vec<Rule>>,
        stop: crate::worker::StopSignal,
    ) {
        loop {
            select! {
                recv(stop) -> _ => break,
                recv(persisted) -> p => match p {
                    Ok(p) => { self.on_persisted(&p); }
                    Err(_) => break,
                },
                recv(control) -> rules => match rules {
                    Ok(rules) => self.set_rules(rules),
                    Err(_) => break,
                },
            }
        }
    }
}

/// Handle to an automation thread.
pub struct AutomationHandle {
    control: Sender<Vec<Rule>>,
    paused: Arc<AtomicBool>,
    stats: Arc<AutomationStats>,
    thread: crate::worker::WorkerThread,
}

impl AutomationHandle {
    /// Replace the rules (after the operator edited them; store them with
    /// [`super::store::save_rules`] too). False when the thread is gone or busy.
    pub fn set_rules(&self, rules: Vec<Rule>) -> bool {
        self.control.try_send(rules).is_ok()
    }

    /// Pause or resume (store it with [`super::store::save_paused`] too).
    pub fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Relaxed);
    }

    /// Whether automation is paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Counters.
    pub fn stats(&self) -> Arc<AutomationStats> {
        self.stats.clone()
    }

    /// Stop and join the thread.
    pub fn stop(mut self) {
        self.thread.stop();
    }
}
