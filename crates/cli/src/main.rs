//! # steward (CLI)
//!
//! The command line face of Steward. It only parses arguments (`args`), calls the use cases of
//! `steward-app` (`commands`, one module per command family) and prints their answers (`render`):
//! tables for people, JSON (`--format json`) for scripts. Errors go to stderr as `error: …`
//! naming the file they concern, with a non-zero exit code; with `--format json` they are
//! `{"error": {"code", "message"}}`.
//!
//! It must not hold logic of its own that the desktop would need too: that belongs in
//! `steward-app`. It depends on no other Steward crate, except the registry server for
//! `registry serve`.

mod args;
mod commands;
mod render;

use std::process::ExitCode;
use steward_app::ErrorCode;

use clap::Parser;
use serde::Serialize;

use args::{Cli, Format};

// Polars allocates and frees large buffers all the time: mimalloc serves them with far fewer page
// faults than the system allocator (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error on its way out: a stable code and a message for people.
#[derive(Debug, Serialize)]
struct CliError {
    code: String,
    message: String,
}

impl From<steward_app::SourceError> for CliError {
    fn from(e: steward_app::SourceError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

impl From<steward_app::AppError> for CliError {
    fn from(e: steward_app::AppError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

impl From<steward_app::WorkspaceError> for CliError {
    fn from(e: steward_app::WorkspaceError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

fn main() -> ExitCode {
    steward_app::without_huge_pages();
    // `steward preview … | head` ends quietly when `head` has read enough, as Unix tools do,
    // instead of failing on the closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("STEWARD_LOG"))
        .with_writer(std::io::stderr)
        .init();
    steward_app::quiet_panics();
    let cli = Cli::parse();
    let result = steward_app::guarded(
        "this command",
        |message| CliError { code: steward_app::INTERNAL_CODE.into(), message },
        || commands::run(&cli),
    );
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            match cli.format {
                Format::Json => {
                    let body = serde_json::json!({ "error": e });
                    eprintln!("{body}");
                }
                _ => eprintln!("error: {}", e.message),
            }
            ExitCode::FAILURE
        }
    }
}
