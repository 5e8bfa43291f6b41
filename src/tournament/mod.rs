//! The whole tournament on NATS JetStream (issue 17): every court publishes its stored
//! datagrams to one stream, exactly once as far as the hub can tell, through outages and
//! restarts; a hub rebuilds every court's match into its own store.
//!
//! - [`TournamentService`] (court side): the store is the queue, a cursor in redb says what the
//!   server acknowledged; the live match state goes to a KV bucket for dashboards.
//! - [`HubService`]: a durable consumer into the hub's own store (de-duplicated by court store,
//!   court and sequence), with a live view of every court.
//! - [`results`]: finished matches of any store (court or hub) as JSON or CSV.
//!
//! Both services run on the app's one tokio runtime (a `Handle` is passed in), own their tasks
//! and threads, and stop when dropped. Their status is plain data for the GUI and the CLI.

pub mod config;
pub mod court;
pub mod cursor;
pub mod hub;
mod hub_io;
mod link;
mod publish;
pub mod results;
pub mod status;
pub mod views;
pub mod wire;

pub use config::{Auth, CourtConfig, HubConfig, NatsConfig};
pub use court::TournamentService;
pub use hub::HubService;
pub use link::{bucket_config, stream_config};
pub use status::{CourtStatus, Link};
pub use views::{CourtView, HubStatus};
