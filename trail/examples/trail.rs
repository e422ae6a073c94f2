//! `ddbsse trail` as a stand-alone program, for scripts and benchmarks that should not need the
//! whole `ddbsse` binary (server and conformance) to build: same arguments and behaviour, except
//! `export`, which reads a durable endpoint's store and so is only in the `ddbsse` binary.

use std::process::ExitCode;

use clap::Parser;

/// Same as `ddbsse trail`, without `export`.
#[derive(Debug, Parser)]
#[command(name = "ddbsse-trail")]
struct Cli {
    #[command(subcommand)]
    command: ddbsse_trail::cli::TrailCommand,
}

fn main() -> ExitCode {
    ddbsse_trail::cli::run(Cli::parse().command)
}
