//! `ddbsse serve`: arguments and entry point.

use std::process::ExitCode;

/// Arguments of `ddbsse serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TCP port to listen on.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
}

/// Runs `ddbsse serve`.
pub fn run(args: ServeArgs) -> ExitCode {
    eprintln!("ddbsse serve: not built yet ({}:{})", args.bind, args.port);
    ExitCode::FAILURE
}
