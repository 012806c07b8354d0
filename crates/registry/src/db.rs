//! Storage: one SQL dialect-neutral layer over SQLite (embedded, a file) and PostgreSQL (a
//! team's server). Queries are written once with `$1` placeholders; values are text, integers
//! or null. Writes go through one writer thread that commits whatever is waiting in one
//! transaction (group commit, every job in its own savepoint); reads use a small pool.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

use crate::RegistryError;

/// A value bound to or read from a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl Val {
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}
impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(i)
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Val {
        s.map(Val::Text).unwrap_or(Val::Null)
    }
}

pub type Row = Vec<Val>;

fn storage(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Storage(e.to_string())
}

/// A connection that runs SQL.
pub trait Conn: Send {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, RegistryError>;
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, RegistryError>;
    fn batch(&mut self, sql: &str) -> Result<(), RegistryError>;
    /// Begins the writer's transaction.
    fn begin_write(&mut self) -> Result<(), RegistryError> {
        self.batch("BEGIN")
    }
}

/// `$1` → `?1`: SQLite numbers its parameters with `?`.
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

impl Conn for rusqlite::Connection {
    /// Takes the write lock at once: a deferred transaction that upgrades later fails with
    /// "database is locked" without waiting when another registry process writes the same file.
    fn begin_write(&mut self) -> Result<(), RegistryError> {
        self.batch("BEGIN IMMEDIATE")
    }

    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, RegistryError> {
        let mut st = self.prepare_cached(&sqlite_sql(sql)).map_err(storage)?;
        let n = st.execute(rusqlite::params_from_iter(params.iter().map(to_sqlite))).map_err(storage)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, RegistryError> {
        let mut st = self.prepare_cached(&sqlite_sql(sql)).map_err(storage)?;
        let cols = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params.iter().map(to_sqlite))).map_err(storage)?;
        let mut out = vec![];
        while let Some(r) = rows.next().map_err(storage)? {
            let mut row = Vec::with_capacity(cols);
            for i in 0..cols {
                row.push(match r.get_ref(i).map_err(storage)? {
                    rusqlite::types::ValueRef::Null => Val::Null,
                    rusqlite::types::ValueRef::Integer(i) => Val::Int(i),
                    rusqlite::types::ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    other => return Err(storage(format!("unexpected column type {:?}", other.data_type()))),
                });
            }
            out.push(row);
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), RegistryError> {
        self.execute_batch(sql).map_err(storage)
    }
}

fn to_sqlite(v: &Val) -> rusqlite::types::Value {
    match v {
        Val::Null => rusqlite::types::Value::Null,
        Val::Int(i) => rusqlite::types::Value::Integer(*i),
        Val::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

impl Conn for postgres::Client {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, RegistryError> {
        let p = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = p.iter().map(|b| b.as_ref()).collect();
        self.execute(sql, &refs).map_err(pg_err)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, RegistryError> {
        let p = pg_params(params);
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = p.iter().map(|b| b.as_ref()).collect();
        let rows = postgres::Client::query(self, sql, &refs).map_err(pg_err)?;
        let mut out = vec![];
        for r in rows {
            let mut row = vec![];
            for (i, c) in r.columns().iter().enumerate() {
                let v = if *c.type_() == postgres::types::Type::INT8 {
                    r.try_get::<_, Option<i64>>(i).map_err(pg_err)?.map(Val::Int)
                } else {
                    r.try_get::<_, Option<String>>(i).map_err(pg_err)?.map(Val::Text)
                };
                row.push(v.unwrap_or(Val::Null));
            }
            out.push(row);
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), RegistryError> {
        self.batch_execute(sql).map_err(pg_err)
    }
}

fn pg_err(e: postgres::Error) -> RegistryError {
    RegistryError::Storage(match e.as_db_error() {
        Some(d) => format!("{}: {}", d.code().code(), d.message()),
        None => e.to_string(),
    })
}

fn pg_params(params: &[Val]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    params
        .iter()
        .map(|v| -> Box<dyn postgres::types::ToSql + Sync> {
            match v {
                Val::Null => Box::new(Option::<String>::None),
                Val::Int(i) => Box::new(*i),
                Val::Text(s) => Box::new(s.clone()),
            }
        })
        .collect()
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS versions (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  domain TEXT NOT NULL,
  owner TEXT NOT NULL,
  tags TEXT NOT NULL,
  description TEXT,
  digest TEXT NOT NULL,
  envelope TEXT NOT NULL,
  signer TEXT NOT NULL,
  published_at TEXT NOT NULL,
  yanked TEXT,
  deprecated TEXT,
  log_index BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE INDEX IF NOT EXISTS versions_digest ON versions (digest);
CREATE TABLE IF NOT EXISTS log (
  idx BIGINT PRIMARY KEY,
  entry TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trust (
  serial BIGINT PRIMARY KEY,
  envelope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
  digest TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS trust_policies (
  log_index BIGINT PRIMARY KEY,
  serial BIGINT NOT NULL UNIQUE,
  envelope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (
  nonce TEXT PRIMARY KEY,
  issued BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS nonces_issued ON nonces (issued);
CREATE TABLE IF NOT EXISTS merkle (
  level BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS evidence (
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  evidence TEXT NOT NULL,
  waiver TEXT,
  PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS refusals (
  id BIGINT PRIMARY KEY,
  entry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grants (
  digest TEXT PRIMARY KEY,
  product TEXT NOT NULL,
  consumer TEXT NOT NULL,
  envelope TEXT NOT NULL,
  signer TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  log_index BIGINT NOT NULL,
  revocation TEXT
);
CREATE INDEX IF NOT EXISTS grants_product ON grants (product, consumer);
";

/// How long one statement may run on PostgreSQL: reads, and the writer's statements.
pub const READ_TIMEOUT_MS: u64 = 10_000;
pub const WRITE_TIMEOUT_MS: u64 = 30_000;

/// Where the registry keeps its data. Its `Debug` never shows the password.
#[derive(Clone)]
pub enum DbUrl {
    Sqlite(std::path::PathBuf),
    /// A `postgres://user@host:port/db` URL and the password, given apart (never in the URL).
    Postgres(String, Option<String>),
}

impl std::fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbUrl::Sqlite(p) => f.debug_tuple("Sqlite").field(p).finish(),
            DbUrl::Postgres(_, p) => {
                f.debug_tuple("Postgres").field(&self.redacted()).field(&p.as_ref().map(|_| "<password>")).finish()
            }
        }
    }
}

impl DbUrl {
    /// `postgres://…` or `postgresql://…`, `sqlite://path`, or a plain file path (SQLite).
    pub fn parse(url: &str) -> DbUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DbUrl::Postgres(url.to_string(), None)
        } else {
            DbUrl::Sqlite(url.strip_prefix("sqlite://").unwrap_or(url).into())
        }
    }

    /// Checks the URL carries no password (it would show in process lists and shell history)
    /// and adds `password`, read from somewhere safer.
    pub fn with_password(self, password: Option<String>) -> Result<DbUrl, RegistryError> {
        match self {
            DbUrl::Postgres(url, _) => {
                let cfg: postgres::Config =
                    url.parse().map_err(|e| RegistryError::Invalid(format!("database URL: {e}")))?;
                if cfg.get_password().is_some() {
                    return Err(RegistryError::Invalid(
                        "database URL: no password in the URL; give it on standard input (--db-password-stdin)".into(),
                    ));
                }
                Ok(DbUrl::Postgres(url, password))
            }
            sqlite if password.is_none() => Ok(sqlite),
            _ => Err(RegistryError::Invalid("a SQLite registry has no password".into())),
        }
    }

    /// The URL without a password, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(u, _) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let user = &u[s + 3..at];
                    let user = user.split(':').next().unwrap_or_default();
                    format!("{}{user}@{}", &u[..s + 3], &u[at + 1..])
                }
                _ => u.clone(),
            },
        }
    }

    fn connect(&self, timeout_ms: u64) -> Result<Box<dyn Conn>, RegistryError> {
        match self {
            DbUrl::Sqlite(path) => {
                let c = rusqlite::Connection::open(path)
                    .map_err(|e| RegistryError::Storage(format!("{}: {e}", path.display())))?;
                // WAL: readers never wait for the writer; FULL: a commit is on disk when acknowledged.
                c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;")
                    .map_err(storage)?;
                Ok(Box::new(c))
            }
            DbUrl::Postgres(url, password) => {
                let mut cfg: postgres::Config =
                    url.parse().map_err(|e| RegistryError::Invalid(format!("{}: {e}", self.redacted())))?;
                if let Some(p) = password {
                    cfg.password(p);
                }
                // No statement runs longer than this: a slow query fails instead of holding a
                // connection (and the writer) indefinitely.
                cfg.options(&format!("-c statement_timeout={timeout_ms}"));
                let c = cfg
                    .connect(postgres::NoTls)
                    .map_err(|e| RegistryError::Storage(format!("{}: {}", self.redacted(), e)))?;
                Ok(Box::new(c))
            }
        }
    }
}

/// A write job: runs on the writer's connection, says whether it succeeded, and gives the
/// reply to send once the transaction's fate is known.
type Job = Box<dyn FnOnce(&mut dyn Conn) -> (bool, Box<dyn FnOnce(bool) + Send>) + Send>;

/// The registry's database: a writer thread with group commit, and a pool of readers.
#[derive(Clone)]
pub struct Db {
    writer: mpsc::Sender<Job>,
    readers: Arc<Pool>,
}

struct Pool {
    url: DbUrl,
    idle: Mutex<Vec<Box<dyn Conn>>>,
    ready: Condvar,
    open: Mutex<usize>,
    max: usize,
}

impl Db {
    pub fn open(url: &DbUrl) -> Result<Db, RegistryError> {
        let mut w = url.connect(WRITE_TIMEOUT_MS)?;
        w.batch(SCHEMA)?;
        w.begin_write()?;
        match crate::migrate::run(w.as_mut()) {
            Ok(()) => w.batch("COMMIT")?,
            Err(e) => {
                let _ = w.batch("ROLLBACK");
                return Err(e);
            }
        }
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("registry-writer".into())
            .spawn(move || writer(w, rx))
            .map_err(|e| RegistryError::Storage(format!("writer thread: {e}")))?;
        let max = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(2) * 4;
        Ok(Db {
            writer: tx,
            readers: Arc::new(Pool {
                url: url.clone(),
                idle: Mutex::new(vec![]),
                ready: Condvar::new(),
                open: Mutex::new(0),
                max,
            }),
        })
    }

    /// Runs `f` in the write transaction of the next group commit; returns its result once the
    /// transaction is durably committed (or its error, with nothing of it stored).
    pub fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, RegistryError> + Send + 'static,
    ) -> Result<T, RegistryError> {
        let (tx, rx) = mpsc::sync_channel::<Result<T, RegistryError>>(1);
        let job: Job = Box::new(move |c: &mut dyn Conn| {
            let r = f(c);
            let ok = r.is_ok();
            let reply: Box<dyn FnOnce(bool) + Send> = Box::new(move |committed: bool| {
                let r = match r {
                    Ok(_) if !committed => Err(RegistryError::Storage("the transaction did not commit".into())),
                    other => other,
                };
                let _ = tx.send(r);
            });
            (ok, reply)
        });
        self.writer.send(job).map_err(|_| RegistryError::Storage("the writer stopped".into()))?;
        rx.recv().map_err(|_| RegistryError::Storage("the writer stopped".into()))?
    }

    /// Runs `f` on a reader connection.
    pub fn read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T, RegistryError>) -> Result<T, RegistryError> {
        let mut conn = self.readers.take()?;
        let r = f(conn.as_mut());
        self.readers.give(conn);
        r
    }
}

impl Pool {
    fn take(&self) -> Result<Box<dyn Conn>, RegistryError> {
        let mut idle = self.idle.lock().map_err(|_| storage("reader pool poisoned"))?;
        loop {
            if let Some(c) = idle.pop() {
                return Ok(c);
            }
            {
                let mut open = self.open.lock().map_err(|_| storage("reader pool poisoned"))?;
                if *open < self.max {
                    *open += 1;
                    drop(open);
                    drop(idle);
                    return self.url.connect(READ_TIMEOUT_MS).inspect_err(|_| {
                        if let Ok(mut o) = self.open.lock() {
                            *o -= 1;
                        }
                    });
                }
            }
            idle = self.ready.wait(idle).map_err(|_| storage("reader pool poisoned"))?;
        }
    }

    fn give(&self, c: Box<dyn Conn>) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(c);
            self.ready.notify_one();
        }
    }
}

/// The writer: takes every job waiting, runs each in its own savepoint inside one transaction,
/// commits once, then answers them all. A job that fails is rolled back to its savepoint alone.
fn writer(mut conn: Box<dyn Conn>, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < 256 {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut replies = Vec::with_capacity(jobs.len());
        if let Err(e) = conn.begin_write() {
            tracing::error!(error = %e, "registry: cannot begin a transaction");
            for j in jobs {
                // Answered as not committed.
                let (_, reply) = j(&mut NoConn);
                reply(false);
            }
            continue;
        }
        for j in jobs {
            let ok = conn.batch("SAVEPOINT job").is_ok();
            let mut failed = false;
            // A job that panics fails alone: its caller hears that the writer stopped, the
            // others in the group go on, and the writer keeps serving.
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                j(&mut Watch { inner: conn.as_mut(), failed: &mut failed })
            }));
            let (done, reply) = match ran {
                Ok((done, reply)) => (done, Some(reply)),
                Err(_) => {
                    tracing::error!("registry: a write job panicked; rolled back");
                    (false, None)
                }
            };
            // A job that failed leaves nothing behind, whatever it wrote before failing.
            let _ = if failed || !ok || !done {
                conn.batch("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job")
            } else {
                conn.batch("RELEASE SAVEPOINT job")
            };
            replies.extend(reply);
        }
        let committed = conn.batch("COMMIT").is_ok();
        if !committed {
            let _ = conn.batch("ROLLBACK");
        }
        for r in replies {
            r(committed);
        }
    }
}

/// Passes SQL through and remembers whether any of it failed (then the job's savepoint is
/// rolled back, whatever the job returned).
struct Watch<'a> {
    inner: &'a mut dyn Conn,
    failed: &'a mut bool,
}

impl Conn for Watch<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, RegistryError> {
        self.inner.exec(sql, params).inspect_err(|_| *self.failed = true)
    }
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, RegistryError> {
        self.inner.query(sql, params).inspect_err(|_| *self.failed = true)
    }
    fn batch(&mut self, _: &str) -> Result<(), RegistryError> {
        Err(storage("jobs do not manage transactions"))
    }
}

/// Used when no transaction could begin: every call fails.
struct NoConn;

impl Conn for NoConn {
    fn exec(&mut self, _: &str, _: &[Val]) -> Result<u64, RegistryError> {
        Err(storage("no transaction"))
    }
    fn query(&mut self, _: &str, _: &[Val]) -> Result<Vec<Row>, RegistryError> {
        Err(storage("no transaction"))
    }
    fn batch(&mut self, _: &str) -> Result<(), RegistryError> {
        Err(storage("no transaction"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_error::ErrorCode;

    #[test]
    fn a_failing_or_panicking_job_leaves_nothing_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&DbUrl::Sqlite(dir.path().join("r.db"))).unwrap();
        let insert = |c: &mut dyn Conn, d: &str| c.exec("INSERT INTO actions (digest) VALUES ($1)", &[d.into()]);
        // Wrote, then failed: rolled back to its savepoint.
        let e = db
            .write(move |c| {
                insert(c, "a")?;
                Err::<(), _>(RegistryError::Invalid("no".into()))
            })
            .unwrap_err();
        assert_eq!(e.code(), "registry.invalid");
        // Wrote, then panicked: rolled back, and its caller is told.
        let e = db
            .write(move |c| -> Result<(), RegistryError> {
                insert(c, "b")?;
                panic!("a bug in a job")
            })
            .unwrap_err();
        assert_eq!(e.code(), "registry.storage");
        db.write(move |c| insert(c, "c").map(|_| ())).unwrap();
        let rows = db.read(|c| c.query("SELECT digest FROM actions ORDER BY digest", &[])).unwrap();
        assert_eq!(rows, vec![vec![Val::Text("c".into())]]);
    }

    #[test]
    fn debug_never_shows_the_database_password() {
        let url = DbUrl::parse("postgres://steward@db.internal:5432/registry")
            .with_password(Some("hunter2-secret".into()))
            .unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.internal"), "{shown}");
    }

    #[test]
    fn postgres_statements_have_a_timeout() {
        let pg = steward_testkit::PgCluster::start();
        let url = DbUrl::parse(&format!("postgres://steward@127.0.0.1:{}/postgres", pg.port));
        let db = Db::open(&url).unwrap();
        let rows = db.read(|c| c.query("SELECT current_setting('statement_timeout')", &[])).unwrap();
        assert_eq!(rows, vec![vec![Val::Text(format!("{}s", READ_TIMEOUT_MS / 1000))]]);
        let rows = db.write(|c| c.query("SELECT current_setting('statement_timeout')", &[])).unwrap();
        assert_eq!(rows, vec![vec![Val::Text(format!("{}s", WRITE_TIMEOUT_MS / 1000))]]);
    }
}
