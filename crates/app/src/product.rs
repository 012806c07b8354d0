//! Checks of a product definition against the workspace's sources and their data: sources
//! exist, columns exist with the declared types, join keys have matching types, the instance key
//! is unique, declared 1:1 relationships are 1:1, and orphans stay under a threshold.

use crate::ErrorCode;
use std::collections::{HashMap, HashSet};
use steward_model::ENTITY_TABLE;

use polars::prelude::*;
use steward_model::{Field, FieldType, Issue, ProductDefinition};
use steward_secrets::SecretStore;
use steward_workspace::Workspace;

use crate::{target, AppError};
use steward_classify::thousands;

/// Share of related rows without a parent above which orphans are an error, not a warning.
pub const MAX_ORPHAN_SHARE: f64 = 0.05;

fn type_matches(declared: FieldType, dtype: &DataType) -> bool {
    match declared {
        FieldType::Str => matches!(dtype, DataType::String),
        // Only integers whose every value an i64 holds (not u64, i128, u128).
        FieldType::I64 => {
            dtype.is_integer() && !matches!(dtype, DataType::UInt64 | DataType::Int128 | DataType::UInt128)
        }
        FieldType::F64 => dtype.is_float() || dtype.is_integer(),
        FieldType::Bool => matches!(dtype, DataType::Boolean),
        FieldType::Date => matches!(dtype, DataType::Date),
        FieldType::Datetime => matches!(dtype, DataType::Datetime(_, _)),
    }
}

/// Whether two columns can be joined without a cast.
fn joinable(a: &DataType, b: &DataType) -> bool {
    (a.is_integer() && b.is_integer()) || a == b
}

/// One key per row, as text (composite keys joined), `None` when any part is null.
fn row_keys(df: &DataFrame, cols: &[&str]) -> PolarsResult<Vec<Option<String>>> {
    let columns: Vec<&Column> = cols.iter().map(|c| df.column(c)).collect::<PolarsResult<_>>()?;
    (0..df.height())
        .map(|i| {
            let mut parts = Vec::with_capacity(columns.len());
            for c in &columns {
                let v = c.get(i)?;
                if v.is_null() {
                    return Ok(None);
                }
                parts.push(v.str_value().into_owned());
            }
            Ok(Some(parts.join("\u{1f}")))
        })
        .collect()
}

struct Loaded {
    frame: DataFrame,
}

/// Validates `def` against the workspace: the static checks of `steward-model`, then the
/// sources, columns, types, keys and data. Returns every issue found; a source that cannot be
/// read is itself an issue.
pub fn validate_product(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
) -> Result<Vec<Issue>, AppError> {
    let mut out = steward_model::check(def);
    let mut loaded: HashMap<String, Option<Loaded>> = HashMap::new();
    let mut load = |at: &str, source: &str, out: &mut Vec<Issue>| -> Option<DataFrame> {
        if !loaded.contains_key(source) {
            let got = match ws.source(source) {
                Err(_) => {
                    let ids: Vec<&str> = ws.sources().iter().map(|s| s.id.as_str()).collect();
                    out.push(Issue::error(
                        format!("{at}.source"),
                        "model.unknown_source",
                        format!("no source `{source}` in the workspace; it has: {}", ids.join(", ")),
                    ));
                    None
                }
                Ok(_) => match target(ws, source, secrets).and_then(|t| Ok(t.load()?)) {
                    Ok(frame) => Some(Loaded { frame }),
                    Err(e) => {
                        out.push(Issue::error(format!("{at}.source"), e.code(), e.to_string()));
                        None
                    }
                },
            };
            loaded.insert(source.to_string(), got);
        }
        loaded.get(source).and_then(|l| l.as_ref()).map(|l| l.frame.clone())
    };

    // Fields: the column exists and has the declared type.
    let check_fields = |at: &str, source: &str, df: &DataFrame, fields: &[Field], out: &mut Vec<Issue>| {
        for (i, f) in fields.iter().enumerate() {
            match df.column(&f.column) {
                Err(_) => {
                    let have: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
                    out.push(Issue::error(
                        format!("{at}.fields[{i}].column"),
                        "model.unknown_column",
                        format!("`{}` is not a column of source `{source}`; it has: {}", f.column, have.join(", ")),
                    ));
                }
                Ok(c) => {
                    if let Some(t) = f.field_type {
                        if !type_matches(t, c.dtype()) {
                            out.push(Issue::error(
                                format!("{at}.fields[{i}].type"),
                                "model.type_mismatch",
                                format!("declared {}, but {source}.{} is {}", t.as_str(), f.column, c.dtype()),
                            ));
                        }
                    }
                }
            }
        }
    };

    let entity = &def.entity;
    let Some(root) = load(ENTITY_TABLE, &entity.source, &mut out) else { return Ok(out) };
    check_fields(ENTITY_TABLE, &entity.source, &root, &entity.fields, &mut out);
    // Product field name → source column of the root.
    let root_column = |field: &str| -> String {
        entity.fields.iter().find(|f| f.name() == field).map(|f| f.column.clone()).unwrap_or_else(|| field.to_string())
    };
    let key_cols: Vec<String> = entity.key.names().iter().map(|k| root_column(k)).collect();
    let key_refs: Vec<&str> = key_cols.iter().map(String::as_str).collect();
    if key_refs.iter().all(|k| root.column(k).is_ok()) {
        if let Ok(keys) = row_keys(&root, &key_refs) {
            let nulls = keys.iter().filter(|k| k.is_none()).count();
            let mut seen = HashSet::new();
            let mut dups = vec![];
            for k in keys.iter().flatten() {
                if !seen.insert(k.as_str()) && dups.len() < 1000 {
                    dups.push(k.clone());
                }
            }
            if !dups.is_empty() {
                let sample: Vec<&str> = dups.iter().take(5).map(String::as_str).collect();
                out.push(Issue::error(
                    "entity.key",
                    "model.duplicate_key",
                    format!(
                        "{} instance keys appear more than once (e.g. {})",
                        thousands(dups.len()),
                        sample.join(", ")
                    ),
                ));
            }
            if nulls > 0 {
                out.push(Issue::error(
                    "entity.key",
                    "model.null_key",
                    format!("{} rows have no instance key", thousands(nulls)),
                ));
            }
        }
    }
    let parent_keys = |cols: &[String]| -> Option<HashSet<String>> {
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        row_keys(&root, &refs).ok().map(|ks| ks.into_iter().flatten().collect())
    };

    let tables = def
        .related
        .iter()
        .map(|r| ("related", &r.name, &r.source, &r.join, &r.fields, Some(r.cardinality)))
        .chain(def.reference.iter().map(|r| ("reference", &r.name, &r.source, &r.join, &r.fields, None)));
    for (kind, name, source, join, fields, cardinality) in tables {
        let at = format!("{kind}[{name}]");
        let Some(df) = load(&at, source, &mut out) else { continue };
        check_fields(&at, source, &df, fields, &mut out);
        let mut ok = true;
        for (i, j) in join.iter().enumerate() {
            let parent_col = root_column(&j.parent);
            let (Ok(p), Ok(c)) = (root.column(&parent_col), df.column(&j.child)) else {
                if df.column(&j.child).is_err() {
                    out.push(Issue::error(
                        format!("{at}.join[{i}].child"),
                        "model.unknown_column",
                        format!("`{}` is not a column of source `{source}`", j.child),
                    ));
                }
                ok = false;
                continue;
            };
            if !joinable(p.dtype(), c.dtype()) {
                out.push(Issue::error(
                    format!("{at}.join[{i}]"),
                    "model.join_type_mismatch",
                    format!("{} is {}, {source}.{} is {}", j.parent, p.dtype(), j.child, c.dtype()),
                ));
                ok = false;
            }
        }
        if !ok || join.is_empty() {
            continue;
        }
        let parent_cols: Vec<String> = join.iter().map(|j| root_column(&j.parent)).collect();
        let child_cols: Vec<&str> = join.iter().map(|j| j.child.as_str()).collect();
        let (Some(parents), Ok(children)) = (parent_keys(&parent_cols), row_keys(&df, &child_cols)) else { continue };
        if kind == "related" {
            let present: Vec<&String> = children.iter().flatten().collect();
            let orphans = present.iter().filter(|k| !parents.contains(k.as_str())).count();
            if orphans > 0 {
                let share = orphans as f64 / present.len().max(1) as f64;
                let msg = format!(
                    "{} of {} rows ({:.1}%) have no matching {}",
                    thousands(orphans),
                    thousands(present.len()),
                    share * 100.0,
                    def.entity.name
                );
                out.push(if share > MAX_ORPHAN_SHARE {
                    Issue::error(
                        format!("{at}.join"),
                        "model.orphans",
                        format!("{msg}, above the {:.0}% limit", MAX_ORPHAN_SHARE * 100.0),
                    )
                } else {
                    Issue::warning(format!("{at}.join"), "model.orphans", msg)
                });
            }
            if cardinality == Some(steward_model::Cardinality::OneToOne) {
                let mut counts: HashMap<&str, usize> = HashMap::new();
                for k in &present {
                    *counts.entry(k.as_str()).or_default() += 1;
                }
                let many = counts.values().filter(|&&n| n > 1).count();
                if many > 0 {
                    let most = counts.values().max().copied().unwrap_or(0);
                    out.push(Issue::error(
                        format!("{at}.cardinality"),
                        "model.cardinality",
                        format!(
                            "declared one_to_one, but {} {} have several rows (up to {most}); use one_to_many",
                            thousands(many),
                            def.entity.name
                        ),
                    ));
                }
            }
        } else {
            // A lookup must give at most one row per key.
            let mut seen = HashSet::new();
            let repeated = children.iter().flatten().filter(|k| !seen.insert(k.as_str())).count();
            if repeated > 0 {
                out.push(Issue::error(
                    format!("{at}.join"),
                    "model.reference_not_unique",
                    format!(
                        "{} keys of `{source}` appear more than once; a reference table needs one row per key",
                        thousands(repeated)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The workspace source ids a product reads, each once, in definition order.
fn product_sources(def: &ProductDefinition) -> Vec<&String> {
    let mut ids: Vec<&String> = vec![];
    let all = std::iter::once(&def.entity.source)
        .chain(def.related.iter().map(|r| &r.source))
        .chain(def.reference.iter().map(|r| &r.source));
    for id in all {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Loads the sources a product uses and assembles it (lazily). Validate the definition first:
/// this reports only the first problem it meets.
pub fn assemble_product(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
) -> Result<steward_assembly::Assembled, AppError> {
    let mut frames = HashMap::new();
    for id in product_sources(def) {
        frames.insert(id.clone(), target(ws, id, secrets)?.load()?);
    }
    Ok(steward_assembly::assemble(def, &frames)?)
}

/// Assembles a product over lazy scans of its sources, for exports: Parquet and Arrow sources
/// are read piece by piece as the export's batches need them, never held whole.
pub fn assemble_product_scanned(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
) -> Result<steward_assembly::Assembled, AppError> {
    let mut frames = HashMap::new();
    for id in product_sources(def) {
        frames.insert(id.clone(), target(ws, id, secrets)?.scan()?);
    }
    Ok(steward_assembly::assemble_lazy(def, &frames)?)
}

/// Bytes a source takes on disk (0 for databases): input to the export's memory estimate.
pub fn source_bytes(ws: &Workspace, source_id: &str) -> u64 {
    ws.source(source_id)
        .ok()
        .filter(|s| !s.path.is_empty() && s.kind != steward_workspace::SourceKind::Postgres)
        .and_then(|s| std::fs::metadata(ws.source_path(s)).ok())
        .map_or(0, |m| m.len())
}

/// Folder of a workspace holding product definitions.
pub const PRODUCTS_DIR: &str = "products";

/// The definition file of product `id` (`products/<id>.yaml`).
pub fn product_path(ws: &Workspace, id: &str) -> std::path::PathBuf {
    ws.root().join(PRODUCTS_DIR).join(format!("{id}.yaml"))
}

/// Every `products/*.yaml` of the workspace with its parsed definition, or why it did not parse.
pub fn list_products(ws: &Workspace) -> Vec<(String, Result<ProductDefinition, steward_model::ModelError>)> {
    let dir = ws.root().join(PRODUCTS_DIR);
    let mut out: Vec<(String, Result<ProductDefinition, steward_model::ModelError>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let id = path.file_stem()?.to_str()?.to_string();
            (path.extension().is_some_and(|x| x == "yaml" || x == "yml")).then(|| (id, steward_model::load(&path)))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Profiles one column of an assembled product's table (`entity` or a related table's name).
pub fn profile_product_column(
    assembled: &steward_assembly::Assembled,
    table: &str,
    column: &str,
) -> Result<steward_profile::ColumnProfile, AppError> {
    let frame = if table == ENTITY_TABLE {
        assembled.entity.clone()
    } else {
        let Some(r) = assembled.related.iter().find(|r| r.name == table) else {
            let have: Vec<&str> =
                std::iter::once(ENTITY_TABLE).chain(assembled.related.iter().map(|r| r.name.as_str())).collect();
            return Err(AppError::InvalidInput(format!(
                "{}: no table `{table}`; it has: {}",
                assembled.name,
                have.join(", ")
            )));
        };
        r.frame.clone()
    };
    let owner = format!("{}.{table}", assembled.name);
    let schema = frame.clone().collect_schema().map_err(|e| AppError::InvalidInput(format!("{owner}: {e}")))?;
    if schema.get(column).is_none() {
        let have: Vec<&str> = schema.iter_names().map(|s| s.as_str()).collect();
        return Err(AppError::InvalidInput(format!("{owner}: no column `{column}`; it has: {}", have.join(", "))));
    }
    let df =
        frame.select([col(column)]).collect().map_err(|e| AppError::InvalidInput(format!("{owner}.{column}: {e}")))?;
    crate::insight::profile_frame_column(&df, column, &owner)
}

/// Entities per pass of a large export that fits in memory.
pub const DEFAULT_BATCH: u32 = 250_000;

/// Entities per pass when the related tables are held in memory.
pub const HELD_BATCH: u32 = 50_000;

/// Memory an export may plan to use: a third of what the system has available.
fn export_budget() -> u64 {
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find(|l| l.starts_with("MemAvailable:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    available.unwrap_or(8 << 30) / 3
}

/// Rough bytes in memory per byte on disk: columnar files decompress, text shrinks a little.
fn expansion(ws: &Workspace, source_id: &str) -> u64 {
    match ws.source(source_id).map(|s| s.kind) {
        Ok(steward_workspace::SourceKind::Parquet) => 5,
        Ok(steward_workspace::SourceKind::Excel) => 4,
        _ => 2,
    }
}

/// Entities per pass of an export: as asked, or chosen so the product fits the memory budget.
pub(crate) fn export_batch(
    ws: &Workspace,
    def: &ProductDefinition,
    a: &steward_assembly::Assembled,
    keys: &[Vec<String>],
    batch_entities: Option<u32>,
) -> Result<Option<u32>, AppError> {
    Ok(match batch_entities {
        Some(n) => Some(n.max(1)),
        None if !keys.is_empty() => None,
        None => {
            let estimate: u64 = product_sources(def).iter().map(|id| source_bytes(ws, id) * expansion(ws, id)).sum();
            let budget = export_budget();
            let entities = a.count()?;
            if estimate > budget {
                let n = (entities as u128 * budget as u128 / estimate.max(1) as u128).clamp(10_000, u32::MAX as u128);
                tracing::info!(
                    estimate,
                    budget,
                    batch = n as u64,
                    "product larger than the memory budget: exporting in batches"
                );
                Some(n as u32)
            } else if entities > 2 * u64::from(DEFAULT_BATCH) {
                // Key ranges are also faster on large products: each range's rows are filtered in
                // the reader and grouped in cache-sized pieces (see docs/benchmarks.md).
                Some(DEFAULT_BATCH)
            } else {
                None
            }
        }
    })
}

/// How to export: key ranges as [`export_batch`] says, holding the related tables in memory
/// when they fit half the budget (each is then read once, not once per range).
pub(crate) fn export_options(
    ws: &Workspace,
    def: &ProductDefinition,
    a: &steward_assembly::Assembled,
    keys: &[Vec<String>],
    batch_entities: Option<u32>,
) -> Result<steward_assembly::ExportOptions, AppError> {
    let mut batch = export_batch(ws, def, a, keys, batch_entities)?;
    let related: u64 = def.related.iter().map(|r| source_bytes(ws, &r.source) * expansion(ws, &r.source)).sum();
    let hold_related = batch.is_some() && related <= export_budget() / 2;
    if hold_related && batch_entities.is_none() && batch == Some(DEFAULT_BATCH) {
        // Ranges that take their rows from memory are cheap: small ones keep each grouping in
        // cache (see docs/benchmarks.md).
        batch = Some(HELD_BATCH);
    }
    Ok(steward_assembly::ExportOptions { batch_entities: batch, hold_related })
}

/// Exports a product over lazy scans of its sources. With `batch_entities` unset, the product
/// is written in one pass when its estimated size fits a third of available memory, and
/// otherwise in key ranges sized to fit, so exports work when the product is larger than memory.
pub fn export_product(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
    format: steward_assembly::ExportFormat,
    dir: &std::path::Path,
    keys: &[Vec<String>],
    batch_entities: Option<u32>,
) -> Result<steward_assembly::ExportSummary, AppError> {
    let a = assemble_product_scanned(ws, def, secrets)?;
    let options = export_options(ws, def, &a, keys, batch_entities)?;
    Ok(steward_assembly::export_with(&a, format, dir, keys, options)?)
}
