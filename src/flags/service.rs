//! Runs the flags manager's intents off the UI thread and keeps the state it shows.
//!
//! The UI emits [`FlagsCommand`]s; the App hands them to [`FlagsService::execute`] at the end of
//! the frame, which only starts named worker threads (import, store writes, export, file
//! dialogs). Workers report over one bounded channel; [`FlagsService::poll`] (call it from
//! `App::logic`) drains it into [`FlagsState`]. After every change a worker reads a fresh
//! snapshot (resolver, history, seen codes) from the store, so the UI never reads redb itself.

pub use super::export::export_flags;
use super::import::{self, ImportItem, ImportMsg, ImportRequest};
use super::live::{LiveCodes, RefreshDue};
use super::resolve::FlagResolver;
pub use super::state::{FlagsCommand, FlagsState, LogLine, PendingFile, Progress};
use super::store::{self, MappingChange, SeenCode};
use super::{FlagsError, Waker};
use crate::store::writer::{WriteOp, now_ns};
use crate::store::{Store, WriteRequest};
use crate::worker::WorkerThread;
use crossbeam_channel::{Receiver, Sender, bounded};
use std::path::PathBuf;

/// Log lines kept for the panel.
const LOG_LINES: usize = 200;
/// Mapping changes kept for the panel.
const HISTORY_ROWS: usize = 100;

struct Snapshot {
    resolver: FlagResolver,
    history: Vec<MappingChange>,
    seen: Vec<SeenCode>,
}

enum Msg {
    Import(ImportMsg),
    Snapshot(Box<Snapshot>),
    Picked(Vec<PathBuf>),
    PickedExport(PathBuf),
    Log(LogLine),
}

/// Runs flag intents in the background and holds [`FlagsState`].
pub struct FlagsService {
    store: Store,
    writer: Sender<WriteRequest>,
    wake: Waker,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    state: FlagsState,
    workers: Vec<WorkerThread>,
    live: LiveCodes,
}

impl FlagsService {
    /// A service for `store`, writing through `writer`; `wake` is called when news arrives.
    /// Starts reading the first snapshot at once.
    pub fn new(store: Store, writer: Sender<WriteRequest>, wake: Waker) -> FlagsService {
        let (tx, rx) = bounded(256);
        let mut service = FlagsService {
            store,
            writer,
            wake,
            tx,
            rx,
            state: FlagsState::default(),
            workers: Vec::new(),
            live: LiveCodes::default(),
        };
        service.execute(FlagsCommand::Refresh);
        service
    }

    /// What the panel shows.
    pub fn state(&self) -> &FlagsState {
        &self.state
    }

    /// The current resolver (cheap clone), for the scoreboard and match panel.
    pub fn resolver(&self) -> FlagResolver {
        self.state.resolver.clone()
    }

    /// The live athletes' countries changed (or not): re-read the codes seen, at most once a
    /// second, so the missing-flags list follows new matches. Returns when to call again if a
    /// change is waiting for the gap to end.
    pub fn note_live_codes(&mut self, codes: &[&str]) -> Option<std::time::Duration> {
        match self.live.note(codes, std::time::Instant::now()) {
            RefreshDue::Idle => None,
            RefreshDue::Now => {
                self.execute(FlagsCommand::Refresh);
                None
            }
            RefreshDue::After(wait) => Some(wait),
        }
    }

    /// Number of worker threads still running (0 = idle).
    pub fn busy(&self) -> usize {
        self.workers.iter().filter(|w| !w.is_finished()).count()
    }

    /// Apply worker news to the state. Never blocks. Returns true when something changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        for _ in 0..512 {
            let Ok(msg) = self.rx.try_recv() else { break };
            changed = true;
            self.apply(msg);
        }
        self.reap();
        changed
    }

    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Import(m) => self.apply_import(m),
            Msg::Snapshot(s) => {
                self.state.resolver = s.resolver;
                self.state.history = s.history;
                self.state.seen = s.seen;
                self.live
                    .confirm(self.state.seen.iter().map(|c| c.code.as_str()));
                self.state.generation += 1;
            }
            Msg::Picked(paths) => self.execute(FlagsCommand::Import(paths)),
            Msg::PickedExport(dir) => self.execute(FlagsCommand::ExportTo(dir)),
            Msg::Log(line) => self.log(line.ok, line.text),
        }
    }

    fn apply_import(&mut self, m: ImportMsg) {
        match m {
            ImportMsg::Started { total } => self.state.progress = Some(Progress { done: 0, total }),
            ImportMsg::Progress { done, total, .. } => {
                self.state.progress = Some(Progress { done, total })
            }
            ImportMsg::Imported {
                path,
                code,
                replaced,
            } => {
                let again = if replaced {
                    " (replaces the earlier import)"
                } else {
                    ""
                };
                self.log(
                    true,
                    format!("{}: imported as {code}{again}", import::file_name(&path)),
                );
            }
            ImportMsg::Rejected { path, reason } => {
                self.log(false, format!("{}: {reason}", import::file_name(&path)));
            }
            ImportMsg::NeedsCode {
                path,
                name_code,
                suggestion,
            } => {
                self.log(
                    false,
                    format!("{}: which code is this flag?", import::file_name(&path)),
                );
                self.state.pending.retain(|p| p.path != path);
                self.state.pending.push(PendingFile {
                    path,
                    name_code,
                    suggestion,
                });
            }
            ImportMsg::Finished(s) => {
                self.state.progress = None;
                self.log(
                    s.rejected == 0,
                    format!(
                        "import done: {} imported, {} rejected, {} waiting for a code",
                        s.imported, s.rejected, s.needs_code
                    ),
                );
            }
        }
    }

    fn log(&mut self, ok: bool, text: String) {
        if !ok {
            tracing::warn!("flags: {text}");
        }
        self.state.log.push_back(LogLine { ok, text });
        while self.state.log.len() > LOG_LINES {
            self.state.log.pop_front();
        }
    }

    /// Start what `intent` asks for. Never blocks (threads do the work).
    pub fn execute(&mut self, intent: FlagsCommand) {
        let result = match intent {
            FlagsCommand::Import(paths) => self.import(ImportRequest::paths(paths)),
            FlagsCommand::ImportAs { path, code } => {
                self.state.pending.retain(|p| p.path != path);
                let request = ImportRequest {
                    items: vec![ImportItem {
                        path,
                        code: Some(code),
                    }],
                    allow_unknown: false,
                };
                self.import(request)
            }
            FlagsCommand::Dismiss(path) => {
                self.state.pending.retain(|p| p.path != path);
                Ok(())
            }
            FlagsCommand::PickFiles | FlagsCommand::PickFolder | FlagsCommand::PickExportFolder => {
                self.pick(intent)
            }
            FlagsCommand::Revert(code) => {
                let what = format!("revert of {code}");
                let op = store::revert_op(code.clone());
                self.write(what, op, format!("{code}: back to the built-in flag"))
            }
            FlagsCommand::SetMapping { from, to } => self.set_mapping(&from, Some(&to)),
            FlagsCommand::RemoveMapping(from) => self.set_mapping(&from, None),
            FlagsCommand::ExportTo(dir) => self.export(dir),
            FlagsCommand::Refresh => self.spawn("flags-refresh", |ctx| ctx.send_snapshot()),
        };
        if let Err(e) = result {
            self.log(false, e.to_string());
        }
    }

    fn import(&mut self, request: ImportRequest) -> Result<(), FlagsError> {
        let resolver = self.state.resolver.clone();
        self.spawn("flags-import", move |ctx| {
            let emit = |m| ctx.send(Msg::Import(m));
            import::run_import(&request, &resolver, &ctx.writer, &emit);
            ctx.send_snapshot();
        })
    }

    fn set_mapping(&mut self, from: &str, to: Option<&str>) -> Result<(), FlagsError> {
        let (from_code, to_code) = self.state.resolver.check_mapping(from, to)?;
        let done = match &to_code {
            Some(t) => format!("mapping {from_code} → {t} saved"),
            None => format!("mapping of {from_code} removed"),
        };
        let op = store::set_mapping_op(from_code.clone(), to_code, "ui".into(), now_ns());
        self.write(format!("mapping of {from_code}"), op, done)
    }

    fn write(&mut self, what: String, op: WriteOp, done: String) -> Result<(), FlagsError> {
        self.spawn("flags-write", move |ctx| {
            match store::apply_and_wait(&ctx.writer, &what, op) {
                Ok(()) => ctx.log(true, done),
                Err(e) => ctx.log(false, e.to_string()),
            }
            ctx.send_snapshot();
        })
    }

    fn export(&mut self, dir: PathBuf) -> Result<(), FlagsError> {
        self.spawn("flags-export", move |ctx| {
            match export_flags(&ctx.store, &dir) {
                Ok(report) => {
                    for (ok, line) in report {
                        ctx.log(ok, line);
                    }
                }
                Err(e) => ctx.log(false, e.to_string()),
            }
        })
    }

    /// Open a native dialog. The dialog is created here (the UI thread, as macOS wants) and
    /// awaited on a detached thread: it may stay open as long as the operator likes, so it is not
    /// joined on shutdown.
    fn pick(&mut self, intent: FlagsCommand) -> Result<(), FlagsError> {
        let tx = self.tx.clone();
        let wake = self.wake.clone();
        let dialog = rfd::AsyncFileDialog::new();
        let job: Box<dyn FnOnce() -> Option<Msg> + Send> = match intent {
            FlagsCommand::PickFiles => {
                let fut = dialog
                    .set_title("Import flags")
                    .add_filter("Flag images", &["png", "jpg", "jpeg", "svg"])
                    .pick_files();
                Box::new(move || {
                    let files = pollster::block_on(fut)?;
                    Some(Msg::Picked(
                        files.iter().map(|f| f.path().to_path_buf()).collect(),
                    ))
                })
            }
            FlagsCommand::PickFolder => {
                let fut = dialog.set_title("Import a folder of flags").pick_folder();
                Box::new(move || Some(Msg::Picked(vec![pollster::block_on(fut)?.path().into()])))
            }
            _ => {
                let fut = dialog.set_title("Export imported flags to").pick_folder();
                Box::new(move || Some(Msg::PickedExport(pollster::block_on(fut)?.path().into())))
            }
        };
        std::thread::Builder::new()
            .name("flags-dialog".into())
            .spawn(move || {
                if let Some(msg) = job() {
                    // Closed: the service is gone (app exit); the choice is not needed.
                    let _ = tx.send(msg);
                    wake();
                }
            })
            .map(drop)
            .map_err(|e| FlagsError::Thread {
                name: "flags-dialog",
                cause: e.to_string(),
            })
    }

    fn spawn(
        &mut self,
        name: &'static str,
        job: impl FnOnce(&WorkerCtx) + Send + 'static,
    ) -> Result<(), FlagsError> {
        let ctx = WorkerCtx {
            store: self.store.clone(),
            writer: self.writer.clone(),
            tx: self.tx.clone(),
            wake: self.wake.clone(),
        };
        // A one-shot job: it ignores the stop signal and ends with its work (an import ends
        // after its current batch once the service's channel is gone).
        let handle =
            WorkerThread::spawn(name, move |_stop| job(&ctx)).map_err(|e| FlagsError::Thread {
                name,
                cause: e.to_string(),
            })?;
        self.workers.push(handle);
        Ok(())
    }

    fn reap(&mut self) {
        let (done, running): (Vec<_>, Vec<_>) =
            self.workers.drain(..).partition(|w| w.is_finished());
        self.workers = running;
        for mut w in done {
            if !w.stop() {
                self.log(false, "a flags worker thread panicked".into());
            }
        }
    }
}

impl Drop for FlagsService {
    fn drop(&mut self) {
        // Disconnect first so a worker blocked on a full channel returns, then wait for the
        // workers: an import finishes its current batch, so nothing half-written is left.
        self.rx = crossbeam_channel::never();
        for mut w in self.workers.drain(..) {
            if !w.stop() {
                tracing::error!("a flags worker panicked (its work was not finished)");
            }
        }
    }
}

/// What a worker thread needs.
struct WorkerCtx {
    store: Store,
    writer: Sender<WriteRequest>,
    tx: Sender<Msg>,
    wake: Waker,
}

impl WorkerCtx {
    fn send(&self, msg: Msg) {
        // Closed: the service is gone; the work itself is done or durable anyway.
        let _ = self.tx.send(msg);
        (self.wake)();
    }

    fn log(&self, ok: bool, text: String) {
        self.send(Msg::Log(LogLine { ok, text }));
    }

    fn send_snapshot(&self) {
        let snapshot = (|| -> Result<Snapshot, FlagsError> {
            Ok(Snapshot {
                resolver: FlagResolver::load(&self.store)?,
                history: store::mapping_history(&self.store, HISTORY_ROWS)?,
                seen: store::seen_codes(&self.store)?,
            })
        })();
        match snapshot {
            Ok(s) => self.send(Msg::Snapshot(Box::new(s))),
            Err(e) => self.log(false, format!("cannot read flags from the store: {e}")),
        }
    }
}
