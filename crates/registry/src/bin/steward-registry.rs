//! `steward-registry serve`: the shared registry as its own small program (no Polars inside).

use clap::{Parser, Subcommand};
use steward_error::ErrorCode;

#[derive(Parser)]
#[command(name = "steward-registry", version, about = "Steward's shared registry of signed product definitions")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the registry.
    Serve(steward_registry::ServeArgs),
    /// The local registry `make run` starts: makes the demo keys on first run (a registry admin
    /// key and the demo steward's signing key, secrets in the OS keychain), serves with the admin
    /// key as root, and signs a trust policy that lets the demo steward publish for every domain
    /// — the server still enforces it.
    Demo {
        #[arg(long)]
        db: String,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[arg(long, default_value = "registry-admin")]
        admin: String,
        #[arg(long, default_value = "demo-steward")]
        steward: String,
        /// A central policy on the evidence of every publish: a JSON file holding a list of
        /// requirements (`[{"domains": ["*"], "max_leaks": 0, "masked": [{"tag": "email"}]}]`).
        #[arg(long)]
        requirements: Option<std::path::PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => args.run(),
        Command::Demo { db, listen, admin, steward, requirements } => {
            steward_registry::demo::read_requirements(requirements.as_deref())
                .and_then(|r| steward_registry::demo::serve(&db, &listen, &admin, &steward, r))
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            std::process::ExitCode::FAILURE
        }
    }
}
