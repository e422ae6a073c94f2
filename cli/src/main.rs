//! `ddbsse`: one binary for the in-repo endpoint (`serve`), the conformance suite (`check`)
//! and the trail analytics (`trail`). Each subcommand's arguments and behaviour live in the
//! library crate that owns it; this file only dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// ddbsse: the executable specification and conformance suite for DynamoDB SSE with AWS KMS.
#[derive(Debug, Parser)]
#[command(name = "ddbsse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve an encrypted DynamoDB + KMS + CloudTrail endpoint.
    Serve(ddbsse_server::cli::ServeArgs),
    /// Run the conformance suite against a target (default: the embedded implementation).
    Check(ddbsse_conformance::cli::CheckArgs),
    /// Write, query and summarise CloudTrail logs in the S3 delivery layout.
    Trail(ddbsse_trail::cli::TrailArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => ddbsse_server::cli::run(args),
        Command::Check(args) => ddbsse_conformance::cli::run(args),
        Command::Trail(args) => ddbsse_trail::cli::run(args),
    }
}
