//! `steward sources …`: listing, adding (files and PostgreSQL tables), inspecting, profiling,
//! classifying sources and discovering relationships between them.

use std::path::Path;

use steward_app::secrets::Keychain;
use steward_app::{AddFile, AddPostgres, Cardinality, Inspection, PgSslMode, ReadOverrides, Target, Workspace};

use crate::args::{Format, ReadArgs};
use crate::render::*;
use crate::CliError;

pub(crate) fn add(root: &Path, req: AddFile, format: Format) -> Result<String, CliError> {
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
pub(crate) fn parse_pg_url(url: &str) -> Result<(String, String, u16, String), CliError> {
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
pub(crate) fn parse_pg_tls(url: &str) -> Result<(PgSslMode, Option<String>), CliError> {
    use PgSslMode as SslMode;
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
pub(crate) fn add_postgres(
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

pub(crate) fn list(root: &Path, format: Format) -> Result<String, CliError> {
    let ws = steward_app::open_workspace(root)?;
    if format == Format::Json {
        // The desktop's shape of the same workspace (`get_workspace`): one contract for both.
        return to_json(&steward_ipc::WorkspaceInfo::from(&ws));
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

/// Keeps a column as text, or reads it as dates again; answers with the workspace as `list` does.
pub(crate) fn keep_text(
    root: &Path,
    source: &str,
    column: &str,
    keep: bool,
    format: Format,
) -> Result<String, CliError> {
    let mut ws = steward_app::open_workspace(root)?;
    steward_app::keep_as_text(&mut ws, source, column, keep)?;
    if format == Format::Json {
        return to_json(&steward_ipc::WorkspaceInfo::from(&ws));
    }
    Ok(if keep {
        format!("{source}.{column} is kept as text\n")
    } else {
        format!("{source}.{column} is read as dates when its values are ISO-8601\n")
    })
}

/// Resolves TARGET (a file, or a source id of the workspace) with the read flags.
pub(crate) fn resolve(
    target: &str,
    workspace: &Path,
    read: &ReadArgs,
) -> Result<(Target, Option<(Workspace, String)>), CliError> {
    let read = ReadOverrides {
        table: read.table.clone(),
        header_row: read.header_row,
        delimiter: read.delimiter,
        no_header: read.no_header,
        allow_ragged: read.allow_ragged,
    };
    Ok(steward_app::resolve_target(target, workspace, &read, &Keychain)?)
}

pub(crate) fn inspect(target: &str, workspace: &Path, read: &ReadArgs, format: Format) -> Result<String, CliError> {
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

pub(crate) fn profile(target: &str, workspace: &Path, read: &ReadArgs, format: Format) -> Result<String, CliError> {
    let (resolved, _) = resolve(target, workspace, read)?;
    let label = resolved.label();
    let df = resolved.load()?;
    let cols = steward_app::profile_frame(&df, &label)?;
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

pub(crate) fn parse_decision(s: &str) -> Result<(String, String), CliError> {
    s.split_once('=')
        .map(|(c, t)| (c.trim().to_string(), t.trim().to_string()))
        .filter(|(c, t)| !c.is_empty() && !t.is_empty())
        .ok_or_else(|| CliError { code: "cli.invalid_input".into(), message: format!("`{s}`: expected COLUMN=TAG") })
}

pub(crate) fn classify(
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

pub(crate) fn relations(root: &Path, format: Format) -> Result<String, CliError> {
    let ws = steward_app::open_workspace(root)?;
    let report = steward_app::relations(&ws, &Keychain)?;
    if format == Format::Json {
        return to_json(&report);
    }
    let rows: Vec<Vec<String>> = report
        .suggestions
        .iter()
        .map(|s| {
            let cols = |t: &str, cs: &[String]| match cs {
                [one] => format!("{t}.{one}"),
                many => format!("{t}.({})", many.join(", ")),
            };
            vec![
                cols(&s.child, &s.child_columns),
                cols(&s.parent, &s.parent_columns),
                match s.role {
                    steward_app::RelationRole::Child => "child".into(),
                    steward_app::RelationRole::Lookup => "lookup".into(),
                },
                format!("{:.2}", s.score),
                format!("{:.1}%", s.inclusion * 100.0),
                format!("{:.1}%", s.parent_coverage * 100.0),
                match s.cardinality {
                    Cardinality::OneToOne => "1:1".into(),
                    Cardinality::OneToMany => "1:n".into(),
                },
                format!("{} ({:.1}%)", thousands(s.orphan_rows), s.orphan_share * 100.0),
            ]
        })
        .collect();
    let mut out = format!("{}: {} suggested relationships\n\n", ws.name(), rows.len());
    out.push_str(&table(&["child", "parent", "role", "score", "inclusion", "covers", "cardinality", "orphans"], &rows));
    for s in &report.skipped {
        out.push_str(&format!("\nskipped {}: {}\n", s.source_id, s.message));
    }
    Ok(out)
}
