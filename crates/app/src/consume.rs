//! The consumer's side of a data node, written once for the CLI and the desktop: every request
//! signed with the consumer's key from the OS keychain (RFC 9421: method, path, query, a
//! creation time and a fresh nonce), one entity's 360 tree, a page of the product table, or the
//! whole product as an Arrow stream or Parquet file written atomically. A refusal arrives as
//! the node's `{code, message}`.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use steward_signing::KeyPair;

use crate::AppError;

/// Every code a node answers a refusal with.
pub const NODE_CODES: &[&str] = &[
    "node.bad_request",
    "node.error",
    "node.forbidden",
    "node.io",
    "node.not_found",
    "node.registry",
    "node.timeout",
    "node.unpublished",
    "node.unreachable",
    "node.unverified",
    "node.workspace",
    "signature.busy",
    "signature.coverage",
    "signature.invalid",
    "signature.malformed",
    "signature.missing",
    "signature.replayed",
    "signature.stale",
    "signature.unknown_key",
];

/// What to ask a node for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// One entity's whole tree, by its key (comma-separated parts) as the grant's profile shows it.
    Entity(String),
    /// A page of the product table.
    Rows { offset: u64, limit: u32 },
    /// The whole product, as an Arrow IPC stream.
    Arrow,
    /// The same stream with its buffers LZ4-compressed (half the bytes, or less).
    ArrowLz4,
    /// The whole product, as Parquet.
    Parquet,
    /// The newest accesses to the product (for its owners: an `unmasked` grant).
    Accesses { limit: u32 },
}

/// One line of a node's access log — as the node writes it and as the product's owners read
/// it: who, when, what, under which profile, how many entities, never a value; hash-chained.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeAccess {
    pub index: u64,
    pub at: String,
    /// The consumer's key fingerprint, and whom its grant names.
    pub consumer: String,
    pub consumer_name: String,
    pub product: String,
    pub version: String,
    pub profile: String,
    /// `entity`, `rows`, `arrow`, `parquet`, `accesses`.
    pub endpoint: String,
    /// How many entities the answer holds.
    pub entities: u64,
    /// The hash of the line before (zeros for the first), and this line's own.
    pub prev: String,
    pub hash: String,
}

/// The newest accesses to `product` from the node at `node`, signed with `key` (which needs an
/// `unmasked` grant).
pub fn accesses(node: &str, product: &str, key: &KeyPair, limit: u32) -> Result<Vec<NodeAccess>, AppError> {
    let a = ask(node, product, key, &Ask::Accesses { limit })?;
    serde_json::from_slice(&a.body).map_err(|e| refusal("node.error", format!("node {node}: not an access list: {e}")))
}

/// A node's answer: the body, and where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub body: Vec<u8>,
    /// `steward-product`, `steward-definition-digest`, `steward-profile`, `steward-key-version`,
    /// `steward-as-of`, as the node sent them.
    pub provenance: Vec<(String, String)>,
}

/// Percent-encodes a path segment (everything but unreserved characters and `,`).
fn segment(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn refusal(code: &str, message: String) -> AppError {
    let code = NODE_CODES.iter().copied().find(|c| *c == code).unwrap_or("node.error");
    AppError::Node { code, message }
}

/// Asks the node at `node` for `product` as `ask` says, signed with `key`.
pub fn ask(node: &str, product: &str, key: &KeyPair, ask: &Ask) -> Result<Answer, AppError> {
    steward_model::check_product_name(product).map_err(AppError::InvalidInput)?;
    let base = node.trim_end_matches('/');
    let rest = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
        .ok_or_else(|| AppError::InvalidInput(format!("node URL `{node}` must start with http:// or https://")))?;
    let authority = rest.split('/').next().unwrap_or(rest).to_ascii_lowercase();
    let (path, query) = match ask {
        Ask::Entity(k) => (format!("/v1/products/{product}/entities/{}", segment(k)), None),
        Ask::Rows { offset, limit } => {
            (format!("/v1/products/{product}/rows"), Some(format!("offset={offset}&limit={limit}")))
        }
        Ask::Arrow => (format!("/v1/products/{product}/arrow"), None),
        Ask::ArrowLz4 => (format!("/v1/products/{product}/arrow"), Some("compression=lz4".to_string())),
        Ask::Parquet => (format!("/v1/products/{product}/parquet"), None),
        Ask::Accesses { limit } => (format!("/v1/products/{product}/accesses"), Some(format!("limit={limit}"))),
    };
    let req = steward_httpsig::Request {
        method: "GET",
        authority: &authority,
        path: &path,
        query: query.as_deref(),
        headers: &[],
    };
    let (input, sig) = steward_httpsig::sign_request(&req, key, chrono::Utc::now().timestamp())
        .map_err(|e| AppError::InvalidInput(e.to_string()))?;
    let url = format!("{base}{path}{}", query.map(|q| format!("?{q}")).unwrap_or_default());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(3600)))
        .build()
        .into();
    let mut resp = agent
        .get(&url)
        .header("Signature-Input", &input)
        .header("Signature", &sig)
        .call()
        .map_err(|e| refusal("node.unreachable", format!("node {base} is unreachable: {e}")))?;
    let status = resp.status();
    let provenance: Vec<(String, String)> = resp
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("steward-"))
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_string(), v.to_string())))
        .collect();
    let mut body = Vec::new();
    resp.body_mut()
        .as_reader()
        .read_to_end(&mut body)
        .map_err(|e| refusal("node.unreachable", format!("node {base}: the answer broke off: {e}")))?;
    if status.is_success() {
        return Ok(Answer { body, provenance });
    }
    #[derive(serde::Deserialize)]
    struct Refused {
        code: String,
        message: String,
    }
    match serde_json::from_slice::<Refused>(&body) {
        Ok(r) => Err(refusal(&r.code, r.message)),
        Err(_) => Err(refusal("node.error", format!("node {base} answered {status}"))),
    }
}

/// [`ask`] with the consumer key `key_name` from the OS keychain; a whole product is written
/// atomically to `out`.
pub fn consume(node: &str, product: &str, key_name: &str, what: &Ask, out: Option<&Path>) -> Result<Answer, AppError> {
    let key = KeyPair::load(key_name, &steward_secrets::Keychain)?;
    let answer = ask(node, product, &key, what)?;
    if let Some(out) = out {
        steward_workspace::write_atomic(out, &answer.body)?;
    }
    Ok(answer)
}
