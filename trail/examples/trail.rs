//! `ddbsse trail` as a stand-alone program, for scripts and benchmarks that should not need the
//! whole `ddbsse` binary (server and conformance) to build: same arguments, same behaviour.

use std::process::ExitCode;

use clap::Parser;

/// Same as `ddbsse trail`.
#[derive(Debug, Parser)]
#[command(name = "ddbsse-trail")]
struct Cli {
    #[command(flatten)]
    args: ddbsse_trail::cli::TrailArgs,
}

fn main() -> ExitCode {
    ddbsse_trail::cli::run(Cli::parse().args)
}
