//! `steward-node`: a domain's data node as its own program (what the Debian package runs).

use clap::{Parser, Subcommand};
use steward_error::ErrorCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "steward-node",
    version,
    about = "Steward's data node: published products, masked by each consumer's grant"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve published products from the workspace's sources.
    Serve(steward_node::ServeArgs),
    /// Check an access log end to end: every line chained and matching its hash.
    VerifyLog { path: std::path::PathBuf },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let r = match Cli::parse().command {
        Command::Serve(args) => args.run().map(|_| String::new()),
        Command::VerifyLog { path } => {
            steward_node::access::verify_log(&path).map(|c| steward_node::log_summary(&path, &c))
        }
    };
    match r {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            std::process::ExitCode::FAILURE
        }
    }
}
