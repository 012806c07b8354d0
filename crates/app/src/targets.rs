//! Where a workspace source reads from: a file, or a PostgreSQL table whose password comes
//! from the OS keychain at the moment it is needed.

use std::path::PathBuf;

use polars::prelude::{DataFrame, IntoLazy, LazyFrame};
use steward_secrets::{CredentialRef, SecretStore};
use steward_sources::pg::{self, PgTarget, SslMode};
use steward_sources::{Inspection, Location, SourceError};
use steward_workspace::{Connection, SourceKind, SourceRef, Workspace};

use crate::AppError;

/// A readable source.
#[derive(Debug, Clone)]
pub enum Target {
    File(Location),
    Postgres(PgTarget),
}

impl Target {
    pub fn inspect(&self) -> Result<Inspection, SourceError> {
        match self {
            Target::File(l) => steward_sources::inspect(l),
            Target::Postgres(t) => pg::inspect(t),
        }
    }

    pub fn preview(&self, limit: usize) -> Result<DataFrame, SourceError> {
        match self {
            Target::File(l) => steward_sources::preview(l, limit),
            Target::Postgres(t) => pg::read(t, Some(limit.min(steward_sources::MAX_PREVIEW_ROWS)), &[]),
        }
    }

    /// Rows `offset .. offset + limit` (see [`SourcePages`] for formats read whole).
    pub fn page(&self, offset: usize, limit: usize) -> Result<DataFrame, SourceError> {
        match self {
            Target::File(l) => steward_sources::page(l, offset, limit),
            Target::Postgres(t) => pg::page(t, offset, limit.min(steward_sources::MAX_PREVIEW_ROWS)),
        }
    }

    /// What changes when a PostgreSQL source's rows do ([`pg::fingerprint`]); `None` for a
    /// file, whose length and modification time say as much.
    pub fn database_fingerprint(&self) -> Result<Option<String>, SourceError> {
        match self {
            Target::File(_) => Ok(None),
            Target::Postgres(t) => pg::fingerprint(t).map(Some),
        }
    }

    pub fn load(&self) -> Result<DataFrame, SourceError> {
        match self {
            Target::File(l) => steward_sources::load(l),
            Target::Postgres(t) => pg::read(t, None, &[]),
        }
    }

    /// A lazy scan: Parquet and Arrow files are read as a plan runs, not up front.
    pub fn scan(&self) -> Result<LazyFrame, SourceError> {
        match self {
            Target::File(l) => steward_sources::scan(l),
            Target::Postgres(t) => pg::read(t, None, &[]).map(DataFrame::lazy),
        }
    }

    /// What messages name: the file, or `postgres://user@host:port/db`.
    pub fn label(&self) -> PathBuf {
        match self {
            Target::File(l) => l.path.clone(),
            Target::Postgres(t) => PathBuf::from(t.label()),
        }
    }
}

/// How to read a file when detection is not what the steward wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOverrides {
    /// Sheet of a workbook, or table/view of a database.
    pub table: Option<String>,
    /// 1-based sheet row holding the column names.
    pub header_row: Option<u32>,
    pub delimiter: Option<char>,
    /// The first row is data, not column names.
    pub no_header: bool,
    /// Read rows with too many or too few fields instead of refusing the file.
    pub allow_ragged: bool,
}

/// What `target` names: an existing file wins; otherwise a source id of the workspace at
/// `workspace` (a database source gets its password from the keychain when it reads). `read`
/// overrides what the workspace says. Also returns the workspace and source id when it was one.
pub fn resolve_target(
    target: &str,
    workspace: &std::path::Path,
    read: &ReadOverrides,
    secrets: &dyn SecretStore,
) -> Result<(Target, Option<(Workspace, String)>), AppError> {
    let as_path = std::path::Path::new(target);
    let mut resolved = Target::File(Location::file(as_path));
    let mut found = None;
    if !as_path.exists() && steward_workspace::is_valid_id(target) {
        if let Ok(ws) = crate::open_workspace(workspace) {
            if let Ok(src) = ws.source(target) {
                resolved = target_of(&ws, src, secrets)?;
                found = Some((ws.clone(), src.id.clone()));
            }
        }
    }
    match &mut resolved {
        Target::File(loc) => {
            if read.table.is_some() {
                loc.table = read.table.clone();
            }
            if read.header_row.is_some() {
                loc.header_row = read.header_row;
            }
            loc.csv.delimiter = read.delimiter;
            loc.csv.has_header = read.no_header.then_some(false);
            loc.csv.allow_ragged = read.allow_ragged;
        }
        Target::Postgres(t) => {
            if read.table.is_some() {
                t.table = read.table.clone();
            }
        }
    }
    Ok((resolved, found))
}

/// Where a file source of the workspace reads its rows from.
pub fn location_of(ws: &Workspace, src: &SourceRef) -> Location {
    let mut loc = Location::file(ws.source_path(src)).with_table(src.table.clone());
    loc.header_row = src.header_row;
    loc.keep_text = src.keep_text.clone();
    loc
}

fn ssl_mode(m: Option<steward_workspace::SslMode>) -> SslMode {
    use steward_workspace::SslMode as M;
    match m {
        Some(M::Disable) => SslMode::Disable,
        Some(M::Prefer) => SslMode::Prefer,
        Some(M::Require) => SslMode::Require,
        Some(M::VerifyCa) => SslMode::VerifyCa,
        Some(M::VerifyFull) | None => SslMode::VerifyFull,
    }
}

/// The manifest's name of an sslmode (`verify-full`…).
pub fn manifest_ssl_mode(m: SslMode) -> steward_workspace::SslMode {
    use steward_workspace::SslMode as M;
    match m {
        SslMode::Disable => M::Disable,
        SslMode::Prefer => M::Prefer,
        SslMode::Require => M::Require,
        SslMode::VerifyCa => M::VerifyCa,
        SslMode::VerifyFull => M::VerifyFull,
    }
}

fn pg_target(ws: &Workspace, c: &Connection, table: Option<String>, password: Option<String>) -> PgTarget {
    let root_cert = c.sslrootcert.as_ref().map(|r| ws.root().join(r));
    PgTarget {
        host: c.host.clone(),
        port: c.port,
        database: c.database.clone(),
        user: c.user.clone(),
        password,
        table,
        ssl_mode: ssl_mode(c.sslmode),
        ssl_root_cert: root_cert,
        statement_timeout: None,
    }
}

/// The keychain entry of a connection's login: derived from its parts, never from a name in the
/// manifest, so a source can only ever read its own login's password.
pub fn credential_of(c: &Connection) -> CredentialRef {
    CredentialRef::postgres(&c.user, &c.host, c.port, &c.database)
}

/// Resolves a workspace source, fetching a database password from `secrets` if it has one.
/// A `connection.secret` naming any entry but the login's own is refused before anything is
/// read from the keychain or sent to the server.
pub fn target_of(ws: &Workspace, src: &SourceRef, secrets: &dyn SecretStore) -> Result<Target, AppError> {
    if src.kind != SourceKind::Postgres {
        return Ok(Target::File(location_of(ws, src)));
    }
    let c = src.connection.as_ref().ok_or_else(|| {
        AppError::InvalidInput(format!("{}: source `{}` has no connection", ws.manifest_path().display(), src.id))
    })?;
    let credential = credential_of(c);
    credential.check_declared(c.secret.as_deref()).inspect_err(|_| {
        tracing::warn!(source = %src.id, "refused a connection naming a foreign keychain entry");
    })?;
    // A login stored with a password says so (`secret:`); one without connects without.
    let password = match &c.secret {
        Some(_) => Some(credential.password(secrets)?),
        None => None,
    };
    Ok(Target::Postgres(pg_target(ws, c, src.table.clone(), password)))
}

/// Keeps `column` of a file source as text though its values read as ISO-8601 dates, or (with
/// `keep` false) reads them as dates again; saved in the workspace manifest. Only sources whose
/// dates arrive as text can keep them: Parquet, Arrow and PostgreSQL carry their own types.
pub fn keep_as_text(ws: &mut Workspace, source_id: &str, column: &str, keep: bool) -> Result<(), AppError> {
    let src = ws.source(source_id)?;
    if matches!(src.kind, SourceKind::Parquet | SourceKind::Arrow | SourceKind::Postgres) {
        return Err(AppError::InvalidInput(format!(
            "source `{source_id}` is {}: it carries its own types, so there is no text to keep",
            src.kind.as_str()
        )));
    }
    if keep {
        let columns = Target::File(location_of(ws, src)).inspect()?.columns;
        if !columns.iter().any(|c| c.name == column) {
            let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            return Err(AppError::InvalidInput(format!(
                "`{column}` is not a column of source `{source_id}`; it has: {}",
                names.join(", ")
            )));
        }
    }
    ws.set_keep_text(source_id, column, keep)?;
    tracing::info!(source = source_id, column, keep, "keep as text");
    Ok(())
}

/// Resolves a source by id.
pub fn target(ws: &Workspace, source_id: &str, secrets: &dyn SecretStore) -> Result<Target, AppError> {
    target_of(ws, ws.source(source_id)?, secrets)
}

/// What the steward gives to add a PostgreSQL table.
#[derive(Clone, Default)]
pub struct AddPostgres {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub password: Option<String>,
    /// `schema.table`; may be left out when the user can read exactly one table.
    pub table: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub system: Option<String>,
    /// TLS use; verify-full by default.
    pub ssl_mode: SslMode,
    /// PEM file of the CA(s) to trust, as the steward typed it (relative to the workspace root,
    /// or absolute).
    pub ssl_root_cert: Option<String>,
}

/// The keychain entry for a login: shared by every source and workspace using it.
pub fn secret_name(user: &str, host: &str, port: u16, database: &str) -> String {
    CredentialRef::postgres(user, host, port, database).name().to_string()
}

/// The connection as the workspace will keep it: no secret, and TLS only when not the default.
fn connection_of(req: &AddPostgres) -> Connection {
    Connection {
        host: req.host.clone(),
        port: req.port,
        database: req.database.clone(),
        user: req.user.clone(),
        secret: None,
        sslmode: (req.ssl_mode != SslMode::VerifyFull).then(|| manifest_ssl_mode(req.ssl_mode)),
        sslrootcert: req.ssl_root_cert.clone(),
    }
}

/// Connects with what the steward typed (TLS and CA as they will be saved) and lists the tables
/// the login may read: "Test connection". Returns the server's version and `schema.table` names.
pub fn test_postgres(ws: &Workspace, req: &AddPostgres) -> Result<(String, Vec<String>), AppError> {
    let t = pg_target(ws, &connection_of(req), None, req.password.clone());
    let version = pg::test_connection(&t)?;
    let tables = pg::list_tables(&t)?.into_iter().map(|x| format!("{}.{}", x.schema, x.name)).collect();
    Ok((version, tables))
}

/// Connects (proving the password works), picks the table, stores the password in the
/// keychain and only then adds the source. Nothing is saved when any step fails.
pub fn add_postgres(
    ws: &mut Workspace,
    req: AddPostgres,
    secrets: &dyn SecretStore,
) -> Result<(SourceRef, Inspection), AppError> {
    let conn = connection_of(&req);
    let mut t = pg_target(ws, &conn, req.table.clone(), req.password.clone());
    pg::test_connection(&t)?;
    if t.table.is_none() {
        let tables = pg::list_tables(&t)?;
        match tables.as_slice() {
            [only] => t.table = Some(format!("{}.{}", only.schema, only.name)),
            _ => {
                return Err(SourceError::TableRequired {
                    path: PathBuf::from(t.label()),
                    what: "a table",
                    available: tables.iter().map(|x| format!("{}.{}", x.schema, x.name)).collect(),
                }
                .into())
            }
        }
    }
    let inspection = pg::inspect(&t)?;
    let secret = match &req.password {
        Some(p) => {
            let credential = credential_of(&conn);
            credential.store(secrets, p)?;
            // Written for earlier Steward versions, which read the entry name from here.
            Some(credential.name().to_string())
        }
        None => None,
    };
    let table = t.table.clone().unwrap_or_default();
    let id_seed = table.rsplit('.').next().unwrap_or(&table).to_string();
    let src = SourceRef {
        id: req.id.unwrap_or_else(|| crate::fresh_id(ws, &id_seed)),
        name: req.name.unwrap_or_else(|| format!("{} ({})", table, req.database)),
        kind: SourceKind::Postgres,
        path: String::new(),
        connection: Some(Connection { secret, ..conn }),
        table: Some(table),
        header_row: None,
        system: req.system,
        description: None,
        classifications: Default::default(),
        keep_text: vec![],
    };
    ws.add_source(src.clone())?;
    tracing::info!(id = %src.id, target = %t.label(), "postgres source added");
    Ok((src, inspection))
}
