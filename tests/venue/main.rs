//! Venue operation, one binary (one link): advanced mode, backup/restore, licence, logging,
//! match report and export, system monitor.

mod advanced;
mod backup;
mod delete;
mod license;
mod logging;
mod report;
mod sysmon;
