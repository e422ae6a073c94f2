//! `ddbsse trail`: arguments and entry point.

use std::process::ExitCode;

/// Arguments of `ddbsse trail`.
#[derive(Debug, clap::Args)]
pub struct TrailArgs {
    /// Delivery folder to read.
    pub dir: Option<std::path::PathBuf>,
}

/// Runs `ddbsse trail`.
pub fn run(_args: TrailArgs) -> ExitCode {
    eprintln!("ddbsse trail: not built yet");
    ExitCode::FAILURE
}
