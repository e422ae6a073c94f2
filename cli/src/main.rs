//! `ddbsse`: one binary for the in-repo endpoint (`serve`), the conformance suite (`check`)
//! and the trail analytics (`trail`). Each subcommand's arguments and behaviour live in the
//! library crate that owns it; this file only dispatches, and runs `ddbsse trail export`, which
//! needs both the server crate (the stored trail of a data directory) and the trail crate (the
//! delivery layout): the dependency goes from this binary to both, never between them.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

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
    Trail(TrailArgs),
    /// Print a shell completion script for ddbsse (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the ddbsse(1) man page (roff) to standard output.
    Man,
}

/// Arguments of `ddbsse trail`.
#[derive(Debug, Args)]
struct TrailArgs {
    #[command(subcommand)]
    command: TrailCommand,
}

#[derive(Debug, Subcommand)]
enum TrailCommand {
    #[command(flatten)]
    Read(ddbsse_trail::cli::TrailCommand),
    /// Write a durable endpoint's stored trail in the CloudTrail S3 delivery layout.
    Export(ddbsse_trail::cli::ExportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => ddbsse_server::cli::run(args),
        Command::Check(args) => ddbsse_conformance::cli::run(args),
        Command::Trail(TrailArgs { command }) => match command {
            TrailCommand::Read(command) => ddbsse_trail::cli::run(command),
            TrailCommand::Export(args) => export_trail(&args),
        },
        Command::Completions { shell } => generated::completions::<Cli>(shell),
        Command::Man => generated::man_page::<Cli>(),
    }
}

/// `ddbsse trail export`: the server crate reads the stored trail, the trail crate writes it.
fn export_trail(args: &ddbsse_trail::cli::ExportArgs) -> ExitCode {
    match ddbsse_server::storage::read_trail(args.data_dir()) {
        Ok(records) => ddbsse_trail::cli::exit(ddbsse_trail::cli::run_export(args, records)),
        Err(e) => ddbsse_trail::cli::exit(Err(e)),
    }
}
