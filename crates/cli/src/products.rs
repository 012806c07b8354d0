//! Product commands: `model validate`, `preview` (table, JSON, CSV, 360 view, quality),
//! `export`, and the privacy commands (`check`, `reveal`, `rotate-key`).

use super::*;

/// The workspace a product file belongs to: the nearest folder above it holding steward.yaml.
pub(crate) fn workspace_of(file: &Path) -> PathBuf {
    let abs = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    abs.ancestors()
        .skip(1)
        .find(|d| d.join(steward_workspace::MANIFEST_FILE).is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub(crate) fn validate(file: &Path, workspace: Option<&Path>, format: Format) -> Result<String, CliError> {
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

pub(crate) fn formats_only(format: Format, allowed: &[Format], command: &str) -> Result<(), CliError> {
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

pub(crate) fn open_product(
    file: &Path,
    workspace: Option<&Path>,
) -> Result<(Workspace, steward_model::ProductDefinition), CliError> {
    let def = steward_model::load(file).map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
    let root = workspace.map(Path::to_path_buf).unwrap_or_else(|| workspace_of(file));
    Ok((Workspace::open(&root)?, def))
}

pub(crate) fn frame_text(df: &polars::prelude::DataFrame, format: Format) -> Result<String, CliError> {
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
pub(crate) fn frame_table(df: &polars::prelude::DataFrame) -> String {
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

pub(crate) fn quality(file: &Path, workspace: Option<&Path>, format: Format) -> Result<String, CliError> {
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

pub(crate) fn export(
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

pub(crate) fn privacy_check(
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

pub(crate) fn reveal(
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

pub(crate) fn rotate_key(file: &Path, profile: &str) -> Result<String, CliError> {
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
