//! Exports of an assembled product, written batch by batch into temporary files that are renamed
//! into place only when complete.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::{key_filter, Assembled, AssemblyError};

/// Entities per written batch.
pub const EXPORT_BATCH: u32 = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The nested product table, one row per entity.
    Parquet,
    /// One flat CSV file per entity table.
    Csv,
    /// The nested product, one JSON object per entity and line.
    Ndjson,
    /// A SQLite micro-database: one table per entity table, keyed by the instance key.
    Sqlite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub files: Vec<PathBuf>,
    pub entities: u64,
}

fn werr(path: &Path, e: impl std::fmt::Display) -> AssemblyError {
    AssemblyError::Write { path: path.to_path_buf(), message: e.to_string() }
}

/// Writes to `<path>.tmp` and renames onto `path` once `write` succeeded.
fn atomically(path: &Path, write: impl FnOnce(&Path) -> Result<(), AssemblyError>) -> Result<(), AssemblyError> {
    let tmp = path.with_extension(format!("{}.tmp", path.extension().and_then(|e| e.to_str()).unwrap_or("out")));
    let _ = std::fs::remove_file(&tmp);
    match write(&tmp).and_then(|_| std::fs::rename(&tmp, path).map_err(|e| werr(path, e))) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// The product restricted to chosen entities (all when `keys` is empty).
fn restricted(a: &Assembled, keys: &[Vec<String>]) -> Result<Assembled, AssemblyError> {
    if keys.is_empty() {
        return Ok(a.clone());
    }
    let mut any = lit(false);
    for k in keys {
        if k.len() != a.key.len() {
            return Err(AssemblyError::KeyArity { key: a.key.join(", "), expected: a.key.len(), got: k.len() });
        }
        any = any.or(key_filter(&a.key, k));
    }
    let mut out = a.clone();
    out.entity = a.entity.clone().filter(any);
    Ok(out)
}

/// Exports `a` (or only the entities in `keys`) into `dir` in `format`.
pub fn export(
    a: &Assembled,
    format: ExportFormat,
    dir: &Path,
    keys: &[Vec<String>],
) -> Result<ExportSummary, AssemblyError> {
    std::fs::create_dir_all(dir).map_err(|e| werr(dir, e))?;
    let a = restricted(a, keys)?;
    let entities = a.count()?;
    let batches = entities.div_ceil(u64::from(EXPORT_BATCH)).max(1);
    // Nest and sort once; batches are slices of the result (re-assembling per batch would redo
    // the joins for every batch).
    let nested = if matches!(format, ExportFormat::Parquet | ExportFormat::Ndjson) {
        let keys: Vec<Expr> = a.key.iter().map(|k| col(k.as_str())).collect();
        a.product()
            .sort_by_exprs(keys, SortMultipleOptions::default().with_maintain_order(true))
            .collect()
            .map_err(|e| werr(dir, e))?
    } else {
        DataFrame::empty()
    };
    let page = |i: u64| -> Result<DataFrame, AssemblyError> {
        Ok(nested.slice((i * u64::from(EXPORT_BATCH)) as i64, EXPORT_BATCH as usize))
    };
    let mut files = vec![];
    match format {
        ExportFormat::Parquet => {
            let path = dir.join(format!("{}.parquet", a.name));
            atomically(&path, |tmp| {
                let file = std::fs::File::create(tmp).map_err(|e| werr(tmp, e))?;
                let first = page(0)?;
                let mut w = ParquetWriter::new(file).batched(first.schema()).map_err(|e| werr(tmp, e))?;
                w.write_batch(&first).map_err(|e| werr(tmp, e))?;
                for i in 1..batches {
                    w.write_batch(&page(i)?).map_err(|e| werr(tmp, e))?;
                }
                w.finish().map_err(|e| werr(tmp, e))?;
                Ok(())
            })?;
            files.push(path);
        }
        ExportFormat::Ndjson => {
            let path = dir.join(format!("{}.ndjson", a.name));
            atomically(&path, |tmp| {
                let file = std::fs::File::create(tmp).map_err(|e| werr(tmp, e))?;
                let mut w = JsonWriter::new(std::io::BufWriter::new(file)).with_json_format(JsonFormat::JsonLines);
                for i in 0..batches {
                    let mut df = page(i)?;
                    w.finish(&mut df).map_err(|e| werr(tmp, e))?;
                }
                Ok(())
            })?;
            files.push(path);
        }
        ExportFormat::Csv => {
            let folder = dir.join(&a.name);
            std::fs::create_dir_all(&folder).map_err(|e| werr(&folder, e))?;
            for (name, lf) in tables(&a) {
                let path = folder.join(format!("{name}.csv"));
                atomically(&path, |tmp| {
                    let mut df = lf.collect().map_err(|e| werr(tmp, e))?;
                    let file = std::fs::File::create(tmp).map_err(|e| werr(tmp, e))?;
                    CsvWriter::new(std::io::BufWriter::new(file))
                        .include_header(true)
                        .finish(&mut df)
                        .map_err(|e| werr(tmp, e))
                })?;
                files.push(path);
            }
        }
        ExportFormat::Sqlite => {
            let path = dir.join(format!("{}.sqlite", a.name));
            atomically(&path, |tmp| {
                let mut db = rusqlite::Connection::open(tmp).map_err(|e| werr(tmp, e))?;
                let tx = db.transaction().map_err(|e| werr(tmp, e))?;
                for (name, lf) in tables(&a) {
                    let df = lf.collect().map_err(|e| werr(tmp, e))?;
                    write_table(&tx, &name, &df).map_err(|e| werr(tmp, format!("table `{name}`: {e}")))?;
                }
                tx.commit().map_err(|e| werr(tmp, e))
            })?;
            files.push(path);
        }
    }
    tracing::info!(product = %a.name, entities, files = files.len(), "exported");
    Ok(ExportSummary { files, entities })
}

/// The flat entity tables: the entity itself, then each related table restricted to its entities.
fn tables(a: &Assembled) -> Vec<(String, LazyFrame)> {
    let mut out = vec![("entity".to_string(), a.entity.clone())];
    for r in &a.related {
        let parents: Vec<Expr> = r.parent_keys.iter().map(|p| col(p.as_str())).collect();
        let children: Vec<Expr> = r.child_keys.iter().map(|c| col(c.as_str())).collect();
        let wanted = a.entity.clone().select(parents.clone()).unique_stable(None, UniqueKeepStrategy::First);
        let rows = r.frame.clone().join(
            wanted,
            children,
            parents,
            JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::CoalesceColumns),
        );
        out.push((r.name.clone(), rows));
    }
    out
}

fn sql_type(d: &DataType) -> &'static str {
    if d.is_integer() || matches!(d, DataType::Boolean) {
        "INTEGER"
    } else if d.is_float() {
        "REAL"
    } else {
        "TEXT"
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn write_table(tx: &rusqlite::Transaction<'_>, name: &str, df: &DataFrame) -> Result<(), String> {
    let cols: Vec<String> =
        df.columns().iter().map(|c| format!("{} {}", quote(c.name()), sql_type(c.dtype()))).collect();
    tx.execute_batch(&format!("CREATE TABLE {} ({});", quote(name), cols.join(", "))).map_err(|e| e.to_string())?;
    let marks: Vec<String> = (1..=df.width()).map(|i| format!("?{i}")).collect();
    let mut stmt =
        tx.prepare(&format!("INSERT INTO {} VALUES ({})", quote(name), marks.join(","))).map_err(|e| e.to_string())?;
    for row in 0..df.height() {
        let values: Vec<rusqlite::types::Value> = df
            .columns()
            .iter()
            .map(|c| {
                let v = c.get(row).map_err(|e| e.to_string())?;
                Ok(match v {
                    AnyValue::Null => rusqlite::types::Value::Null,
                    AnyValue::Boolean(b) => rusqlite::types::Value::Integer(i64::from(b)),
                    v if c.dtype().is_integer() => {
                        rusqlite::types::Value::Integer(v.extract::<i64>().unwrap_or_default())
                    }
                    v if c.dtype().is_float() => rusqlite::types::Value::Real(v.extract::<f64>().unwrap_or_default()),
                    v => rusqlite::types::Value::Text(v.str_value().into_owned()),
                })
            })
            .collect::<Result<_, String>>()?;
        stmt.execute(rusqlite::params_from_iter(values)).map_err(|e| e.to_string())?;
    }
    Ok(())
}
