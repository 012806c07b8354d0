//! The registry's HTTP client, for the CLI and the desktop: blocking, with timeouts, every
//! server error back as the [`RegistryError`] its `{code, message}` names, and an unreachable
//! registry said plainly.

use std::time::Duration;

use serde::{de::DeserializeOwned, Serialize};
use steward_signing::Envelope;

use steward_registry_core::*;

#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

/// Percent-encodes one path segment or query value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    /// A client of the registry at `base` (`http://127.0.0.1:7878`).
    pub fn new(base: &str) -> Result<Client, RegistryError> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() > 2000 {
            return Err(RegistryError::Invalid(format!(
                "registry URL `{}` must start with http:// or https://",
                base.escape_debug()
            )));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .timeout_connect(Some(Duration::from_secs(5)))
            .build()
            .into();
        Ok(Client { base, agent })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn unreachable(&self, e: ureq::Error) -> RegistryError {
        RegistryError::Unreachable(format!("registry {} is unreachable: {e}", self.base))
    }

    fn read<T: DeserializeOwned>(
        &self,
        resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, RegistryError> {
        let mut resp = resp.map_err(|e| self.unreachable(e))?;
        let status = resp.status();
        let text =
            resp.body_mut().with_config().limit(256 * 1024 * 1024).read_to_string().map_err(|e| self.unreachable(e))?;
        if status.is_success() {
            serde_json::from_str(&text).map_err(|e| {
                RegistryError::BadRequest(format!("registry {} answered with unexpected JSON: {e}", self.base))
            })
        } else {
            match serde_json::from_str::<ErrorBody>(&text) {
                Ok(b) => Err(RegistryError::from_code(&b.code, b.message)),
                Err(_) => Err(RegistryError::Storage(format!("registry {} answered {status}", self.base))),
            }
        }
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, RegistryError> {
        self.read(self.agent.get(format!("{}{path}", self.base)).call())
    }

    fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, RegistryError> {
        self.read(self.agent.post(format!("{}{path}", self.base)).send_json(body))
    }

    pub fn publish(&self, req: &PublishRequest) -> Result<Published, RegistryError> {
        self.post("/v1/products", req)
    }

    /// Every product matching `s`, page by page (at most [`Client::MAX_SEARCH`]).
    pub fn search(&self, s: &Search) -> Result<Vec<ProductSummary>, RegistryError> {
        let mut out = vec![];
        let mut after: Option<String> = None;
        loop {
            let (page, next) = self.search_page(s, after.as_deref(), crate::MAX_PAGE)?;
            out.extend(page);
            match next {
                Some(n) if out.len() < Self::MAX_SEARCH && after.as_deref() != Some(n.as_str()) => after = Some(n),
                _ => return Ok(out),
            }
        }
    }

    /// Products a [`Client::search`] collects at most.
    pub const MAX_SEARCH: usize = 10_000;

    /// One page of a search: at most `limit` products after the product `after`, and where the
    /// next page starts (if there may be one).
    pub fn search_page(
        &self,
        s: &Search,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<ProductSummary>, Option<String>), RegistryError> {
        let mut q = vec![format!("limit={limit}")];
        for (k, v) in [("q", &s.text), ("domain", &s.domain), ("owner", &s.owner), ("tag", &s.tag)] {
            if let Some(v) = v {
                q.push(format!("{k}={}", enc(v)));
            }
        }
        if let Some(a) = after {
            q.push(format!("after={}", enc(a)));
        }
        let resp = self.agent.get(format!("{}/v1/products?{}", self.base, q.join("&"))).call();
        let next = resp
            .as_ref()
            .ok()
            .and_then(|r| r.headers().get(crate::NEXT_HEADER))
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        Ok((self.read(resp)?, next))
    }

    pub fn versions(&self, name: &str) -> Result<Vec<VersionInfo>, RegistryError> {
        self.get(&format!("/v1/products/{}", enc(name)))
    }

    pub fn latest(&self, name: &str) -> Result<VersionRecord, RegistryError> {
        self.get(&format!("/v1/products/{}/latest", enc(name)))
    }

    pub fn version(&self, name: &str, version: &str) -> Result<VersionRecord, RegistryError> {
        self.get(&format!("/v1/products/{}/versions/{}", enc(name), enc(version)))
    }

    pub fn bundle(&self, name: &str, version: &str) -> Result<Bundle, RegistryError> {
        self.get(&format!("/v1/products/{}/versions/{}/bundle", enc(name), enc(version)))
    }

    pub fn by_digest(&self, digest: &str) -> Result<VersionRecord, RegistryError> {
        self.get(&format!("/v1/digests/{}", enc(digest)))
    }

    pub fn act(&self, env: &Envelope) -> Result<LogEntry, RegistryError> {
        self.post("/v1/actions", env)
    }

    pub fn trust(&self) -> Result<TrustView, RegistryError> {
        self.get("/v1/trust")
    }

    pub fn set_trust(&self, env: &Envelope) -> Result<LogEntry, RegistryError> {
        self.read(self.agent.put(format!("{}/v1/trust", self.base)).send_json(env))
    }

    pub fn log(&self, from: u64, limit: u64) -> Result<Vec<LogEntry>, RegistryError> {
        self.get(&format!("/v1/log?from={from}&limit={limit}"))
    }

    /// A checkpoint of the registry's log head, signed by its key.
    pub fn checkpoint(&self) -> Result<Envelope, RegistryError> {
        self.get("/v1/checkpoint")
    }

    /// The proof that the log's first `to` entries extend its first `from` (RFC 9162).
    pub fn consistency(&self, from: u64, to: u64) -> Result<Vec<String>, RegistryError> {
        Ok(self.get::<crate::ConsistencyProof>(&format!("/v1/log/consistency?from={from}&to={to}"))?.proof)
    }

    /// The newest signed actions the registry refused.
    pub fn refusals(&self, limit: u64) -> Result<Vec<Refusal>, RegistryError> {
        self.get(&format!("/v1/refusals?limit={limit}"))
    }

    /// Records a signed grant ([`crate::sign_grant`]).
    pub fn grant(&self, env: &Envelope) -> Result<GrantRecord, RegistryError> {
        self.post("/v1/grants", env)
    }

    /// Records a signed revocation ([`crate::sign_revocation`]).
    pub fn revoke_grant(&self, env: &Envelope) -> Result<LogEntry, RegistryError> {
        self.post("/v1/grants/revoke", env)
    }

    /// Every grant of `product`, to the consumer key with fingerprint `consumer` when given,
    /// oldest first: page after page, however many there are.
    pub fn grants(&self, product: &str, consumer: Option<&str>) -> Result<Vec<GrantRecord>, RegistryError> {
        let mut all: Vec<GrantRecord> = vec![];
        loop {
            let page = self.grants_page(product, consumer, all.last().map(|g| g.log_index))?;
            let full = page.len() >= steward_registry_core::MAX_GRANTS_LISTED;
            let advanced = page.last().map(|g| g.log_index) > all.last().map(|g| g.log_index);
            all.extend(page);
            if !full || !advanced {
                return Ok(all);
            }
        }
    }

    /// One page of [`Client::grants`]: those entered in the log after index `after`.
    pub fn grants_page(
        &self,
        product: &str,
        consumer: Option<&str>,
        after: Option<u64>,
    ) -> Result<Vec<GrantRecord>, RegistryError> {
        let mut path = format!("/v1/grants?product={}", query_value(product));
        if let Some(c) = consumer {
            path.push_str(&format!("&consumer={}", query_value(c)));
        }
        if let Some(a) = after {
            path.push_str(&format!("&after={a}"));
        }
        self.get(&path)
    }

    /// One grant by its digest.
    pub fn grant_record(&self, digest: &str) -> Result<GrantRecord, RegistryError> {
        self.get(&format!("/v1/grants/{}", query_value(digest)))
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986): a fingerprint's `+`, `/`
/// and `:` survive the trip.
fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
