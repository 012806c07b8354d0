//! # steward (CLI)
//!
//! The command line face of Steward's core crates: every command here is a thin layer over
//! `steward-workspace` and `steward-sources`, printing tables for people or JSON (`--format json`)
//! for scripts. Errors go to stderr with the file they concern and a non-zero exit code; with
//! `--format json` they are `{"error": {"code", "message"}}`.
//!
//! It must not hold logic of its own that the desktop app would need too: that belongs in a core crate.

mod products;
mod publishing;
mod sources;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use steward_app::AddFile;
use steward_secrets::Keychain;
use steward_workspace::Workspace;

use products::*;
use sources::*;

#[derive(Parser, Debug)]
#[command(name = "steward", version, about = "Steward: model, preview, protect and publish entity-based data products")]
struct Cli {
    /// Output for people (`table`) or for scripts (`json`).
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    /// `preview` and `export` only.
    Csv,
    /// `export` only.
    Parquet,
    /// `export` only.
    Ndjson,
    /// `export` only.
    Sqlite,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show the assembled product: the 360 view of one entity (--entity), or the first entities
    /// of the product table.
    Preview {
        file: PathBuf,
        /// Instance key of one entity (one value per key field, comma-separated).
        #[arg(long)]
        entity: Option<String>,
        /// Entities to show from the product table.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Entities to skip first.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// Evaluate the product's quality rules instead: violations per rule, with samples.
        #[arg(long)]
        quality: bool,
        /// Show the product masked with this masking profile (`--entity` takes the original key).
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
    /// Export the product (or chosen entities): --format parquet|csv|ndjson|sqlite.
    Export {
        file: PathBuf,
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Export only these entities (repeatable; one value per key field, comma-separated).
        #[arg(long)]
        entity: Vec<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
        /// Entities per pass. By default the product is written in one pass when it fits in a
        /// third of available memory, and in key ranges sized to fit otherwise.
        #[arg(long)]
        batch_entities: Option<u32>,
        /// Export the product masked with this masking profile.
        #[arg(long)]
        profile: Option<String>,
    },
    /// Signing keys: the secret in the OS keychain, the public key to share.
    Keys {
        #[command(subcommand)]
        command: publishing::KeysCommand,
    },
    /// Sign a product definition with your key and publish it to a registry. The local file is
    /// never changed: a refused publish loses nothing.
    Publish {
        file: PathBuf,
        /// Registry URL (default: $STEWARD_REGISTRY).
        #[arg(long)]
        registry: Option<String>,
        /// Signing key name (default: $STEWARD_KEY, or the only key of this machine).
        #[arg(long)]
        key: Option<String>,
        /// Publish a breaking change without a major bump; needs --reason, recorded in the audit log.
        #[arg(long, requires = "reason")]
        allow_breaking: bool,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Write the product as an Open Data Contract Standard (ODCS v3) YAML document: schema,
    /// keys and relationships, quality rules, owner, domain, version.
    ExportContract {
        file: PathBuf,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The shared registry: serve, list, show, diff, verify, yank, trust.
    Registry {
        #[command(subcommand)]
        command: publishing::RegistryCommand,
    },
    /// Masking profiles: check what leaves, rotate keys.
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// Work with data product definitions.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Work with the sources of a workspace, or with any data file.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
}

#[derive(Subcommand, Debug)]
enum ModelCommand {
    /// Check a product definition: its structure, then its sources, columns, types, keys and data.
    /// Exits non-zero when there is an error (warnings alone pass).
    Validate {
        file: PathBuf,
        /// Workspace folder (default: the nearest folder above FILE holding steward.yaml).
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum PrivacyCommand {
    /// Mask the product with a profile and measure it: masked fields and their rules, original
    /// values that survive, collisions of remapped keys, re-identification risk. Exits non-zero
    /// when the profile's thresholds (max_leaks, min_k, min_l) are broken, so it can gate CI.
    Check {
        file: PathBuf,
        #[arg(long)]
        profile: String,
        /// Quasi-identifiers (entity fields), comma-separated; default: the profile's.
        #[arg(long, value_delimiter = ',')]
        quasi: Option<Vec<String>>,
        /// Sensitive attribute for l-diversity; default: the profile's.
        #[arg(long)]
        sensitive: Option<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
    /// Give back the originals of values masked with a reversible rule (fpe), for holders of the
    /// profile's masking key in their OS keychain. Values come as arguments or, one per line, on
    /// standard input.
    Reveal {
        file: PathBuf,
        #[arg(long)]
        profile: String,
        /// The masked field: `card_number` (entity) or `orders.card`.
        #[arg(long)]
        field: String,
        /// The key version the values were masked with (default: the profile's current one).
        #[arg(long)]
        key_version: Option<u32>,
        values: Vec<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
    /// Give a profile a new masking key (in the OS keychain) and a new key version in the
    /// definition: every masked value changes.
    RotateKey {
        file: PathBuf,
        #[arg(long)]
        profile: String,
    },
}

#[derive(Subcommand, Debug)]
enum SourcesCommand {
    /// Add a file, or a PostgreSQL table (postgres://user@host:port/database[?sslmode=verify-full&sslrootcert=ca.pem]), to the workspace
    /// after checking that it reads. A database password is read from stdin and stored in the
    /// OS keychain; the workspace keeps only a reference to it.
    Add {
        path: PathBuf,
        /// Read the database password from standard input (never put it in the URL).
        #[arg(long)]
        password_stdin: bool,
        /// Workspace folder (default: the current folder).
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        /// Source id (default: from the file name).
        #[arg(long)]
        id: Option<String>,
        /// Display name (default: from the file name).
        #[arg(long)]
        name: Option<String>,
        /// The system of record it comes from (CRM, billing…).
        #[arg(long)]
        system: Option<String>,
        /// Sheet of a workbook, or table/view of a SQLite database.
        #[arg(long, alias = "sheet")]
        table: Option<String>,
        /// 1-based sheet row holding the column names.
        #[arg(long)]
        header_row: Option<u32>,
    },
    /// List the sources of a workspace.
    List {
        /// Workspace folder (default: the current folder).
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
    },
    /// Print a file's columns, inferred types and row count. TARGET is a file path, or the id of
    /// a source in the workspace.
    Inspect {
        target: String,
        /// Workspace folder used to resolve source ids (default: the current folder).
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Profile every column: nulls, distinct values, range, top values, histogram.
    Profile {
        target: String,
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Suggest which columns hold personal data, with confidence and evidence. For a workspace
    /// source, --accept and --reject save the steward's decisions.
    Classify {
        target: String,
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        /// Accept a suggestion: COLUMN=TAG (repeatable).
        #[arg(long, value_name = "COLUMN=TAG")]
        accept: Vec<String>,
        /// Reject a suggestion: COLUMN=TAG (repeatable).
        #[arg(long, value_name = "COLUMN=TAG")]
        reject: Vec<String>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Suggest join keys between the workspace's sources, with inclusion, cardinality and orphans.
    Relations {
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
    },
}

/// How to read a file, when detection is not what the steward wants.
#[derive(clap::Args, Debug, Default)]
struct ReadArgs {
    /// Sheet of a workbook, or table/view of a SQLite database.
    #[arg(long, alias = "sheet")]
    table: Option<String>,
    /// 1-based sheet row holding the column names.
    #[arg(long)]
    header_row: Option<u32>,
    /// Field delimiter of a text file (detected by default).
    #[arg(long)]
    delimiter: Option<char>,
    /// Read a text file whose first row is data, not column names.
    #[arg(long)]
    no_header: bool,
    /// Read rows with too many or too few fields instead of refusing the file.
    #[arg(long)]
    allow_ragged: bool,
}

/// An error on its way out: a stable code and a message for people.
#[derive(Debug, Serialize)]
struct CliError {
    code: String,
    message: String,
}

impl From<steward_sources::SourceError> for CliError {
    fn from(e: steward_sources::SourceError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

impl From<steward_app::AppError> for CliError {
    fn from(e: steward_app::AppError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

impl From<steward_workspace::WorkspaceError> for CliError {
    fn from(e: steward_workspace::WorkspaceError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("STEWARD_LOG"))
        .with_writer(std::io::stderr)
        .init();
    steward_app::quiet_panics();
    let cli = Cli::parse();
    let result = steward_app::guarded(
        "this command",
        |message| CliError { code: steward_app::INTERNAL_CODE.into(), message },
        || run(&cli),
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

fn run(cli: &Cli) -> Result<String, CliError> {
    match &cli.command {
        Command::Preview { file, quality: true, workspace, .. } => quality(file, workspace.as_deref(), cli.format),
        Command::Preview { file, entity, limit, offset, workspace, profile, .. } => {
            preview(file, entity.as_deref(), *limit, *offset, workspace.as_deref(), profile.as_deref(), cli.format)
        }
        Command::Export { file, out, entity, workspace, batch_entities, profile } => {
            export(file, out, entity, workspace.as_deref(), cli.format, *batch_entities, profile.as_deref())
        }
        Command::Privacy { command: PrivacyCommand::Check { file, profile, quasi, sensitive, workspace } } => {
            privacy_check(file, profile, quasi.as_deref(), sensitive.as_deref(), workspace.as_deref(), cli.format)
        }
        Command::Privacy { command: PrivacyCommand::RotateKey { file, profile } } => rotate_key(file, profile),
        Command::Privacy {
            command: PrivacyCommand::Reveal { file, profile, field, key_version, values, workspace },
        } => reveal(file, profile, field, *key_version, values, workspace.as_deref(), cli.format),
        Command::Keys { command } => publishing::keys(command, cli.format),
        Command::Publish { file, registry, key, allow_breaking, reason } => {
            publishing::publish(file, registry, key, *allow_breaking, reason, cli.format)
        }
        Command::Registry { command } => publishing::registry(command, cli.format),
        Command::ExportContract { file, out } => publishing::export_contract(file, out.as_deref(), cli.format),
        Command::Model { command: ModelCommand::Validate { file, workspace } } => {
            validate(file, workspace.as_deref(), cli.format)
        }
        Command::Sources { command } => match command {
            SourcesCommand::List { workspace } => list(workspace, cli.format),
            SourcesCommand::Add { path, password_stdin, workspace, id, name, system, table, .. }
                if path.to_string_lossy().starts_with("postgres://")
                    || path.to_string_lossy().starts_with("postgresql://") =>
            {
                add_postgres(&path.to_string_lossy(), *password_stdin, workspace, id, name, system, table, cli.format)
            }
            SourcesCommand::Add { path, workspace, id, name, system, table, header_row, .. } => add(
                workspace,
                AddFile {
                    path: path.clone(),
                    id: id.clone(),
                    name: name.clone(),
                    table: table.clone(),
                    header_row: *header_row,
                    system: system.clone(),
                },
                cli.format,
            ),
            SourcesCommand::Inspect { target, workspace, read } => inspect(target, workspace, read, cli.format),
            SourcesCommand::Profile { target, workspace, read } => profile(target, workspace, read, cli.format),
            SourcesCommand::Classify { target, workspace, accept, reject, read } => {
                classify(target, workspace, accept, reject, read, cli.format)
            }
            SourcesCommand::Relations { workspace } => relations(workspace, cli.format),
        },
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| CliError { code: "cli.json".into(), message: e.to_string() })
}

/// Shortens text for a table cell.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// A one-line bar chart: ▁▂▃▄▅▆▇█.
fn sparkline(counts: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    counts.iter().map(|&c| if c == 0 { ' ' } else { BARS[((c * 7) / max) as usize] }).collect()
}

fn thousands(n: u64) -> String {
    steward_app::thousands(n as usize)
}

/// A plain, aligned text table.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - cell.chars().count()));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect()));
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(5_000_000), "5,000,000");
    }

    #[test]
    fn table_aligns_unicode_cells() {
        let t = table(&["a", "b"], &[vec!["Zoë".into(), "x".into()], vec!["é".into(), "yy".into()]]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "a    b");
        assert_eq!(lines[2], "Zoë  x");
        assert_eq!(lines[3], "é    yy");
    }
}
