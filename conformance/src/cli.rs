//! `ddbsse check`: arguments and entry point.

use std::process::ExitCode;

/// Arguments of `ddbsse check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Endpoint URL of a remote target; without it the embedded implementation is checked.
    #[arg(long)]
    pub endpoint: Option<String>,
}

/// Runs `ddbsse check`.
pub fn run(_args: CheckArgs) -> ExitCode {
    eprintln!("ddbsse check: not built yet");
    ExitCode::FAILURE
}
