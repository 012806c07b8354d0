//! SQLite databases through rusqlite, opened read-only: every table and view.

use std::path::Path;

use polars::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::cells::{self, Cell};
use crate::{SourceError, TableInfo};

fn open(path: &Path) -> Result<Connection, SourceError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| SourceError::corrupt(path, format!("cannot open the database: {e}")))?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| SourceError::read(path, e))?;
    Ok(conn)
}

fn db_err(path: &Path, table: Option<&str>, e: rusqlite::Error) -> SourceError {
    let msg = e.to_string();
    let where_ = table.map(|t| format!("table `{t}`: ")).unwrap_or_default();
    if msg.contains("not a database") || msg.contains("malformed") {
        SourceError::corrupt(path, format!("{where_}the database is damaged: {msg}"))
    } else {
        SourceError::Read { path: path.to_path_buf(), message: format!("{where_}{msg}") }
    }
}

pub(crate) fn tables(path: &Path) -> Result<Vec<TableInfo>, SourceError> {
    let conn = open(path)?;
    let mut stmt = conn
        .prepare("SELECT name, type FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(|e| db_err(path, None, e))?;
    let rows = stmt
        .query_map([], |r| Ok(TableInfo { name: r.get(0)?, kind: r.get(1)? }))
        .map_err(|e| db_err(path, None, e))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(|e| db_err(path, None, e))
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Resolves the table to read: the one asked for, or the only one there is.
pub(crate) fn choose(path: &Path, table: Option<&str>) -> Result<String, SourceError> {
    let all = tables(path)?;
    let names: Vec<String> = all.iter().map(|t| t.name.clone()).collect();
    match table {
        Some(t) if names.iter().any(|n| n == t) => Ok(t.to_string()),
        Some(t) => {
            Err(SourceError::NoSuchTable { path: path.to_path_buf(), what: "table", name: t.into(), available: names })
        }
        None if names.len() == 1 => Ok(names[0].clone()),
        None if names.is_empty() => {
            Err(SourceError::Read { path: path.to_path_buf(), message: "the database has no tables".into() })
        }
        None => Err(SourceError::TableRequired { path: path.to_path_buf(), what: "a table", available: names }),
    }
}

pub(crate) fn count(path: &Path, table: &str) -> Result<u64, SourceError> {
    let conn = open(path)?;
    conn.query_row(&format!("SELECT count(*) FROM {}", quote_ident(table)), [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(|e| db_err(path, Some(table), e))
}

/// Reads up to `limit` rows of `table` (the limit is applied by SQLite).
/// Declared column types of a table or view (empty where SQLite has none).
fn declared_types(conn: &Connection, table: &str) -> std::collections::HashMap<String, String> {
    let Ok(mut stmt) = conn.prepare("SELECT name, type FROM pragma_table_info(?1)") else { return Default::default() };
    stmt.query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map(|rows| rows.flatten().collect())
        .unwrap_or_default()
}

pub(crate) fn read(path: &Path, table: &str, limit: Option<usize>, keep: &[String]) -> Result<DataFrame, SourceError> {
    let sql = match limit {
        Some(n) => format!("SELECT * FROM {} LIMIT {n}", quote_ident(table)),
        None => format!("SELECT * FROM {}", quote_ident(table)),
    };
    query(path, table, &sql, keep)
}

/// Rows `offset .. offset + limit` of a table, in its own order.
pub(crate) fn read_page(
    path: &Path,
    table: &str,
    offset: usize,
    limit: usize,
    keep: &[String],
) -> Result<DataFrame, SourceError> {
    query(path, table, &format!("SELECT * FROM {} LIMIT {limit} OFFSET {offset}", quote_ident(table)), keep)
}

fn query(path: &Path, table: &str, sql: &str, keep: &[String]) -> Result<DataFrame, SourceError> {
    let conn = open(path)?;
    let mut stmt = conn.prepare(sql).map_err(|e| db_err(path, Some(table), e))?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let width = names.len();
    let mut cols: Vec<Vec<Cell>> = vec![Vec::new(); width];
    let mut rows = stmt.query([]).map_err(|e| db_err(path, Some(table), e))?;
    while let Some(row) = rows.next().map_err(|e| db_err(path, Some(table), e))? {
        for (i, col) in cols.iter_mut().enumerate() {
            let v = row.get_ref(i).map_err(|e| db_err(path, Some(table), e))?;
            col.push(match v {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(i) => Cell::Int(i),
                ValueRef::Real(f) => Cell::Float(f),
                ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Cell::Bytes(b.to_vec()),
            });
        }
    }
    let height = cols.first().map_or(0, Vec::len);
    let declared = declared_types(&conn, table);
    let columns = names
        .iter()
        .zip(&cols)
        .map(|(n, c)| match declared.get(n).and_then(|t| cells::declared_decimal(t)) {
            // SQLite keeps `NUMERIC(10,2)` money as floats; read back exact at the declared scale.
            Some(Some(ps)) => cells::decimal_column(n, Some(ps), c),
            _ => cells::column_kept(n, c, keep),
        })
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(|e| SourceError::read(path, e))?;
    DataFrame::new(height, columns).map_err(|e| SourceError::read(path, e))
}
