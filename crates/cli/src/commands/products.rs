//! Product commands: `model validate`, `model new`, `preview` (table, JSON, CSV, 360 view,
//! quality) and `export`.

use std::path::Path;

use steward_app::model::{ProductDefinition, Severity, ENTITY_TABLE};
use steward_app::secrets::Keychain;
use steward_app::{ExportFormat, Preview, Workspace};

use crate::args::Format;
use crate::render::*;
use crate::CliError;

pub(crate) fn validate(file: &Path, workspace: Option<&Path>, format: Format) -> Result<String, CliError> {
    let (ws, def) = open_product(file, workspace)?;
    let issues = steward_app::validate_product(&ws, &def, &Keychain)?;
    let errors = issues.iter().filter(|i| i.severity == Severity::Error).count();
    let warnings = issues.len() - errors;
    let body = if format == Format::Json {
        to_json(
            &serde_json::json!({ "file": file, "product": def.metadata.name, "valid": errors == 0, "issues": issues }),
        )?
    } else {
        let mut out = String::new();
        for i in &issues {
            let level = if i.severity == Severity::Error { "error" } else { "warning" };
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

/// `steward model new`: a product over one root source, as the desktop's New product dialog
/// makes it.
pub(crate) fn new(
    workspace: &Path,
    root: &str,
    key: &[String],
    id: Option<&str>,
    entity: Option<&str>,
    owner: Option<&str>,
    format: Format,
) -> Result<String, CliError> {
    let ws = steward_app::open_workspace(workspace)?;
    let id = id.unwrap_or(root).to_string();
    let entity = entity.map(str::to_string).unwrap_or_else(|| title_case(root));
    let owner = owner.map(str::to_string).unwrap_or_else(|| ws.name().to_string());
    let req = steward_app::NewProduct { id: id.clone(), entity, source_id: root.to_string(), key: key.to_vec(), owner };
    steward_app::new_product(&ws, &req, &Keychain)?;
    let path = steward_app::product_path(&ws, &id);
    if format == Format::Json {
        return to_json(&serde_json::json!({ "product": id, "file": path }));
    }
    Ok(format!(
        "created product `{id}` over source `{root}` (key {}): {}\nnext: steward model validate {}\n",
        key.join(", "),
        path.display(),
        path.display()
    ))
}

/// `customer_accounts` → `Customer accounts`.
fn title_case(id: &str) -> String {
    let words = id.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn open_product(file: &Path, workspace: Option<&Path>) -> Result<(Workspace, ProductDefinition), CliError> {
    Ok(steward_app::open_definition(file, workspace)?)
}

pub(crate) fn preview(
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
    let key = entity.map(steward_app::parse_entity_key);
    let v = match steward_app::preview_product(&ws, &def, key.as_deref(), offset, limit, profile, &Keychain)? {
        Preview::Page(page) => return frame_text(&page, format),
        Preview::Entity(v) => v,
    };
    let key = entity.unwrap_or_default();
    if format == Format::Json {
        let mut tables = serde_json::Map::new();
        for (name, df) in std::iter::once((ENTITY_TABLE.to_string(), v.entity.clone())).chain(v.related.clone()) {
            let text = frame_text(&df, Format::Json)?;
            let rows: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            tables.insert(name, rows);
        }
        return to_json(&serde_json::Value::Object(tables));
    }
    let mut out = if format == Format::Table {
        // One entity reads best as a list of fields.
        format!("{} {key}\n\n{}", def.entity.name, fields_table(&v.entity))
    } else {
        format!("{} {key}\n{}", def.entity.name, frame_text(&v.entity, format)?)
    };
    for (name, df) in &v.related {
        out.push_str(&format!("\n{name} ({} rows)\n{}", df.height(), frame_text(df, format)?));
    }
    Ok(out)
}

pub(crate) fn quality(file: &Path, workspace: Option<&Path>, format: Format) -> Result<String, CliError> {
    formats_only(format, &[Format::Table, Format::Json], "preview --quality")?;
    let (ws, def) = open_product(file, workspace)?;
    let results = steward_app::product_quality(&ws, &def, &Keychain)?;
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

pub(crate) fn export(
    file: &Path,
    out: &Path,
    entities: &[String],
    workspace: Option<&Path>,
    format: Format,
    batch_entities: Option<u32>,
    profile: Option<&str>,
) -> Result<String, CliError> {
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
    let keys: Vec<Vec<String>> = entities.iter().map(|e| steward_app::parse_entity_key(e)).collect();
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
