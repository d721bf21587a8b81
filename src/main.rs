//! The `morbox` binary: parse the command line, set up logging, run.

use clap::Parser;
use morbox::cli::{Cli, Command, LogFormat};
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = matches!(&cli.command, Command::Serve(a) if a.log_format == LogFormat::Json);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr through one buffer written every 100 ms or 32 KiB (warnings and errors
    // at once; everything at exit): stdout carries only what a harness or an operator reads.
    // Colours only for a person at a terminal; a log file or collector gets plain text.
    let terminal = std::io::stderr().is_terminal();
    morbox::logging::start(!json && !terminal);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(terminal)
        .with_writer(morbox::logging::Buffered);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    let result = morbox::cli::run(cli);
    morbox::logging::flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("morbox: {e}");
            ExitCode::FAILURE
        }
    }
}
