//! # steward-node
//!
//! Owns a domain's data node: it serves products **published** in a registry — the signed
//! definition fetched and verified offline against the pinned registry admin keys
//! ([`published`]) — assembled from the domain's workspace sources and masked by the profile
//! each consumer's grant names ([`snapshot`]). Consumers sign every request with their key
//! (RFC 9421, `steward-httpsig`); a request without a valid grant gets 403 and nothing of the
//! data ([`grants`]). Every answer is entered in a hash-chained access log, written to disk
//! before the answer leaves ([`access`]). When a source changes, the product is assembled again
//! in the background and swapped in whole ([`snapshot::Served`]).
//!
//! It must not change the workspace, publish, or hold any signing secret: the only secrets it
//! reads are the workspace's own (source passwords, masking keys) from the OS keychain.

pub mod access;
pub mod grants;
mod http;
pub mod metrics;
pub mod published;
pub mod snapshot;

use std::path::PathBuf;

pub use http::{router, serve_blocking, NodeState, REQUEST_TIMEOUT};
use steward_error::ErrorCode;

/// Why the node refused to start, or a request.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The product, or the version asked for, is not published in the registry.
    #[error("{0}")]
    Unpublished(String),
    /// What the registry sent does not verify against the pinned admin keys.
    #[error("{0}")]
    Unverified(String),
    #[error("{0}")]
    Signature(#[from] steward_httpsig::SignatureError),
    /// A verified consumer without a valid grant for this product.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// The workspace, its sources or the keychain: what assembling the product needs.
    #[error("{0}")]
    Workspace(String),
    #[error("{0}")]
    Registry(String),
    #[error("{0}")]
    Io(String),
    /// A bounded request ran past its deadline ([`http::REQUEST_TIMEOUT`]).
    #[error("{0}")]
    Timeout(String),
}

impl ErrorCode for NodeError {
    fn code(&self) -> &'static str {
        match self {
            NodeError::Unpublished(_) => "node.unpublished",
            NodeError::Unverified(_) => "node.unverified",
            NodeError::Signature(e) => e.code(),
            NodeError::Forbidden(_) => "node.forbidden",
            NodeError::NotFound(_) => "node.not_found",
            NodeError::BadRequest(_) => "node.bad_request",
            NodeError::Workspace(_) => "node.workspace",
            NodeError::Registry(_) => "node.registry",
            NodeError::Io(_) => "node.io",
            NodeError::Timeout(_) => "node.timeout",
        }
    }
}

impl From<steward_app::AppError> for NodeError {
    fn from(e: steward_app::AppError) -> Self {
        NodeError::Workspace(e.to_string())
    }
}

/// The options of `serve`, shared by `steward node serve` and `steward-node serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The domain's workspace: the sources the products are assembled from.
    #[arg(long, short, default_value = ".")]
    pub workspace: PathBuf,
    /// The registry the products are published in (and the grants kept in).
    #[arg(long)]
    pub registry: String,
    /// The registry's root admin key (`ed25519:…` or a file of them); repeatable. Everything
    /// the registry sends is verified against it, offline.
    #[arg(long = "admin-key", required = true)]
    pub admin_keys: Vec<String>,
    /// A product to serve, `NAME` (its latest version) or `NAME@VERSION`; repeatable.
    #[arg(long = "product", required = true)]
    pub products: Vec<String>,
    #[arg(long, default_value = "127.0.0.1:7979")]
    pub listen: String,
    /// The access log (JSON lines, hash-chained): appended to, never rewritten.
    #[arg(long, default_value = "access.log")]
    pub access_log: PathBuf,
    /// When the access log is synced to disk: `answer` — before each answer leaves — or an
    /// interval (`20ms`): answers leave once their lines are written (a crash of the node loses
    /// none), and the file is synced that often (a power loss loses at most that much).
    #[arg(long, default_value = "answer")]
    pub access_log_sync: access::LogSync,
    /// How often sources are checked for changes and grants fetched again, in seconds.
    #[arg(long, default_value_t = 5)]
    pub refresh_secs: u64,
    /// How far a request's signature may be from this node's clock, in seconds.
    #[arg(long, default_value_t = 60)]
    pub signature_window: i64,
}

/// `NAME` or `NAME@VERSION`.
pub fn product_arg(s: &str) -> (String, Option<String>) {
    match s.split_once('@') {
        Some((n, v)) => (n.to_string(), Some(v.to_string())),
        None => (s.to_string(), None),
    }
}

/// What a running node needs besides its state: where to fetch grants again (each product
/// knows where its rows come from).
pub struct Context {
    pub client: steward_registry_client::Client,
}

/// Fetches and verifies every product of `args`, assembles each from the workspace, fetches
/// its grants and opens the access log. Refuses to start on anything unpublished or
/// unverifiable.
pub fn start(
    args: &ServeArgs,
    secrets: std::sync::Arc<dyn steward_secrets::SecretStore>,
) -> Result<(std::sync::Arc<NodeState>, Context), NodeError> {
    let roots = steward_registry_client::read_admin_keys(&args.admin_keys)
        .map_err(|e| NodeError::BadRequest(format!("--admin-key: {e}")))?;
    let client = steward_registry_client::Client::new(&args.registry)
        .map_err(|e| NodeError::BadRequest(format!("--registry: {e}")))?;
    let workspace = steward_app::open_workspace(&args.workspace)?;
    let book = std::sync::Arc::new(grants::GrantBook::new(roots.clone()));
    let mut products = std::collections::HashMap::new();
    for p in &args.products {
        let (name, version) = product_arg(p);
        let published = published::fetch(&client, &roots, &name, version.as_deref())?;
        book.replace(
            &published,
            client.grants(&name, None).map_err(|e| NodeError::Registry(format!("grants of {name}: {e}")))?,
        );
        let profiles = book.profiles(&name, chrono::Utc::now());
        let first = snapshot::build_stable(&workspace, &published, secrets.as_ref(), 1, &profiles)?;
        tracing::info!(product = %name, version = %published.version(), entities = first.entities(), ?profiles, "serving");
        let served = snapshot::Served::new(published, workspace.clone(), secrets.clone(), first);
        products.insert(name, std::sync::Arc::new(served));
    }
    let state = NodeState {
        products,
        grants: book,
        verifier: steward_httpsig::Verifier::new(args.signature_window, 1_000_000),
        log: access::AccessLog::open(&args.access_log, args.access_log_sync)?,
        metrics: metrics::Metrics::default(),
    };
    Ok((std::sync::Arc::new(state), Context { client }))
}

/// One round of the background work: a new snapshot of each product whose sources changed,
/// and its grants fetched again (kept as they were when the registry cannot be reached).
pub fn refresh(state: &NodeState, cx: &Context) {
    for (name, served) in &state.products {
        match cx.client.grants(name, None) {
            Ok(records) => state.grants.replace(&served.published, records),
            Err(e) => tracing::warn!(product = %name, error = %e, "cannot fetch grants: keeping the ones known"),
        }
        let profiles = state.grants.profiles(name, chrono::Utc::now());
        if let Err(e) = served.refresh(&profiles) {
            tracing::warn!(product = %name, error = %e, "cannot assemble the changed sources: still serving the last snapshot");
        }
        if let Err(e) = served.prepare(&profiles) {
            tracing::warn!(product = %name, error = %e, "cannot build the view a grant names");
        }
    }
}

impl ServeArgs {
    /// Serves until Ctrl-C or SIGTERM, printing `listening on URL` once ready.
    pub fn run(&self) -> Result<(), NodeError> {
        let (state, cx) = start(self, std::sync::Arc::new(steward_secrets::Keychain))?;
        let every = std::time::Duration::from_secs(self.refresh_secs.max(1));
        serve_blocking(state, &self.listen, every, move |st| refresh(st, &cx), |a| println!("listening on http://{a}"))
    }
}

/// What `verify-log` prints.
pub fn log_summary(path: &std::path::Path, c: &access::LogCheck) -> String {
    let mut out = format!("{}: {} entries, chained and matching their hashes", path.display(), c.entries);
    if let Some(h) = &c.head {
        out.push_str(&format!("; head {h}"));
    }
    if c.torn_tail {
        out.push_str("; the last line is cut short (written as the node was stopped, acknowledged to no one)");
    }
    out.push('\n');
    out
}
