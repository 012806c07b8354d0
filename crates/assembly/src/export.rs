//! Exports of an assembled product, written batch by batch into temporary files that are renamed
//! into place only when complete.

use std::path::{Path, PathBuf};
use steward_model::ENTITY_TABLE;

use polars::prelude::*;
use serde::Serialize;

use crate::{key_filter, pe, Assembled, AssemblyError};

/// Entities per written batch: the rows of one Parquet row group.
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

/// A new temp file beside `path`: a random name, created exclusively (never through a symlink
/// planted at a predictable name), removed when dropped unless persisted.
fn temp_beside(path: &Path) -> Result<(std::fs::File, tempfile::TempPath), AssemblyError> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let prefix = format!(".{name}.");
    let file = tempfile::Builder::new().prefix(&prefix).suffix(".tmp").tempfile_in(dir).map_err(|e| werr(path, e))?;
    Ok(file.into_parts())
}

/// Writes into a fresh temp file beside `path` and renames it onto `path` once `write`
/// succeeded; the temp file is removed otherwise.
fn atomically(
    path: &Path,
    write: impl FnOnce(&Path, std::fs::File) -> Result<(), AssemblyError>,
) -> Result<(), AssemblyError> {
    let (file, tmp) = temp_beside(path)?;
    write(&tmp, file)?;
    tmp.persist(path).map_err(|e| werr(path, e.error))
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

/// How an export holds the product in memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Entities per pass. `None`: the whole product in one pass (fastest, when it fits in
    /// memory). `Some(n)`: key ranges of `n` entities, each assembled, written and dropped before
    /// the next, so peak memory follows `n`, not the product's size.
    pub batch_entities: Option<u32>,
    /// With key ranges: read each related table once and hold it in memory, each range taking
    /// its rows from there — instead of every range re-reading every related file (unsorted
    /// files cannot skip row groups). For when the related tables fit in memory but the whole
    /// product, assembled at once, might not.
    pub hold_related: bool,
}

/// Exports `a` (or only the entities in `keys`) into `dir` in `format`, in one pass.
pub fn export(
    a: &Assembled,
    format: ExportFormat,
    dir: &Path,
    keys: &[Vec<String>],
) -> Result<ExportSummary, AssemblyError> {
    export_with(a, format, dir, keys, ExportOptions::default())
}

/// The product cut into consecutive key ranges of at most `batch` entities, in key order.
fn partitions(a: &Assembled, batch: Option<u32>) -> Result<Vec<Assembled>, AssemblyError> {
    let Some(batch) = batch.filter(|b| *b > 0) else { return Ok(vec![a.clone()]) };
    let key_cols: Vec<Expr> = a.key.iter().map(|k| col(k.as_str())).collect();
    let keys = a
        .entity
        .clone()
        .select(key_cols.clone())
        .unique(None, UniqueKeepStrategy::First)
        .sort_by_exprs(key_cols.clone(), SortMultipleOptions::default())
        .collect()
        .map_err(pe("entity.key"))?;
    let mut out = vec![];
    let keys = if let [k] = a.key.as_slice() {
        // Entities without a key sort first in one pass: they get their own first batch here.
        let nulls = keys.column(k).map(|c| c.null_count()).unwrap_or(0);
        if nulls > 0 {
            let mut part = a.clone();
            part.entity = part.entity.filter(col(k.as_str()).is_null());
            out.push(part);
        }
        keys.drop_nulls::<String>(None).map_err(pe("entity.key"))?
    } else {
        keys
    };
    let n = keys.height();
    let mut start = 0;
    while start < n || out.is_empty() {
        let len = (batch as usize).min(n.saturating_sub(start));
        let slice = keys.slice(start as i64, len);
        let mut part = a.clone();
        if let [k] = a.key.as_slice() {
            // One key field: a range, which scans push down into the reader (row-group
            // statistics), on the entity and on every table joined by that key.
            let values = slice.column(k).map_err(pe("entity.key"))?;
            let bound = |i: usize| -> Result<Expr, AssemblyError> {
                let v = values.get(i).map_err(pe("entity.key"))?;
                Ok(lit(Scalar::new(values.dtype().clone(), v.into_static())))
            };
            if len > 0 {
                let (lo, hi) = (bound(0)?, bound(len - 1)?);
                part.entity =
                    part.entity.filter(col(k.as_str()).gt_eq(lo.clone()).and(col(k.as_str()).lt_eq(hi.clone())));
                // Every table carries the key: each is cut to the range too.
                for r in &mut part.related {
                    let c = col(k.as_str());
                    r.set_frame(r.frame.clone().filter(c.clone().gt_eq(lo.clone()).and(c.lt_eq(hi.clone()))));
                }
            }
        } else {
            // Composite keys: the batch's keys, joined (a null part matches a null part, so an
            // entity with an incomplete key is exported, as in one pass).
            let mut args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::CoalesceColumns);
            args.nulls_equal = true;
            part.entity = part.entity.join(slice.lazy(), key_cols.clone(), key_cols.clone(), args);
        }
        out.push(part);
        start += len.max(1);
    }
    Ok(out)
}

/// Exports `a` (or only the entities in `keys`) into `dir` in `format`, batch by batch as
/// `options` says. Every file is written under a temporary name and renamed when complete.
pub fn export_with(
    a: &Assembled,
    format: ExportFormat,
    dir: &Path,
    keys: &[Vec<String>],
    options: ExportOptions,
) -> Result<ExportSummary, AssemblyError> {
    export_each(a, format, dir, keys, options, None)
}

/// What an export does to each key range before writing it (masking, for one).
pub type RangeTransform<'a> = &'a dyn Fn(&Assembled) -> Result<Assembled, AssemblyError>;

/// [`export_with`], with `transform` applied to each key range of the product before it is
/// written: a masked export masks range by range, so it too works when the product is larger
/// than memory.
pub fn export_each(
    a: &Assembled,
    format: ExportFormat,
    dir: &Path,
    keys: &[Vec<String>],
    options: ExportOptions,
    transform: Option<RangeTransform<'_>>,
) -> Result<ExportSummary, AssemblyError> {
    // Names become file names under `dir`: none may leave it.
    steward_model::check_product_name(&a.name).map_err(AssemblyError::InvalidName)?;
    for r in &a.related {
        // A nested table's path (`invoices.lines`) is names joined by dots, each checked.
        for part in r.name.split('.') {
            steward_model::check_product_name(part)
                .map_err(|e| AssemblyError::InvalidName(format!("related table `{}`: {e}", r.name.escape_debug())))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| werr(dir, e))?;
    let mut a = restricted(a, keys)?;
    if options.hold_related && options.batch_entities.is_some() && keys.is_empty() {
        for r in &mut a.related {
            let df = r.frame.clone().collect().map_err(|e| werr(dir, format!("related table `{}`: {e}", r.name)))?;
            tracing::debug!(table = %r.name, rows = df.height(), "holding a related table for the key ranges");
            r.set_frame(df.lazy());
        }
    }
    let parts = partitions(&a, options.batch_entities)?;
    let part = |p: &Assembled| -> Result<Assembled, AssemblyError> {
        match transform {
            Some(f) => f(p),
            None => Ok(p.clone()),
        }
    };
    tracing::debug!(product = %a.name, passes = parts.len(), "exporting");
    let nested = |p: &Assembled| -> Result<DataFrame, AssemblyError> {
        let started = std::time::Instant::now();
        let df = p.product_frame()?;
        tracing::debug!(rows = df.height(), took = ?started.elapsed(), "assembled a key range");
        Ok(df)
    };
    let mut entities = 0u64;
    let mut files = vec![];
    match format {
        ExportFormat::Parquet => {
            let path = dir.join(format!("{}.parquet", a.name));
            atomically(&path, |tmp, file| {
                let mut writer = None;
                entities = pipelined(
                    &parts,
                    |p| nested(&part(p)?),
                    |df| {
                        let w = match &mut writer {
                            Some(w) => w,
                            None => writer.insert(
                                crate::parquet::Writer::new(file.try_clone().map_err(|e| werr(tmp, e))?, df.schema())
                                    .map_err(|e| werr(tmp, e))?,
                            ),
                        };
                        w.write(&df).map_err(|e| werr(tmp, e))
                    },
                )?;
                if let Some(w) = writer {
                    w.finish().map_err(|e| werr(tmp, e))?;
                }
                Ok(())
            })?;
            files.push(path);
        }
        ExportFormat::Ndjson => {
            let path = dir.join(format!("{}.ndjson", a.name));
            atomically(&path, |tmp, file| {
                let mut w = JsonWriter::new(std::io::BufWriter::new(file)).with_json_format(JsonFormat::JsonLines);
                entities = pipelined(
                    &parts,
                    |p| nested(&part(p)?),
                    |df| {
                        let mut df = steward_display::json_frame(&df).map_err(|(c, e)| werr(tmp, column_err(&c, e)))?;
                        w.finish(&mut df).map_err(|e| werr(tmp, e))
                    },
                )?;
                Ok(())
            })?;
            files.push(path);
        }
        ExportFormat::Csv => {
            let folder = dir.join(&a.name);
            std::fs::create_dir_all(&folder).map_err(|e| werr(&folder, e))?;
            let names: Vec<String> = tables(&a).into_iter().map(|(n, _)| n).collect();
            let paths: Vec<PathBuf> = names.iter().map(|n| folder.join(format!("{n}.csv"))).collect();
            // Temp files are removed when dropped, unless renamed into place.
            let (handles, tmps): (Vec<std::fs::File>, Vec<tempfile::TempPath>) =
                paths.iter().map(|p| temp_beside(p)).collect::<Result<Vec<_>, _>>()?.into_iter().unzip();
            let mut outs: Vec<_> = handles.into_iter().map(std::io::BufWriter::new).collect();
            for (i, p) in parts.iter().enumerate() {
                for (t, (_, lf)) in tables(&part(p)?).into_iter().enumerate() {
                    let df = lf.collect().map_err(|e| werr(&tmps[t], e))?;
                    let mut df = steward_display::csv_frame(&df).map_err(|(c, e)| werr(&tmps[t], column_err(&c, e)))?;
                    if t == 0 {
                        entities += df.height() as u64;
                    }
                    CsvWriter::new(&mut outs[t])
                        .include_header(i == 0)
                        .finish(&mut df)
                        .map_err(|e| werr(&tmps[t], e))?;
                }
            }
            for (t, mut o) in outs.into_iter().enumerate() {
                std::io::Write::flush(&mut o).map_err(|e| werr(&tmps[t], e))?;
            }
            for (t, p) in tmps.into_iter().zip(&paths) {
                t.persist(p).map_err(|e| werr(p, e.error))?;
            }
            files.extend(paths);
        }
        ExportFormat::Sqlite => {
            let path = dir.join(format!("{}.sqlite", a.name));
            atomically(&path, |tmp, file| {
                drop(file);
                let mut db = rusqlite::Connection::open(tmp).map_err(|e| werr(tmp, e))?;
                let tx = db.transaction().map_err(|e| werr(tmp, e))?;
                for (i, p) in parts.iter().enumerate() {
                    for (t, (name, lf)) in tables(&part(p)?).into_iter().enumerate() {
                        let df = lf.collect().map_err(|e| werr(tmp, e))?;
                        if t == 0 {
                            entities += df.height() as u64;
                        }
                        write_table(&tx, &name, &df, i == 0).map_err(|e| werr(tmp, format!("table `{name}`: {e}")))?;
                    }
                }
                tx.commit().map_err(|e| werr(tmp, e))
            })?;
            files.push(path);
        }
    }
    tracing::info!(product = %a.name, entities, files = files.len(), passes = parts.len(), "exported");
    Ok(ExportSummary { files, entities })
}

/// Assembles the key ranges in order on this thread while `write` writes the previous one on
/// another, so assembling and encoding overlap. Returns the number of rows written. The first
/// error (from either side) stops both and is returned.
fn pipelined(
    parts: &[Assembled],
    assemble: impl Fn(&Assembled) -> Result<DataFrame, AssemblyError>,
    mut write: impl FnMut(DataFrame) -> Result<(), AssemblyError> + Send,
) -> Result<u64, AssemblyError> {
    if parts.len() < 2 {
        let mut rows = 0;
        for p in parts {
            let df = assemble(p)?;
            rows += df.height() as u64;
            write(df)?;
        }
        return Ok(rows);
    }
    std::thread::scope(|scope| {
        // One range waits while another is written: memory stays at about two ranges.
        let (tx, rx) = std::sync::mpsc::sync_channel::<DataFrame>(1);
        let writer = scope.spawn(move || -> Result<u64, AssemblyError> {
            let mut rows = 0;
            for df in rx {
                rows += df.height() as u64;
                write(df)?;
            }
            Ok(rows)
        });
        let mut produced = Ok(());
        for p in parts {
            match assemble(p) {
                // A closed channel means the writer failed: its error is the one to report.
                Ok(df) => {
                    if tx.send(df).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    produced = Err(e);
                    break;
                }
            }
        }
        drop(tx);
        let written = writer.join().unwrap_or_else(|_| {
            Err(AssemblyError::Write { path: PathBuf::new(), message: "the export writer stopped unexpectedly".into() })
        });
        produced.and(written)
    })
}

/// The flat entity tables: the entity itself, then each related table at every depth restricted
/// to its entities, each carrying the root's instance key. Each is in key order (rows grouped by
/// entity, in source order within one), so an export reads the same whether it ran in one pass
/// or in batches, and one entity's micro-database is cut out of any table by its key.
fn tables(a: &Assembled) -> Vec<(String, LazyFrame)> {
    let keys: Vec<Expr> = a.key.iter().map(|k| col(k.as_str())).collect();
    let in_order =
        |lf: LazyFrame| lf.sort_by_exprs(keys.clone(), SortMultipleOptions::default().with_maintain_order(true));
    let mut out = vec![(ENTITY_TABLE.to_string(), in_order(a.entity.clone()))];
    let wanted = a.entity.clone().select(keys.clone()).unique_stable(None, UniqueKeepStrategy::First);
    let mut args = JoinArgs::new(JoinType::Inner).with_coalesce(JoinCoalesce::CoalesceColumns);
    args.maintain_order = MaintainOrderJoin::Left;
    for r in &a.related {
        let rows = r.frame.clone().join(wanted.clone(), keys.clone(), keys.clone(), args.clone());
        out.push((r.name.clone(), in_order(rows)));
    }
    out
}

fn sql_type(d: &DataType) -> &'static str {
    // Larger integers go in as text: SQLite would turn them into lossy reals.
    if matches!(d, DataType::Boolean) || steward_display::fits_i64(d) {
        "INTEGER"
    } else if d.is_float() {
        "REAL"
    } else {
        "TEXT"
    }
}

/// One value as SQLite holds it, exactly: integers that fit as integers, floats as reals, and
/// everything else (decimals, 128-bit and large unsigned integers, times, nested rows…) as the
/// CLI's text of it — never a silent zero.
fn sqlite_value(v: &AnyValue<'_>) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Integer(i64::from(*b)),
        AnyValue::Int8(_) | AnyValue::Int16(_) | AnyValue::Int32(_) | AnyValue::Int64(_) => {
            v.extract::<i64>().map_or_else(|| text_value(v), Value::Integer)
        }
        AnyValue::UInt8(_) | AnyValue::UInt16(_) | AnyValue::UInt32(_) | AnyValue::UInt64(_) => {
            v.extract::<i64>().map_or_else(|| text_value(v), Value::Integer)
        }
        AnyValue::Float32(_) | AnyValue::Float64(_) => v.extract::<f64>().map_or_else(|| text_value(v), Value::Real),
        _ => text_value(v),
    }
}

fn text_value(v: &AnyValue<'_>) -> rusqlite::types::Value {
    steward_display::cell_text(v).map_or(rusqlite::types::Value::Null, rusqlite::types::Value::Text)
}

fn column_err(column: &str, e: PolarsError) -> String {
    format!("column `{column}`: {}", steward_display::engine_message(&e))
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn write_table(tx: &rusqlite::Transaction<'_>, name: &str, df: &DataFrame, create: bool) -> Result<(), String> {
    if create {
        let cols: Vec<String> =
            df.columns().iter().map(|c| format!("{} {}", quote(c.name()), sql_type(c.dtype()))).collect();
        tx.execute_batch(&format!("CREATE TABLE {} ({});", quote(name), cols.join(", "))).map_err(|e| e.to_string())?;
    }
    let marks: Vec<String> = (1..=df.width()).map(|i| format!("?{i}")).collect();
    let mut stmt =
        tx.prepare(&format!("INSERT INTO {} VALUES ({})", quote(name), marks.join(","))).map_err(|e| e.to_string())?;
    for row in 0..df.height() {
        let values: Vec<rusqlite::types::Value> = df
            .columns()
            .iter()
            .map(|c| {
                let v = c.get(row).map_err(|e| e.to_string())?;
                Ok(sqlite_value(&v))
            })
            .collect::<Result<_, String>>()?;
        stmt.execute(rusqlite::params_from_iter(values)).map_err(|e| e.to_string())?;
    }
    Ok(())
}
