//! PostgreSQL: schema and table browser, introspection, and previews that push LIMIT and WHERE
//! down to the server. The password is handed in by the caller (from the OS keychain) and never
//! appears in errors, logs or `Debug` output.
//!
//! Connections use TLS (rustls), checking the server's certificate and host name by default
//! (`sslmode` verify-full); a password is never sent in cleartext over an unencrypted TCP
//! connection; every statement has a time limit.

mod tls;

pub use tls::SslMode;

use std::path::PathBuf;
use std::time::Duration;

use polars::prelude::*;
use postgres::config::{SslMode as WireSslMode, SslNegotiation};
use postgres::types::Type;
use postgres::{Client, Config};
use serde::Serialize;

use crate::cells::{self, Cell};
use crate::{ColumnInfo, FileFormat, Inspection, SourceError, TableInfo};

/// Rows sampled from a table to infer column types when inspecting it.
const INFER_ROWS: i64 = 1_000;

/// How long one statement may run on the server unless the target says otherwise.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(300);

/// A PostgreSQL server, database and (optionally) table to read.
#[derive(Clone, Default)]
pub struct PgTarget {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    /// Resolved from the keychain by the caller; never stored in the workspace.
    pub password: Option<String>,
    /// `schema.table`; a bare name means the `public` schema.
    pub table: Option<String>,
    /// TLS use, as libpq's `sslmode`; verify-full by default.
    pub ssl_mode: SslMode,
    /// PEM file of the CA(s) to trust instead of the public ones (libpq's `sslrootcert`).
    pub ssl_root_cert: Option<PathBuf>,
    /// Server-side limit per statement; [`DEFAULT_STATEMENT_TIMEOUT`] when `None`.
    pub statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget")
            .field("target", &self.label())
            .field("password", &self.password.as_ref().map(|_| "<in keychain>"))
            .field("table", &self.table)
            .field("ssl_mode", &self.ssl_mode)
            .field("ssl_root_cert", &self.ssl_root_cert)
            .finish()
    }
}

/// A table or view on the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PgTable {
    pub schema: String,
    pub name: String,
    /// `table`, `view` or `materialized view`.
    pub kind: String,
    /// The planner's estimate (`pg_class.reltuples`); `None` before the table was ever analysed.
    pub estimated_rows: Option<u64>,
}

/// A pushed-down equality filter: `column = value`, compared as text on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgFilter {
    pub column: String,
    pub value: String,
}

impl PgTarget {
    /// `postgres://user@host:port/database` — what messages show; never the password.
    pub fn label(&self) -> String {
        format!("postgres://{}@{}:{}/{}", self.user, self.host, self.port, self.database)
    }

    fn label_path(&self) -> PathBuf {
        PathBuf::from(self.label())
    }

    fn qualified(&self) -> Result<(String, String), SourceError> {
        let t = self.table.as_deref().ok_or_else(|| SourceError::TableRequired {
            path: self.label_path(),
            what: "a table",
            available: vec![],
        })?;
        Ok(match t.split_once('.') {
            Some((s, n)) => (s.to_string(), n.to_string()),
            None => ("public".to_string(), t.to_string()),
        })
    }

    fn connect(&self) -> Result<Client, SourceError> {
        let timeout = self.statement_timeout.unwrap_or(DEFAULT_STATEMENT_TIMEOUT).as_millis().max(1);
        let mut cfg = Config::new();
        cfg.host(&self.host)
            .port(self.port)
            .dbname(&self.database)
            .user(&self.user)
            .application_name("steward")
            .options(&format!("-c statement_timeout={timeout}"))
            .connect_timeout(Duration::from_secs(5));
        if let Some(p) = &self.password {
            cfg.password(p);
        }
        let config = tls::client_config(self.ssl_mode, self.ssl_root_cert.as_deref())
            .map_err(|message| SourceError::Unreachable { target: self.label(), message })?;
        // A Unix socket is local: no TLS there (and cleartext is as safe as the socket).
        let unix = self.host.starts_with('/');
        if unix {
            cfg.ssl_mode(WireSslMode::Disable);
        } else {
            // The connector below is handed every TCP connection (even with sslmode=disable,
            // to guard the password) and does the SSLRequest exchange itself, so that it, not
            // the server, decides what a server without TLS means for this sslmode.
            cfg.ssl_mode(WireSslMode::Require).ssl_negotiation(SslNegotiation::Direct);
        }
        let connector = tls::Connector { mode: self.ssl_mode, config };
        cfg.connect(connector).map_err(|e| self.error(e))
    }

    fn error(&self, e: postgres::Error) -> SourceError {
        use postgres::error::SqlState;
        let target = self.label();
        // Server messages and client errors never include the password we sent.
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
                return SourceError::Auth { target, message: db.message().to_string() };
            }
            if *code == SqlState::INVALID_CATALOG_NAME {
                return SourceError::Read { path: self.label_path(), message: db.message().to_string() };
            }
            return SourceError::Read { path: self.label_path(), message: db.message().to_string() };
        }
        // The client's own message is terse ("invalid configuration"); the cause says what.
        let msg = match std::error::Error::source(&e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        };
        if msg.contains(tls::CLEARTEXT_REFUSED) {
            return SourceError::Auth { target, message: tls::CLEARTEXT_REFUSED.into() };
        }
        if let Some(why) = tls_failure(&msg) {
            return SourceError::Unreachable { target, message: format!("TLS (sslmode={}): {why}", self.ssl_mode) };
        }
        if e.is_closed() || msg.contains("error connecting") || msg.contains("timed out") || msg.contains("refused") {
            return SourceError::Unreachable { target, message: msg };
        }
        if msg.contains("password") {
            return SourceError::Auth { target, message: "the server asked for a password and none is stored".into() };
        }
        SourceError::Read { path: self.label_path(), message: msg }
    }
}

/// A clear reason for a failed TLS handshake, from the client's message.
fn tls_failure(msg: &str) -> Option<String> {
    let cert = |what: &str| msg.contains(what);
    if cert("UnknownIssuer") || cert("BadSignature") {
        Some("the server's certificate is not signed by a trusted CA (check sslrootcert)".into())
    } else if cert("NotValidForName") || cert("not valid for name") {
        Some("the server's certificate is not valid for this host name".into())
    } else if cert("Expired") || cert("NotValidYet") {
        Some("the server's certificate is expired or not yet valid".into())
    } else if cert("does not offer TLS") {
        msg.find("the server does not offer TLS").map(|i| msg[i..].to_string())
    } else if msg.contains("sslrootcert") || msg.contains("invalid peer certificate") || msg.contains("TLS handshake") {
        Some(msg.to_string())
    } else {
        None
    }
}

/// Connects and returns the server's version string.
pub fn test_connection(t: &PgTarget) -> Result<String, SourceError> {
    let mut c = t.connect()?;
    let row = c.query_one("SELECT version()", &[]).map_err(|e| t.error(e))?;
    Ok(row.get::<_, String>(0))
}

/// Every table, view and materialized view the user can read, outside the system schemas.
pub fn list_tables(t: &PgTarget) -> Result<Vec<PgTable>, SourceError> {
    let mut c = t.connect()?;
    let rows = c
        .query(
            "SELECT n.nspname::text, c.relname::text,
                    CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
                    CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r','p','v','m')
               AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'
               AND has_table_privilege(c.oid, 'SELECT')
             ORDER BY 1, 2",
            &[],
        )
        .map_err(|e| t.error(e))?;
    Ok(rows
        .iter()
        .map(|r| PgTable {
            schema: r.get(0),
            name: r.get(1),
            kind: r.get(2),
            estimated_rows: r.get::<_, Option<f64>>(3).map(|v| v as u64),
        })
        .collect())
}

fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Column names and PostgreSQL types of the target table, in order.
fn columns(c: &mut Client, t: &PgTarget, schema: &str, name: &str) -> Result<Vec<(String, String)>, SourceError> {
    let rows = c
        .query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
            &[&schema, &name],
        )
        .map_err(|e| t.error(e))?;
    if rows.is_empty() {
        let available = list_tables(t)?.into_iter().map(|x| format!("{}.{}", x.schema, x.name)).collect();
        return Err(SourceError::NoSuchTable {
            path: t.label_path(),
            what: "table",
            name: format!("{schema}.{name}"),
            available,
        });
    }
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The select expression for a column: native types as they are, everything else as text.
fn select_expr(name: &str, pg_type: &str) -> String {
    let q = quote_ident(name);
    let t = pg_type.to_ascii_lowercase();
    if t == "smallint" || t == "integer" {
        format!("{q}::int8 AS {q}")
    } else if t == "real" {
        format!("{q}::float8 AS {q}")
    } else if t.starts_with("numeric") {
        // Exact: read as text, typed as a decimal by `numeric_column`.
        format!("{q}::text AS {q}")
    } else if matches!(t.as_str(), "bigint" | "double precision" | "boolean" | "date" | "text")
        || t.starts_with("timestamp")
        || t.starts_with("character")
    {
        if t.starts_with("character") {
            format!("{q}::text AS {q}")
        } else {
            q
        }
    } else {
        format!("{q}::text AS {q}")
    }
}

fn to_cell(row: &postgres::Row, i: usize) -> Result<Cell, postgres::Error> {
    let ty = row.columns()[i].type_();
    Ok(match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(Cell::Null, Cell::Int),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map_or(Cell::Null, Cell::Float),
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map_or(Cell::Null, Cell::Bool),
        Type::DATE => row.try_get::<_, Option<chrono::NaiveDate>>(i)?.map_or(Cell::Null, Cell::Date),
        Type::TIMESTAMP => row.try_get::<_, Option<chrono::NaiveDateTime>>(i)?.map_or(Cell::Null, Cell::DateTime),
        Type::TIMESTAMPTZ => row
            .try_get::<_, Option<chrono::DateTime<chrono::Utc>>>(i)?
            .map_or(Cell::Null, |t| Cell::DateTime(t.naive_utc())),
        _ => row.try_get::<_, Option<String>>(i)?.map_or(Cell::Null, Cell::Text),
    })
}

fn frame(t: &PgTarget, cols_and_types: &[(String, String)], rows: &[postgres::Row]) -> Result<DataFrame, SourceError> {
    let mut cols: Vec<Vec<Cell>> = vec![Vec::with_capacity(rows.len()); cols_and_types.len()];
    for r in rows {
        for (i, col) in cols.iter_mut().enumerate() {
            col.push(to_cell(r, i).map_err(|e| t.error(e))?);
        }
    }
    let columns = cols_and_types
        .iter()
        .zip(&cols)
        .map(|((n, ty), c)| match cells::declared_decimal(ty) {
            Some(declared) => cells::decimal_column(n, declared, c),
            None => cells::column(n, c),
        })
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(|e| SourceError::read(&t.label_path(), e))?;
    DataFrame::new(rows.len(), columns).map_err(|e| SourceError::read(&t.label_path(), e))
}

/// Reads rows with LIMIT and WHERE evaluated by the server. Filters compare as text, through
/// bound parameters, on columns checked against the table's own.
pub fn read(t: &PgTarget, limit: Option<usize>, filters: &[PgFilter]) -> Result<DataFrame, SourceError> {
    read_rows(t, limit, 0, filters)
}

/// Rows `offset .. offset + limit` of the table, in the order the server returns them.
pub fn page(t: &PgTarget, offset: usize, limit: usize) -> Result<DataFrame, SourceError> {
    read_rows(t, Some(limit), offset, &[])
}

fn read_rows(
    t: &PgTarget,
    limit: Option<usize>,
    offset: usize,
    filters: &[PgFilter],
) -> Result<DataFrame, SourceError> {
    let (schema, name) = t.qualified()?;
    let mut c = t.connect()?;
    let cols = columns(&mut c, t, &schema, &name)?;
    let mut sql = format!(
        "SELECT {} FROM {}.{}",
        cols.iter().map(|(n, ty)| select_expr(n, ty)).collect::<Vec<_>>().join(", "),
        quote_ident(&schema),
        quote_ident(&name)
    );
    let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![];
    for (i, f) in filters.iter().enumerate() {
        if !cols.iter().any(|(n, _)| *n == f.column) {
            return Err(SourceError::Read {
                path: t.label_path(),
                message: format!("{schema}.{name} has no column `{}` to filter on", f.column),
            });
        }
        sql.push_str(if i == 0 { " WHERE " } else { " AND " });
        sql.push_str(&format!("{}::text = ${}", quote_ident(&f.column), i + 1));
        params.push(&f.value);
    }
    if let Some(n) = limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    if offset > 0 {
        sql.push_str(&format!(" OFFSET {offset}"));
    }
    tracing::debug!(target = %t.label(), %sql, "postgres read");
    let rows = c.query(sql.as_str(), &params).map_err(|e| t.error(e))?;
    frame(t, &cols, &rows)
}

/// What changes whenever the target's rows do, read without reading them out: the row count
/// and the newest row version (`xmin`) of a table; of a view (which has no row versions), the
/// count and a hash of its rows, computed on the server. A data node compares it between rounds
/// to know when to read the table again.
pub fn fingerprint(t: &PgTarget) -> Result<String, SourceError> {
    let (schema, name) = t.qualified()?;
    let mut c = t.connect()?;
    let kind: Option<String> = c
        .query_opt(
            "SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relname = $2",
            &[&schema, &name],
        )
        .map_err(|e| t.error(e))?
        .map(|r| r.get::<_, String>(0));
    let table = format!("{}.{}", quote_ident(&schema), quote_ident(&name));
    let sql = match kind {
        Some(k) if k == "v" => {
            format!("SELECT count(*)::text || ':' || coalesce(sum(hashtext(x::text)::int8), 0)::text FROM {table} x")
        }
        _ => format!("SELECT count(*)::text || ':' || coalesce(max(xmin::text::int8), 0)::text FROM {table}"),
    };
    let row = c.query_one(sql.as_str(), &[]).map_err(|e| t.error(e))?;
    Ok(row.get::<_, String>(0))
}

/// Columns with inferred types and the exact row count of the target table.
pub fn inspect(t: &PgTarget) -> Result<Inspection, SourceError> {
    let (schema, name) = t.qualified()?;
    let sample = read(t, Some(INFER_ROWS as usize), &[])?;
    let mut c = t.connect()?;
    let count: i64 = c
        .query_one(&format!("SELECT count(*) FROM {}.{}", quote_ident(&schema), quote_ident(&name)), &[])
        .map_err(|e| t.error(e))?
        .get(0);
    let tables = list_tables(t)?
        .into_iter()
        .map(|x| TableInfo { name: format!("{}.{}", x.schema, x.name), kind: x.kind })
        .collect();
    Ok(Inspection {
        path: t.label_path(),
        format: FileFormat::Postgres,
        table: Some(format!("{schema}.{name}")),
        tables,
        columns: sample
            .schema()
            .iter()
            .map(|(n, d)| ColumnInfo { name: n.to_string(), dtype: d.to_string() })
            .collect(),
        row_count: count as u64,
        dialect: None,
    })
}
