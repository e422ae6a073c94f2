//! `ddbsse`: one binary for the in-repo endpoint (`serve`), the conformance suite (`check`)
//! and the trail analytics (`trail`). Each subcommand's arguments and behaviour live in the
//! library crate that owns it; this file only dispatches, and hands `ddbsse trail export` the
//! server crate's reader of a data directory's stored trail.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod generated;

/// mimalloc instead of the system allocator: a request makes a few dozen short-lived
/// allocations, and glibc's malloc and free were about a quarter of a PutItem's time in
/// the engine bench (`cargo bench -p ddbsse-benches --bench engine`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Print a shell completion script for ddbsse (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the ddbsse(1) man page (roff) to standard output.
    Man,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => ddbsse_server::cli::run(args),
        Command::Check(args) => ddbsse_conformance::cli::run(args),
        Command::Trail(args) => ddbsse_trail::cli::run_with_hooks(args, &trail_hooks()),
        Command::Completions { shell } => generated::completions::<Cli>(shell),
        Command::Man => generated::man_page::<Cli>(),
    }
}

/// What `ddbsse trail` needs from the server crate, which the trail crate cannot depend on:
/// `export` reads a durable endpoint's stored trail with `ddbsse_server::storage::read_trail`.
fn trail_hooks() -> ddbsse_trail::cli::Hooks {
    ddbsse_trail::cli::Hooks {
        read_trail: Some(Box::new(|data_dir| {
            let records =
                ddbsse_server::storage::read_trail(data_dir).map_err(|e| e.to_string())?;
            Ok(Box::new(records.into_iter()) as Box<dyn Iterator<Item = _>>)
        })),
    }
}
