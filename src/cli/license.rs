//! `courtside license`: the vendor's tools. `keygen` makes a signing key pair (the private key
//! goes to a file the vendor keeps outside the repository; the public key is printed to be
//! compiled in); `issue` signs a licence with a private key read from a file.

use crate::license::{
    LicenseClaims, generate_key, issue, public_key_hex, read_private_key, write_private_key,
};
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// `courtside license`.
#[derive(Debug, clap::Args)]
pub struct LicenseArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: LicenseAction,
}

/// `courtside license …` actions.
#[derive(Debug, clap::Subcommand)]
pub enum LicenseAction {
    /// Make a new signing key pair (vendor only).
    Keygen {
        /// Where to write the private key (a new file; keep it out of the repository).
        #[arg(long, value_name = "PRIVATE_KEY_FILE")]
        out: PathBuf,
        /// Also write the raw public key here (e.g. keys/license_public.key, compiled in).
        #[arg(long, value_name = "FILE")]
        public_out: Option<PathBuf>,
    },
    /// Sign a licence key (vendor only); prints the key.
    Issue {
        /// The private key file made by `keygen`.
        #[arg(long, value_name = "PRIVATE_KEY_FILE")]
        key: PathBuf,
        /// Licensee (club, federation, venue).
        #[arg(long)]
        licensee: String,
        /// Edition.
        #[arg(long, default_value = "standard")]
        edition: String,
        /// Last valid day, YYYY-MM-DD (valid through the end of that day, UTC).
        #[arg(long, value_name = "DATE")]
        expires: String,
    },
}

/// Run a `license` action, writing what it prints to `out`.
pub fn license(args: &LicenseArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    match &args.action {
        LicenseAction::Keygen {
            out: path,
            public_out,
        } => {
            let key = generate_key()?;
            write_private_key(path, &key)?;
            let public = key.verifying_key();
            if let Some(p) = public_out {
                std::fs::write(p, public.as_bytes())
                    .with_context(|| format!("cannot write public key {}", p.display()))?;
            }
            writeln!(
                out,
                "private key written to {} (keep it secret, never commit it)",
                path.display()
            )?;
            writeln!(out, "public key: {}", public_key_hex(&public))?;
        }
        LicenseAction::Issue {
            key,
            licensee,
            edition,
            expires,
        } => {
            let signing = read_private_key(key)?;
            let day = chrono::NaiveDate::parse_from_str(expires.trim(), "%Y-%m-%d")
                .with_context(|| format!("--expires {expires:?}: expected YYYY-MM-DD"))?;
            let next = day
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .context("--expires: date out of range")?;
            let claims = LicenseClaims {
                licensee: licensee.trim().to_string(),
                edition: edition.trim().to_string(),
                issued_at: chrono::Utc::now().timestamp(),
                expires_at: next.and_utc().timestamp(),
            };
            anyhow::ensure!(!claims.licensee.is_empty(), "--licensee must not be empty");
            writeln!(out, "{}", issue(&claims, &signing))?;
        }
    }
    Ok(())
}
