//! `steward privacy`: check what a masking profile lets through, reveal reversibly masked
//! values, rotate a profile's key.

use std::path::Path;

use steward_app::secrets::Keychain;

use crate::args::Format;
use crate::render::*;
use crate::CliError;

use super::products::open_product;

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
    let report = steward_app::check_privacy(&ws, &def, profile, quasi, sensitive, &Keychain)?;
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
        for f in &report.found_elsewhere {
            t.push_str(&format!(
                "  {}: found in {}.{} ({} rows{})\n",
                f.field,
                f.table,
                f.column,
                thousands(f.rows),
                if f.in_text { ", inside the text" } else { "" }
            ));
        }
        if !report.uncovered.is_empty() {
            t.push_str(&format!("uncovered: {} fields hold personal data no rule covers\n", report.uncovered.len()));
            for u in &report.uncovered {
                let why = match u.confidence {
                    Some(c) => format!("suggested, {:.0}% sure", c * 100.0),
                    None => u.why.clone(),
                };
                let at = if u.table == "entity" { u.field.clone() } else { format!("{}.{}", u.table, u.field) };
                t.push_str(&format!("  {at}: {} ({why})\n", u.tag));
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
    let originals = steward_app::reveal(&ws, &def, profile, field, &values, key_version, &Keychain)?;
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
    let (def, version) = steward_app::rotate_key_in_file(file, profile, &Keychain)?;
    Ok(format!(
        "{}: masking profile `{profile}` now uses key version {version} (keychain entry `{}`)\n",
        def.metadata.name,
        steward_app::masking_key_name(&def.metadata.name, version)
    ))
}
