//! `ddbsse completions SHELL` and `ddbsse man`: text generated from the clap definition of the
//! whole command (`clap_complete`, `clap_mangen`), so completions and the man page list exactly
//! the subcommands and flags the binary accepts. Writes to standard output; installs nothing.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

/// Prints the completion script of `shell` for the command `C`.
pub fn completions<C: CommandFactory>(shell: clap_complete::Shell) -> ExitCode {
    let mut command = C::command();
    let name = command.get_name().to_owned();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut out);
    write_out(&out)
}

/// Prints the man page of the command `C`, with a section per subcommand.
pub fn man_page<C: CommandFactory>() -> ExitCode {
    let command = C::command();
    let mut out = Vec::new();
    if let Err(e) = render(&command, &mut out) {
        eprintln!("ddbsse man: {e}");
        return ExitCode::FAILURE;
    }
    write_out(&out)
}

/// The page of `command`, then the pages of its subcommands (one level), as `git help` does.
fn render(command: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    clap_mangen::Man::new(command.clone()).render(out)?;
    for sub in command.get_subcommands() {
        let title = format!("{}-{}", command.get_name(), sub.get_name());
        clap_mangen::Man::new(sub.clone())
            .title(title)
            .render(out)?;
    }
    Ok(())
}

fn write_out(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ddbsse: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
    }
}
