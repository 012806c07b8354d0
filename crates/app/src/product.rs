//! Assembling, profiling and exporting a product of the workspace. Its checks against the
//! sources and their data are in `validation`.

use std::collections::HashMap;

use polars::prelude::*;
use steward_model::{ProductDefinition, ENTITY_TABLE};
use steward_secrets::SecretStore;
use steward_workspace::Workspace;

use crate::{target, AppError};

/// The workspace source ids a product reads, each once, in definition order.
pub fn product_sources(def: &ProductDefinition) -> Vec<&String> {
    let mut ids: Vec<&String> = vec![];
    let tree = def.tree();
    let all = std::iter::once(&def.entity.source)
        .chain(tree.nodes.iter().map(|n| &n.table.source))
        .chain(tree.lookups.iter().map(|l| &l.reference.source));
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
        r.frame().clone()
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
            } else if entities > 2 * u64::from(HELD_BATCH) {
                // Key ranges are also faster on large products: each range's rows are filtered in
                // the reader and nested in cache-sized pieces, and one range is written while the
                // next is assembled (see docs/benchmarks.md).
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
    let related: u64 =
        def.tree().nodes.iter().map(|n| source_bytes(ws, &n.table.source) * expansion(ws, &n.table.source)).sum();
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
