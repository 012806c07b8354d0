//! # steward (CLI)
//!
//! The command line face of Steward's core crates: every command here is a thin layer over
//! `steward-workspace` and `steward-sources`, printing tables for people or JSON (`--format json`)
//! for scripts. Errors go to stderr with the file they concern and a non-zero exit code; with
//! `--format json` they are `{"error": {"code", "message"}}`.
//!
//! It must not hold logic of its own that the desktop app would need too: that belongs in a core crate.

mod publishing;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use steward_app::{AddFile, AddPostgres, Target};
use steward_secrets::Keychain;
use steward_sources::{Inspection, Location};
use steward_workspace::Workspace;

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

fn add(root: &Path, req: AddFile, format: Format) -> Result<String, CliError> {
    let mut ws = steward_app::open_or_init_workspace(root)?;
    let (src, inspection) = steward_app::add_file(&mut ws, req)?;
    if format == Format::Json {
        return to_json(&serde_json::json!({ "source": src, "inspection": inspection }));
    }
    Ok(format!(
        "added `{}` ({}, {} rows, {} columns) to {}\n",
        src.id,
        src.kind.as_str(),
        thousands(inspection.row_count),
        inspection.columns.len(),
        ws.manifest_path().display()
    ))
}

/// Parses `postgres://user@host[:port]/database`; a password in the URL is refused.
fn parse_pg_url(url: &str) -> Result<(String, String, u16, String), CliError> {
    let bad = |why: &str| CliError {
        code: "cli.invalid_input".into(),
        message: format!("{why}: expected postgres://user@host[:port]/database"),
    };
    let rest = url.split_once("://").map(|x| x.1).ok_or_else(|| bad("not a URL"))?;
    let (userinfo, hostpart) = rest.split_once('@').ok_or_else(|| bad("no user"))?;
    if userinfo.contains(':') {
        return Err(CliError {
            code: "cli.invalid_input".into(),
            message: "the URL holds a password; pass it on standard input with --password-stdin instead, so it stays out of shell history and process lists".into(),
        });
    }
    let (hostport, db) = hostpart.split_once('/').ok_or_else(|| bad("no database"))?;
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse::<u16>().map_err(|_| bad("bad port"))?),
        None => (hostport.to_string(), 5432),
    };
    let db = db.split('?').next().unwrap_or(db).to_string();
    if userinfo.is_empty() || host.is_empty() || db.is_empty() {
        return Err(bad("incomplete"));
    }
    Ok((userinfo.to_string(), host, port, db))
}

/// The URL's TLS parameters, as libpq names them: `?sslmode=verify-full&sslrootcert=ca.pem`.
fn parse_pg_tls(url: &str) -> Result<(steward_sources::pg::SslMode, Option<String>), CliError> {
    use steward_sources::pg::SslMode;
    let bad = |message: String| CliError { code: "cli.invalid_input".into(), message };
    let mut mode = SslMode::default();
    let mut root = None;
    let query = url.split_once('?').map(|x| x.1).unwrap_or_default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => {
                mode = SslMode::parse(v).ok_or_else(|| {
                    bad(format!(
                        "sslmode `{v}`: use one of {}",
                        SslMode::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
                    ))
                })?
            }
            Some(("sslrootcert", v)) if !v.is_empty() => root = Some(v.to_string()),
            _ => return Err(bad(format!("URL parameter `{pair}`: only sslmode and sslrootcert are understood"))),
        }
    }
    Ok((mode, root))
}

#[allow(clippy::too_many_arguments)]
fn add_postgres(
    url: &str,
    password_stdin: bool,
    root: &Path,
    id: &Option<String>,
    name: &Option<String>,
    system: &Option<String>,
    table: &Option<String>,
    format: Format,
) -> Result<String, CliError> {
    let (user, host, port, database) = parse_pg_url(url)?;
    let (ssl_mode, ssl_root_cert) = parse_pg_tls(url)?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| CliError {
            code: "cli.io".into(),
            message: format!("reading the password from stdin: {e}"),
        })?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let mut ws = steward_app::open_or_init_workspace(root)?;
    let req = AddPostgres {
        host,
        port,
        database,
        user,
        password,
        table: table.clone(),
        id: id.clone(),
        name: name.clone(),
        system: system.clone(),
        ssl_mode,
        ssl_root_cert,
    };
    let (src, inspection) = steward_app::add_postgres(&mut ws, req, &Keychain)?;
    if format == Format::Json {
        return to_json(&serde_json::json!({ "source": src, "inspection": inspection }));
    }
    Ok(format!(
        "added `{}` (postgres {}, {} rows, {} columns) to {}; password stored in the OS keychain\n",
        src.id,
        src.table.as_deref().unwrap_or(""),
        thousands(inspection.row_count),
        inspection.columns.len(),
        ws.manifest_path().display()
    ))
}

/// The workspace a product file belongs to: the nearest folder above it holding steward.yaml.
fn workspace_of(file: &Path) -> PathBuf {
    let abs = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    abs.ancestors()
        .skip(1)
        .find(|d| d.join(steward_workspace::MANIFEST_FILE).is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn validate(file: &Path, workspace: Option<&Path>, format: Format) -> Result<String, CliError> {
    let def = steward_model::load(file).map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
    let root = workspace.map(Path::to_path_buf).unwrap_or_else(|| workspace_of(file));
    let ws = Workspace::open(&root)?;
    let issues = steward_app::validate_product(&ws, &def, &Keychain)?;
    let errors = issues.iter().filter(|i| i.severity == steward_model::Severity::Error).count();
    let warnings = issues.len() - errors;
    let body = if format == Format::Json {
        to_json(
            &serde_json::json!({ "file": file, "product": def.metadata.name, "valid": errors == 0, "issues": issues }),
        )?
    } else {
        let mut out = String::new();
        for i in &issues {
            let level = if i.severity == steward_model::Severity::Error { "error" } else { "warning" };
            out.push_str(&format!("{level}: {i}\n"));
        }
        out.push_str(&format!(
            "{}: {} {} — {errors} error{}, {warnings} warning{}\n",
            file.display(),
            def.metadata.name,
            def.metadata.version,
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ));
        out
    };
    if errors > 0 {
        // The report still goes to stdout; the exit code says it failed.
        print!("{body}");
        return Err(CliError {
            code: "model.invalid".into(),
            message: format!(
                "{}: {errors} error{} in the product definition",
                file.display(),
                if errors == 1 { "" } else { "s" }
            ),
        });
    }
    Ok(body)
}

fn formats_only(format: Format, allowed: &[Format], command: &str) -> Result<(), CliError> {
    if allowed.contains(&format) {
        return Ok(());
    }
    let names: Vec<String> =
        allowed.iter().map(|f| f.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()).collect();
    Err(CliError {
        code: "cli.invalid_input".into(),
        message: format!("`{command}` writes {}; not {format:?}", names.join(", ")).to_lowercase(),
    })
}

fn open_product(
    file: &Path,
    workspace: Option<&Path>,
) -> Result<(Workspace, steward_model::ProductDefinition), CliError> {
    let def = steward_model::load(file).map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
    let root = workspace.map(Path::to_path_buf).unwrap_or_else(|| workspace_of(file));
    Ok((Workspace::open(&root)?, def))
}

fn frame_text(df: &polars::prelude::DataFrame, format: Format) -> Result<String, CliError> {
    use polars::prelude::{JsonFormat, JsonWriter, SerWriter};
    use steward_sources::display::{csv_frame, json_frame};
    let unsupported = |(column, e): (String, polars::prelude::PolarsError)| CliError {
        code: "cli.output".into(),
        message: format!("column `{column}` cannot be written as {format:?}: {e}"),
    };
    let mut buf = Vec::new();
    let done = match format {
        Format::Json => {
            let mut df = json_frame(df).map_err(unsupported)?;
            JsonWriter::new(&mut buf).with_json_format(JsonFormat::Json).finish(&mut df)
        }
        Format::Csv => {
            let mut df = csv_frame(df).map_err(unsupported)?;
            polars::prelude::CsvWriter::new(&mut buf).include_header(true).finish(&mut df)
        }
        _ => return Ok(frame_table(df)),
    };
    done.map_err(|e| CliError { code: "cli.output".into(), message: e.to_string() })?;
    Ok(String::from_utf8_lossy(&buf).into_owned() + if format == Format::Json { "\n" } else { "" })
}

/// A frame as an aligned table: every column (none hidden), its type label under its name, and
/// each value as the grids show it (`steward-display`), long ones cut at 40 characters.
fn frame_table(df: &polars::prelude::DataFrame) -> String {
    use steward_sources::display::{cell_text, type_label};
    let names: Vec<&str> = df.columns().iter().map(|c| c.name().as_str()).collect();
    let mut rows = vec![df.columns().iter().map(|c| type_label(c.dtype())).collect::<Vec<_>>()];
    for i in 0..df.height() {
        rows.push(
            df.columns()
                .iter()
                .map(|c| {
                    let v = match c.get(i) {
                        // Related rows read as their count, as in the desktop's product table.
                        Ok(polars::prelude::AnyValue::List(rows)) if matches!(c.dtype(), polars::prelude::DataType::List(inner) if inner.is_struct()) => {
                            format!("{} row{}", rows.len(), if rows.len() == 1 { "" } else { "s" })
                        }
                        Ok(v) => cell_text(&v).unwrap_or_else(|| "null".into()),
                        Err(_) => "null".into(),
                    };
                    clip(&v.replace('\n', "⏎").replace(|ch: char| ch.is_control(), "�"), 40)
                })
                .collect(),
        );
    }
    format!("{} rows\n{}", df.height(), table(&names, &rows))
}

fn preview(
    file: &Path,
    entity: Option<&str>,
    limit: u32,
    offset: u32,
    workspace: Option<&Path>,
    profile: Option<&str>,
    format: Format,
) -> Result<String, CliError> {
    formats_only(format, &[Format::Table, Format::Json, Format::Csv], "preview")?;
    let (ws, def) = open_product(file, workspace)?;
    let mut a = steward_app::assemble_product(&ws, &def, &Keychain)?;
    let mut entity = entity.map(String::from);
    if let Some(name) = profile {
        let version = steward_app::masking_profile(&def, name)?.key_version.unwrap_or(1);
        let key = steward_app::masking_key(&Keychain, &def.metadata.name, version)?;
        let masked = steward_app::mask_tables(&ws, &def, &a, name, &key)?;
        // The steward names an entity by its original key; the masked product knows it by its masked one.
        if let Some(k) = entity.clone() {
            let original: Vec<String> = k.split(',').map(|s| s.trim().to_string()).collect();
            entity = steward_app::masked_key(&masked, &a.key, &original).map(|m| m.join(","));
            if entity.is_none() {
                return Err(CliError {
                    code: "product.unknown_entity".into(),
                    message: format!("{}: no {} with key {k}", def.metadata.name, def.entity.name),
                });
            }
        }
        a = steward_app::masked_assembled(&a, &masked);
    }
    let entity = entity.as_deref();
    let Some(key) = entity else {
        let page = a.product_page(i64::from(offset), limit.clamp(1, 100_000)).map_err(steward_app::AppError::from)?;
        return frame_text(&page, format);
    };
    let values: Vec<String> = key.split(',').map(|s| s.trim().to_string()).collect();
    let v = a.entity_360(&values).map_err(steward_app::AppError::from)?;
    if v.entity.height() == 0 {
        return Err(CliError {
            code: "product.unknown_entity".into(),
            message: format!("{}: no {} with key {key}", def.metadata.name, def.entity.name),
        });
    }
    if format == Format::Json {
        let mut tables = serde_json::Map::new();
        for (name, df) in std::iter::once(("entity".to_string(), v.entity.clone())).chain(v.related.clone()) {
            let text = frame_text(&df, Format::Json)?;
            let rows: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            tables.insert(name, rows);
        }
        return to_json(&serde_json::Value::Object(tables));
    }
    let mut out = if format == Format::Table {
        // One entity reads best as a list of fields.
        let rows: Vec<Vec<String>> = v
            .entity
            .columns()
            .iter()
            .map(|c| {
                let value =
                    c.get(0).ok().map(|x| steward_sources::display::cell_text(&x).unwrap_or_else(|| "null".into()));
                vec![c.name().to_string(), steward_sources::display::type_label(c.dtype()), value.unwrap_or_default()]
            })
            .collect();
        format!("{} {key}\n\n{}", def.entity.name, table(&["field", "type", "value"], &rows))
    } else {
        format!("{} {key}\n{}", def.entity.name, frame_text(&v.entity, format)?)
    };
    for (name, df) in &v.related {
        out.push_str(&format!("\n{name} ({} rows)\n{}", df.height(), frame_text(df, format)?));
    }
    Ok(out)
}

fn quality(file: &Path, workspace: Option<&Path>, format: Format) -> Result<String, CliError> {
    formats_only(format, &[Format::Table, Format::Json], "preview --quality")?;
    let (ws, def) = open_product(file, workspace)?;
    let a = steward_app::assemble_product(&ws, &def, &Keychain)?;
    let results = a.evaluate_quality(&def.quality).map_err(steward_app::AppError::from)?;
    if format == Format::Json {
        return to_json(&results);
    }
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                format!("quality[{}]", r.index),
                r.rule.clone(),
                if r.columns.is_empty() { r.table.clone() } else { format!("{}.{}", r.table, r.columns.join(",")) },
                if r.passed { "pass".into() } else { "FAIL".into() },
                format!("{} of {}", thousands(r.violations), thousands(r.checked)),
                r.samples.iter().map(|s| clip(s, 24)).collect::<Vec<_>>().join(" · "),
            ]
        })
        .collect();
    let failed = results.iter().filter(|r| !r.passed).count();
    let mut out =
        format!("{}: {} of {} quality rules pass\n\n", def.metadata.name, results.len() - failed, results.len());
    out.push_str(&table(&["rule", "kind", "field", "result", "violations", "samples"], &rows));
    Ok(out)
}

fn export(
    file: &Path,
    out: &Path,
    entities: &[String],
    workspace: Option<&Path>,
    format: Format,
    batch_entities: Option<u32>,
    profile: Option<&str>,
) -> Result<String, CliError> {
    use steward_assembly::ExportFormat;
    let to = match format {
        Format::Parquet => ExportFormat::Parquet,
        Format::Csv => ExportFormat::Csv,
        Format::Ndjson => ExportFormat::Ndjson,
        Format::Sqlite => ExportFormat::Sqlite,
        other => {
            return Err(CliError {
                code: "cli.invalid_input".into(),
                message: format!("`export` needs --format parquet, csv, ndjson or sqlite (not {other:?})")
                    .to_lowercase(),
            })
        }
    };
    let (ws, def) = open_product(file, workspace)?;
    let keys: Vec<Vec<String>> =
        entities.iter().map(|e| e.split(',').map(|s| s.trim().to_string()).collect()).collect();
    let summary = match profile {
        Some(name) => steward_app::export_masked(&ws, &def, &Keychain, name, to, out, &keys, batch_entities)?,
        None => steward_app::export_product(&ws, &def, &Keychain, to, out, &keys, batch_entities)?,
    };
    let mut text = format!("exported {} entities of {}:\n", thousands(summary.entities), def.metadata.name);
    for f in &summary.files {
        text.push_str(&format!("  {}\n", f.display()));
    }
    Ok(text)
}

fn privacy_check(
    file: &Path,
    profile: &str,
    quasi: Option<&[String]>,
    sensitive: Option<&str>,
    workspace: Option<&Path>,
    format: Format,
) -> Result<String, CliError> {
    formats_only(format, &[Format::Table, Format::Json], "privacy check")?;
    let (ws, def) = open_product(file, workspace)?;
    let a = steward_app::assemble_product(&ws, &def, &Keychain)?;
    let (report, _) = steward_app::privacy_report(&ws, &def, &a, profile, &Keychain, quasi, sensitive)?;
    let text = if format == Format::Json {
        to_json(&report)?
    } else {
        let mut t = format!(
            "{} masked with `{}` (key version {}): {} fields masked\n\n",
            report.product,
            report.profile,
            report.key_version,
            report.fields.len()
        );
        let rows: Vec<Vec<String>> = report
            .fields
            .iter()
            .map(|f| {
                let p = &f.properties;
                let yes = |b: bool| if b { "yes" } else { "-" }.to_string();
                vec![
                    format!("{}.{}", f.table, f.field),
                    f.rule.clone(),
                    f.via.clone(),
                    yes(p.deterministic),
                    yes(p.reversible),
                    yes(p.format_preserving),
                    yes(p.unique_preserving),
                ]
            })
            .collect();
        t.push_str(&table(&["field", "rule", "via", "deterministic", "reversible", "format", "unique"], &rows));
        t.push_str(&format!("\nleaks: {} original values survive masking\n", thousands(report.total_leaks)));
        for tl in &report.leaks {
            for c in tl.columns.iter().filter(|c| c.total() > 0 || c.anywhere > 0) {
                let other: Vec<String> = c.other_columns.iter().map(|(o, n)| format!("{n} in {o}")).collect();
                t.push_str(&format!(
                    "  {}.{}: {} kept in their own row{}; {} original values appear elsewhere in the column\n",
                    tl.table,
                    c.column,
                    c.same_row,
                    if other.is_empty() { String::new() } else { format!(", {}", other.join(", ")) },
                    c.anywhere
                ));
            }
        }
        for c in &report.collisions {
            t.push_str(&format!("collisions: {}.{}: {}\n", c.table, c.field, c.collisions));
        }
        if let Some(r) = &report.risk {
            t.push_str(&format!(
                "re-identification over {}: k = {}, {} classes, {:.1}% of records unique, prosecutor risk max {:.3} / avg {:.3}{}\n",
                r.quasi_identifiers.join(", "),
                r.k,
                thousands(r.classes),
                r.unique_share * 100.0,
                r.prosecutor_max,
                r.prosecutor_avg,
                r.l.map(|l| format!(", l = {l} for {}", r.sensitive.clone().unwrap_or_default())).unwrap_or_default()
            ));
        }
        for w in &report.warnings {
            t.push_str(&format!("warning: {w}\n"));
        }
        for v in &report.violations {
            t.push_str(&format!("violation: {v}\n"));
        }
        t
    };
    if report.violations.is_empty() {
        return Ok(text);
    }
    print!("{text}");
    Err(CliError {
        code: "privacy.check_failed".into(),
        message: format!(
            "{} `{}` breaks its thresholds: {}",
            report.product,
            report.profile,
            report.violations.join("; ")
        ),
    })
}

fn reveal(
    file: &Path,
    profile: &str,
    field: &str,
    key_version: Option<u32>,
    values: &[String],
    workspace: Option<&Path>,
    format: Format,
) -> Result<String, CliError> {
    formats_only(format, &[Format::Table, Format::Json, Format::Csv], "privacy reveal")?;
    let values: Vec<String> = if values.is_empty() {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| CliError { code: "cli.stdin".into(), message: format!("standard input: {e}") })?;
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
    } else {
        values.to_vec()
    };
    let (ws, def) = open_product(file, workspace)?;
    let a = steward_app::assemble_product_scanned(&ws, &def, &Keychain)?;
    let originals = steward_app::reveal_values(&ws, &def, &a, profile, field, &values, &Keychain, key_version)?;
    if format == Format::Table {
        let rows: Vec<Vec<String>> = values.iter().zip(&originals).map(|(m, o)| vec![m.clone(), o.clone()]).collect();
        return Ok(table(&["masked", "original"], &rows));
    }
    let df = polars::prelude::DataFrame::new(
        values.len(),
        vec![
            polars::prelude::Column::new("masked".into(), &values),
            polars::prelude::Column::new("original".into(), &originals),
        ],
    )
    .map_err(|e| CliError { code: "cli.output".into(), message: e.to_string() })?;
    frame_text(&df, format)
}

fn rotate_key(file: &Path, profile: &str) -> Result<String, CliError> {
    let mut def = steward_model::load(file).map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
    let version = steward_app::rotate_masking_key(&mut def, profile, &Keychain)?;
    let previous = std::fs::read_to_string(file).unwrap_or_default();
    steward_workspace::write_atomic(file, steward_model::to_yaml_replacing(&def, &previous).as_bytes())?;
    Ok(format!(
        "{}: masking profile `{profile}` now uses key version {version} (keychain entry `{}`)\n",
        def.metadata.name,
        steward_app::masking_key_name(&def.metadata.name, version)
    ))
}

fn list(root: &Path, format: Format) -> Result<String, CliError> {
    let ws = Workspace::open(root)?;
    if format == Format::Json {
        #[derive(Serialize)]
        struct Out<'a> {
            workspace: String,
            name: &'a str,
            sources: &'a [steward_workspace::SourceRef],
        }
        return to_json(&Out { workspace: ws.root().display().to_string(), name: ws.name(), sources: ws.sources() });
    }
    let rows: Vec<Vec<String>> = ws
        .sources()
        .iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.kind.as_str().into(),
                s.system.clone().unwrap_or_default(),
                s.path.clone(),
                s.name.clone(),
            ]
        })
        .collect();
    let mut out = format!("{} ({} sources)\n\n", ws.name(), rows.len());
    out.push_str(&table(&["id", "kind", "system", "path", "name"], &rows));
    Ok(out)
}

/// Resolves TARGET: an existing file wins; otherwise a source id of the workspace (a database
/// source gets its password from the OS keychain). Flags override what the workspace says.
fn resolve(target: &str, workspace: &Path, read: &ReadArgs) -> Result<(Target, Option<(Workspace, String)>), CliError> {
    let as_path = Path::new(target);
    let mut resolved = Target::File(Location::file(as_path));
    let mut found = None;
    let looks_like_id = !target.is_empty()
        && target.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !as_path.exists() && looks_like_id {
        if let Ok(ws) = Workspace::open(workspace) {
            if let Ok(src) = ws.source(target) {
                resolved = steward_app::target_of(&ws, src, &Keychain)?;
                found = Some((ws.clone(), src.id.clone()));
            }
        }
    }
    match &mut resolved {
        Target::File(loc) => {
            if read.table.is_some() {
                loc.table = read.table.clone();
            }
            if read.header_row.is_some() {
                loc.header_row = read.header_row;
            }
            loc.csv.delimiter = read.delimiter;
            loc.csv.has_header = read.no_header.then_some(false);
            loc.csv.allow_ragged = read.allow_ragged;
        }
        Target::Postgres(t) => {
            if read.table.is_some() {
                t.table = read.table.clone();
            }
        }
    }
    Ok((resolved, found))
}

fn inspect(target: &str, workspace: &Path, read: &ReadArgs, format: Format) -> Result<String, CliError> {
    let (resolved, _) = resolve(target, workspace, read)?;
    let i: Inspection = resolved.inspect()?;
    if format == Format::Json {
        return to_json(&i);
    }
    let rows: Vec<Vec<String>> =
        i.columns.iter().enumerate().map(|(n, c)| vec![(n + 1).to_string(), c.name.clone(), c.dtype.clone()]).collect();
    let table_label = i.table.as_ref().map(|t| format!(" [{t}]")).unwrap_or_default();
    let mut out = format!(
        "{}{table_label}  ({}, {} rows, {} columns)\n",
        i.path.display(),
        i.format.as_str(),
        thousands(i.row_count),
        i.columns.len()
    );
    if let Some(d) = &i.dialect {
        let delim = match d.delimiter {
            '\t' => "tab".to_string(),
            c => format!("`{c}`"),
        };
        let header = if d.has_header { "header row" } else { "no header row" };
        let quote = if d.quote == '"' { String::new() } else { format!(", quote `{}`", d.quote) };
        out.push_str(&format!("delimiter {delim}{quote}, {header}, {}\n", d.encoding));
    }
    if !i.tables.is_empty() {
        let names: Vec<String> = i.tables.iter().map(|t| format!("{} ({})", t.name, t.kind)).collect();
        out.push_str(&format!("tables: {}\n", names.join(", ")));
    }
    out.push('\n');
    out.push_str(&table(&["#", "column", "type"], &rows));
    Ok(out)
}

fn profile(target: &str, workspace: &Path, read: &ReadArgs, format: Format) -> Result<String, CliError> {
    let (resolved, _) = resolve(target, workspace, read)?;
    let label = resolved.label();
    let df = resolved.load()?;
    let cols = steward_profile::profile(&df, |_, _| true)
        .map_err(|e| CliError { code: e.code().into(), message: format!("{}: {e}", label.display()) })?;
    if format == Format::Json {
        return to_json(&serde_json::json!({ "path": label, "rows": df.height(), "columns": cols }));
    }
    let rows: Vec<Vec<String>> = cols
        .iter()
        .map(|c| {
            let top =
                c.top.first().map(|t| format!("{} ({})", clip(&t.value, 24), thousands(t.count))).unwrap_or_default();
            vec![
                c.name.clone(),
                c.dtype.clone(),
                format!("{:.1}%", c.null_share * 100.0),
                thousands(c.distinct),
                clip(c.min.as_deref().unwrap_or(""), 20),
                clip(c.max.as_deref().unwrap_or(""), 20),
                top,
                c.histogram
                    .as_ref()
                    .map(|h| sparkline(&h.bins.iter().map(|b| b.count).collect::<Vec<_>>()))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut out = format!("{}  ({} rows)\n\n", label.display(), thousands(df.height() as u64));
    out.push_str(&table(&["column", "type", "nulls", "distinct", "min", "max", "top value", "histogram"], &rows));
    Ok(out)
}

fn parse_decision(s: &str) -> Result<(String, String), CliError> {
    s.split_once('=')
        .map(|(c, t)| (c.trim().to_string(), t.trim().to_string()))
        .filter(|(c, t)| !c.is_empty() && !t.is_empty())
        .ok_or_else(|| CliError { code: "cli.invalid_input".into(), message: format!("`{s}`: expected COLUMN=TAG") })
}

fn classify(
    target: &str,
    workspace: &Path,
    accept: &[String],
    reject: &[String],
    read: &ReadArgs,
    format: Format,
) -> Result<String, CliError> {
    let (resolved, found) = resolve(target, workspace, read)?;
    let label = resolved.label();
    let result = match found {
        Some((mut ws, id)) => {
            for (list, accepted) in [(accept, true), (reject, false)] {
                for d in list {
                    let (column, tag) = parse_decision(d)?;
                    steward_app::decide(&mut ws, &id, &column, &tag, accepted, &Keychain)?;
                }
            }
            steward_app::classify(&ws, &id, &Keychain)?
        }
        None => {
            if !accept.is_empty() || !reject.is_empty() {
                return Err(CliError {
                    code: "cli.invalid_input".into(),
                    message: format!("{target}: decisions are saved per workspace source; add the file with `steward sources add` first"),
                });
            }
            let df = resolved.load()?;
            steward_app::classify_frame(&df, &Default::default())
        }
    };
    if format == Format::Json {
        return to_json(&result);
    }
    let rows: Vec<Vec<String>> = result
        .iter()
        .filter(|c| c.suggestion.is_some() || !c.accepted.is_empty() || !c.rejected.is_empty())
        .map(|c| {
            let (tag, conf, evidence) = match &c.suggestion {
                Some(s) => (s.tag.to_string(), format!("{:.0}%", s.confidence * 100.0), s.evidence.clone()),
                None => (String::new(), String::new(), String::new()),
            };
            let status = match &c.suggestion {
                Some(s) if c.accepted.iter().any(|t| t == s.tag.as_str()) => "accepted".to_string(),
                Some(s) if c.rejected.iter().any(|t| t == s.tag.as_str()) => "rejected".to_string(),
                Some(_) => "suggested".to_string(),
                None => format!("accepted: {}", c.accepted.join(", ")),
            };
            vec![c.column.clone(), tag, conf, status, evidence]
        })
        .collect();
    let mut out = format!("{}: {} of {} columns hold personal data\n\n", label.display(), rows.len(), result.len());
    out.push_str(&table(&["column", "classification", "confidence", "status", "evidence"], &rows));
    Ok(out)
}

fn relations(root: &Path, format: Format) -> Result<String, CliError> {
    let ws = Workspace::open(root)?;
    let report = steward_app::relations(&ws, &Keychain)?;
    if format == Format::Json {
        return to_json(&report);
    }
    let rows: Vec<Vec<String>> = report
        .suggestions
        .iter()
        .map(|s| {
            vec![
                format!("{}.{}", s.child, s.child_column),
                format!("{}.{}", s.parent, s.parent_column),
                format!("{:.2}", s.score),
                format!("{:.1}%", s.inclusion * 100.0),
                match s.cardinality {
                    steward_profile::Cardinality::OneToOne => "1:1".into(),
                    steward_profile::Cardinality::OneToMany => "1:n".into(),
                },
                format!("{} ({:.1}%)", thousands(s.orphan_rows), s.orphan_share * 100.0),
            ]
        })
        .collect();
    let mut out = format!("{}: {} suggested relationships\n\n", ws.name(), rows.len());
    out.push_str(&table(&["child", "parent", "score", "inclusion", "cardinality", "orphans"], &rows));
    for s in &report.skipped {
        out.push_str(&format!("\nskipped {}: {}\n", s.source_id, s.message));
    }
    Ok(out)
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
