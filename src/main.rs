//! The `morbox` binary: parse the command line, set up logging, run.

use clap::Parser;
use morbox::cli::{Cli, Command, LogFormat};
use std::io::{BufWriter, IsTerminal};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = matches!(&cli.command, Command::Serve(a) if a.log_format == LogFormat::Json);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr (stdout carries only what a harness or an operator reads), written by a
    // background thread that batches lines: a request never waits for a write to stderr. Nothing
    // is dropped (a full queue makes the logger wait), and the guard flushes at exit.
    let (writer, _flush_at_exit) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(BufWriter::with_capacity(64 * 1024, std::io::stderr()));
    // Colours only for a person at a terminal; a log file or collector gets plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    match morbox::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("morbox: {e}");
            ExitCode::FAILURE
        }
    }
}
