//! # steward-registry
//!
//! Owns the shared registry where teams publish signed product definitions: the HTTP server
//! (axum on tokio), its storage (SQLite in a file by default, PostgreSQL for teams — one set of
//! queries for both, group-committed writes), the trust policy (which keys may publish for which
//! domain, changed only by a document an admin key signed), the rules (immutable versions,
//! increasing semver, no breaking change without a major bump unless overridden on the record),
//! and the hash-chained audit log with its Merkle tree and signed checkpoints. The wire types and
//! offline verification are `steward-registry-core`; the HTTP client the CLI and the desktop use
//! is `steward-registry-client`, which this crate does not link.
//!
//! It must not compile Polars or read product data, and never holds a steward's or an admin's
//! signing secret: the server only verifies what they signed on their machines. Its one secret
//! is its own key, which signs checkpoints of its audit log head; it lives in the OS keychain.

mod actions;
mod db;
pub mod demo;
mod granting;
mod http;
pub mod merkle;
mod migrate;
mod reads;
mod service;

pub use db::DbUrl;
pub use http::{router, serve, Tls, HEADER_TIMEOUT, MAX_CONNECTIONS, OPENAPI, REQUEST_TIMEOUT};
pub use reads::{CACHE_BYTES, MAX_BUNDLE_LOG, MAX_VERSIONS};
pub use service::{Registry, MAX_BODY};
/// The wire types, rules and offline verification every party shares.
pub use steward_registry_core::*;
pub use steward_serve::WRITE_STALL;

use steward_signing::KeyPair;

pub use reads::SCAN_ROWS;

/// Runs the registry on `listen` over the database at `db` until Ctrl-C or SIGTERM; `ready` is
/// told the bound address (a `:0` port is chosen by the OS) once it accepts connections. `key`
/// is the registry's own key, which signs its checkpoints.
pub fn serve_blocking(
    db: &str,
    listen: &str,
    roots: Vec<steward_signing::PublicKey>,
    key: KeyPair,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), RegistryError> {
    serve_url(DbUrl::parse(db).with_password(None)?, listen, roots, key, None, ready)
}

/// [`serve_blocking`] over a parsed database URL (with its password, for PostgreSQL), over TLS
/// when `tls` is given.
pub fn serve_url(
    url: DbUrl,
    listen: &str,
    roots: Vec<steward_signing::PublicKey>,
    key: KeyPair,
    tls: Option<Tls>,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), RegistryError> {
    let tls = tls.map(|t| t.config()).transpose().map_err(|e| RegistryError::Invalid(e.0))?;
    let reg = Registry::open(&url, roots, key)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RegistryError::Storage(format!("runtime: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| RegistryError::Invalid(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| RegistryError::Storage(e.to_string()))?;
        tracing::info!(%addr, db = %url.redacted(), tls = tls.is_some(), key = %reg.public_key().fingerprint(), "registry listening");
        ready(addr);
        serve(reg, listener, tls).await.map_err(|e| RegistryError::Storage(format!("server: {e}")))
    })
}

/// The registry's own key `name`: made on first start (secret in the OS keychain like a
/// steward's signing key, `signing/<name>`), loaded on every later start. Its public half is kept
/// in a key ring of its own (`<config>/registry-keys/`), so a steward's `keys list` and default
/// key choice do not see it.
pub fn registry_key(name: &str) -> Result<KeyPair, RegistryError> {
    let ring = steward_signing::KeyRing::at(&steward_signing::config_dir().join("registry-keys"));
    ring.ensure(name, &steward_secrets::Keychain)?;
    Ok(KeyPair::load(name, &steward_secrets::Keychain)?)
}

/// The database password from standard input (one line), for `--db-password-stdin`.
pub fn password_from_stdin() -> Result<String, RegistryError> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| RegistryError::Invalid(format!("standard input: {e}")))?;
    let p = line.trim_end_matches(['\n', '\r']).to_string();
    if p.is_empty() {
        return Err(RegistryError::Invalid("--db-password-stdin: standard input was empty".into()));
    }
    Ok(p)
}

/// The options of `serve`, shared by `steward registry serve` and `steward-registry serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// A SQLite file path, or `postgres://user@host:port/db`.
    #[arg(long, default_value = "registry.db")]
    pub db: String,
    #[arg(long, default_value = "127.0.0.1:7878")]
    pub listen: String,
    /// Root admin public key (`ed25519:…`) or a file of them; repeatable. Only these keys (and the
    /// admins a policy they signed names) can change the trust policy.
    #[arg(long = "admin-key", required = true)]
    pub admin_keys: Vec<String>,
    /// Read the PostgreSQL password from standard input (never put it in the URL).
    #[arg(long)]
    pub db_password_stdin: bool,
    /// The registry's own signing key (by name; made in the OS keychain on first start). It
    /// signs checkpoints of the audit log head, which consumers check with its public key.
    #[arg(long, default_value = "registry")]
    pub registry_key: String,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

impl ServeArgs {
    /// Serves until Ctrl-C or SIGTERM, printing `listening on URL` once ready.
    pub fn run(&self) -> Result<(), RegistryError> {
        let roots = read_admin_keys(&self.admin_keys)?;
        let password = if self.db_password_stdin { Some(password_from_stdin()?) } else { None };
        let url = DbUrl::parse(&self.db).with_password(password)?;
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(Tls { cert: cert.clone(), key: key.clone() }),
            _ => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let key = registry_key(&self.registry_key)?;
        eprintln!("registry key: {}", key.public().to_text());
        serve_url(url, &self.listen, roots, key, tls, |a| println!("listening on {scheme}://{a}"))
    }
}
