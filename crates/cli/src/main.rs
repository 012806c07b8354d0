//! # steward (CLI)
//!
//! The command line face of Steward's core crates: every command here is a thin layer over
//! `steward-workspace` and `steward-sources`, printing tables for people or JSON (`--format json`)
//! for scripts. Errors go to stderr with the file they concern and a non-zero exit code; with
//! `--format json` they are `{"error": {"code", "message"}}`.
//!
//! It must not hold logic of its own that the desktop app would need too: that belongs in a core crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use steward_app::AddFile;
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
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Work with the sources of a workspace, or with any data file.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
}

#[derive(Subcommand, Debug)]
enum SourcesCommand {
    /// Add a file to the workspace after checking that it reads.
    Add {
        path: PathBuf,
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
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Sources { command } => match command {
            SourcesCommand::List { workspace } => list(workspace, cli.format),
            SourcesCommand::Add { path, workspace, id, name, system, table, header_row } => add(
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
        },
    };
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
                Format::Table => eprintln!("error: {}", e.message),
            }
            ExitCode::FAILURE
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| CliError { code: "cli.json".into(), message: e.to_string() })
}

fn add(root: &Path, req: AddFile, format: Format) -> Result<String, CliError> {
    let mut ws = Workspace::open(root)?;
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

/// Resolves TARGET: an existing file wins; otherwise a source id of the workspace. Flags
/// override what the workspace says about the source.
fn resolve_target(target: &str, workspace: &Path, read: &ReadArgs) -> Location {
    let as_path = Path::new(target);
    let mut loc = Location::file(as_path);
    let looks_like_id = !target.is_empty()
        && target.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !as_path.exists() && looks_like_id {
        if let Ok(ws) = Workspace::open(workspace) {
            if let Ok(src) = ws.source(target) {
                loc = steward_app::location_of(&ws, src);
            }
        }
    }
    if read.table.is_some() {
        loc.table = read.table.clone();
    }
    if read.header_row.is_some() {
        loc.header_row = read.header_row;
    }
    loc.csv.delimiter = read.delimiter;
    loc.csv.has_header = read.no_header.then_some(false);
    loc.csv.allow_ragged = read.allow_ragged;
    loc
}

fn inspect(target: &str, workspace: &Path, read: &ReadArgs, format: Format) -> Result<String, CliError> {
    let loc = resolve_target(target, workspace, read);
    let i: Inspection = steward_sources::inspect(&loc)?;
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
        out.push_str(&format!("delimiter {delim}, {header}, {}\n", d.encoding));
    }
    if !i.tables.is_empty() {
        let names: Vec<String> = i.tables.iter().map(|t| format!("{} ({})", t.name, t.kind)).collect();
        out.push_str(&format!("tables: {}\n", names.join(", ")));
    }
    out.push('\n');
    out.push_str(&table(&["#", "column", "type"], &rows));
    Ok(out)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
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
