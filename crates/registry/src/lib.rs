//! # steward-registry
//!
//! Owns the shared registry where teams publish signed product definitions: the HTTP server
//! (axum on tokio), its storage (SQLite in a file by default, PostgreSQL for teams — one set of
//! queries for both, group-committed writes), the trust policy (which keys may publish for which
//! domain, changed only by a document an admin key signed), the rules (immutable versions,
//! increasing semver, no breaking change without a major bump unless overridden on the record),
//! the hash-chained audit log, offline verification of a downloaded bundle, and the client the
//! CLI and the desktop use.
//!
//! It must not compile Polars or read product data, and never holds a signing secret: the server
//! only verifies; signing happens in `steward-signing` on the steward's machine.

mod client;
mod db;
pub mod demo;
mod error;
mod http;
mod service;
mod types;
mod verify;

pub use client::Client;
pub use db::DbUrl;
pub use error::RegistryError;
pub use http::{router, serve, TrustView, OPENAPI};
pub use service::{check_name, Registry, Search, MAX_BODY};
pub use types::*;
pub use verify::{check_seen_head, verify_bundle, SeenHead, VerifiedBundle};

use steward_model::ProductDefinition;
use steward_signing::{canonical_json, Envelope, KeyPair, PRODUCT_PAYLOAD_TYPE};

/// Signs `def` as Steward publishes it: the canonical JSON (RFC 8785) of the whole definition —
/// model, masking profiles and metadata, no data — in a DSSE envelope.
pub fn sign_definition(def: &ProductDefinition, key: &KeyPair) -> Result<Envelope, RegistryError> {
    let payload = canonical_json(def, "product definition")?;
    Ok(key.sign(PRODUCT_PAYLOAD_TYPE, &payload))
}

/// Checks `def`, signs it with `key` and publishes it through `client`. The caller's file is
/// never touched, so a refused publish loses nothing.
pub fn publish_definition(
    client: &Client,
    def: &ProductDefinition,
    key: &KeyPair,
    allow_breaking: bool,
    reason: Option<String>,
) -> Result<Published, RegistryError> {
    let errors: Vec<String> = steward_model::check(def)
        .into_iter()
        .filter(|i| i.severity == steward_model::Severity::Error)
        .map(|i| i.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(RegistryError::Invalid(format!("fix before publishing: {}", errors.join("; "))));
    }
    let envelope = sign_definition(def, key)?;
    client.publish(&PublishRequest { envelope, allow_breaking, reason })
}

/// The draft `def` against the latest published version of its product: `None` when nothing
/// is published under its name yet.
pub fn draft_diff(client: &Client, def: &ProductDefinition) -> Result<Option<steward_model::Diff>, RegistryError> {
    match client.latest(&def.metadata.name) {
        Ok(latest) => Ok(Some(steward_model::diff(&definition_of(&latest.envelope)?, def))),
        Err(RegistryError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Signs a trust policy with an admin key.
pub fn sign_trust(policy: &TrustPolicy, admin: &KeyPair) -> Result<Envelope, RegistryError> {
    let payload = canonical_json(policy, "trust policy")?;
    Ok(admin.sign(steward_signing::TRUST_PAYLOAD_TYPE, &payload))
}

/// Signs a yank or deprecation of `name@version`.
pub fn sign_action(
    action: &str,
    name: &str,
    version: &str,
    reason: &str,
    key: &KeyPair,
) -> Result<Envelope, RegistryError> {
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).map_err(|e| RegistryError::Storage(format!("no randomness: {e}")))?;
    let a = Action {
        action: action.to_string(),
        name: name.to_string(),
        version: version.to_string(),
        reason: reason.to_string(),
        nonce: steward_signing::hex(&nonce),
        issued_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let payload = canonical_json(&a, "action")?;
    Ok(key.sign(steward_signing::ACTION_PAYLOAD_TYPE, &payload))
}

/// The definition inside a published envelope (unverified: use [`verify_bundle`] to trust it).
pub fn definition_of(env: &Envelope) -> Result<ProductDefinition, RegistryError> {
    serde_json::from_slice(&env.payload_bytes()?)
        .map_err(|e| RegistryError::Invalid(format!("not a product definition: {e}")))
}

/// Runs the registry on `listen` over the database at `db` until Ctrl-C or SIGTERM; `ready` is
/// told the bound address (a `:0` port is chosen by the OS) once it accepts connections.
pub fn serve_blocking(
    db: &str,
    listen: &str,
    roots: Vec<steward_signing::PublicKey>,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), RegistryError> {
    serve_url(DbUrl::parse(db).with_password(None)?, listen, roots, ready)
}

/// [`serve_blocking`] over a parsed database URL (with its password, for PostgreSQL).
pub fn serve_url(
    url: DbUrl,
    listen: &str,
    roots: Vec<steward_signing::PublicKey>,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), RegistryError> {
    let reg = Registry::open(&url, roots)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RegistryError::Storage(format!("runtime: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| RegistryError::Invalid(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| RegistryError::Storage(e.to_string()))?;
        tracing::info!(%addr, db = %url.redacted(), "registry listening");
        ready(addr);
        serve(reg, listener).await.map_err(|e| RegistryError::Storage(format!("server: {e}")))
    })
}

/// Root admin keys from `--admin-key` values: `ed25519:…` keys, or files holding one per line.
pub fn read_admin_keys(values: &[String]) -> Result<Vec<steward_signing::PublicKey>, RegistryError> {
    let mut out = vec![];
    for v in values {
        if v.starts_with("ed25519:") {
            out.push(steward_signing::PublicKey::from_text(v)?);
        } else {
            let text = std::fs::read_to_string(v).map_err(|e| RegistryError::Invalid(format!("{v}: {e}")))?;
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                out.push(
                    steward_signing::PublicKey::from_text(line)
                        .map_err(|e| RegistryError::Invalid(format!("{v}: {e}")))?,
                );
            }
        }
    }
    Ok(out)
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
}

impl ServeArgs {
    /// Serves until Ctrl-C or SIGTERM, printing `listening on URL` once ready.
    pub fn run(&self) -> Result<(), RegistryError> {
        let roots = read_admin_keys(&self.admin_keys)?;
        let password = if self.db_password_stdin { Some(password_from_stdin()?) } else { None };
        let url = DbUrl::parse(&self.db).with_password(password)?;
        serve_url(url, &self.listen, roots, |a| println!("listening on http://{a}"))
    }
}
