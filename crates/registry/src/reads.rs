//! What the registry answers: versions, listings (each bounded, listings paginated), the audit
//! log, bundles for offline verification and signed checkpoints of the log head. Mutable state
//! (yanked, deprecated, which version is the latest) is always read from the database; only
//! immutable signed envelopes are cached, bounded by bytes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use steward_signing::{canonical_json, Envelope, CHECKPOINT_PAYLOAD_TYPE};

use crate::check_name;
use crate::db::{Conn, Row, Val};
use crate::service::{check_version, now, opt, text};
use crate::{Registry, RegistryError, Search};
use steward_registry_core::*;

/// Bytes of envelopes kept in the cache at most (it starts over when full).
pub const CACHE_BYTES: usize = 64 << 20;
pub const SCAN_ROWS: i64 = 5_000;
/// Versions of one product a listing returns at most.
pub const MAX_VERSIONS: usize = 10_000;
/// Log entries a bundle carries at most (from the version's entry to the head).
pub const MAX_BUNDLE_LOG: u64 = 20_000;

/// Signed envelopes by (name, version), with their digest and size.
#[derive(Clone, Default)]
pub struct EnvelopeCache(Arc<Mutex<CacheInner>>);

#[derive(Default)]
struct CacheInner {
    map: HashMap<(String, String), (String, Arc<Envelope>)>,
    bytes: usize,
}

impl EnvelopeCache {
    fn get(&self, name: &str, version: &str, digest: &str) -> Option<Arc<Envelope>> {
        let m = self.0.lock().ok()?;
        m.map.get(&(name.to_string(), version.to_string())).filter(|(d, _)| d == digest).map(|(_, e)| e.clone())
    }

    fn put(&self, name: &str, version: &str, digest: &str, env: Arc<Envelope>) {
        let size = env.payload.len() + env.signatures.iter().map(|s| s.sig.len() + s.keyid.len()).sum::<usize>() + 256;
        if let Ok(mut m) = self.0.lock() {
            if m.bytes + size > CACHE_BYTES {
                m.map.clear();
                m.bytes = 0;
            }
            if size <= CACHE_BYTES {
                m.bytes += size;
                m.map.insert((name.to_string(), version.to_string()), (digest.to_string(), env));
            }
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.0.lock().map(|m| m.bytes).unwrap_or(0)
    }
}

/// Every column of a version but its envelope.
const META: &str =
    "name, version, domain, owner, tags, description, digest, signer, published_at, yanked, deprecated, log_index";

fn record(row: &Row, envelope: Envelope) -> VersionRecord {
    VersionRecord {
        name: text(row, 0),
        version: text(row, 1),
        domain: text(row, 2),
        owner: text(row, 3),
        tags: serde_json::from_str(&text(row, 4)).unwrap_or_default(),
        description: opt(row, 5),
        digest: text(row, 6),
        envelope,
        signer: text(row, 7),
        published_at: text(row, 8),
        yanked: opt(row, 9),
        deprecated: opt(row, 10),
        log_index: row.get(11).and_then(Val::int).unwrap_or(0) as u64,
    }
}

fn storage(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Storage(e.to_string())
}

impl Registry {
    /// The record of the version `row` describes: its status from the row, its envelope from
    /// the cache or the database.
    fn with_envelope(&self, c: &mut dyn Conn, row: &Row) -> Result<VersionRecord, RegistryError> {
        let (name, version, digest) = (text(row, 0), text(row, 1), text(row, 6));
        let env = match self.cache.get(&name, &version, &digest) {
            Some(e) => e,
            None => {
                let rows = c.query(
                    "SELECT envelope FROM versions WHERE name = $1 AND version = $2",
                    &[name.clone().into(), version.clone().into()],
                )?;
                let env: Envelope = serde_json::from_str(&rows.first().map(|r| text(r, 0)).unwrap_or_default())
                    .map_err(|e| storage(format!("stored envelope: {e}")))?;
                let env = Arc::new(env);
                self.cache.put(&name, &version, &digest, env.clone());
                env
            }
        };
        Ok(record(row, (*env).clone()))
    }

    /// Bytes of signed envelopes the read cache holds now (at most [`CACHE_BYTES`]).
    pub fn cache_bytes(&self) -> usize {
        self.cache.bytes()
    }

    /// `name@version` as JSON.
    pub fn get_json(&self, name: &str, version: &str) -> Result<axum::body::Bytes, RegistryError> {
        let rec = self.get(name, version)?;
        Ok(axum::body::Bytes::from(serde_json::to_vec(&rec).map_err(storage)?))
    }

    pub fn get(&self, name: &str, version: &str) -> Result<VersionRecord, RegistryError> {
        check_name("product name", name)?;
        check_version(version)?;
        let (n, v) = (name.to_string(), version.to_string());
        self.db
            .read(|c| {
                let rows = c.query(
                    &format!("SELECT {META} FROM versions WHERE name = $1 AND version = $2"),
                    &[n.into(), v.into()],
                )?;
                rows.first().map(|r| self.with_envelope(c, r)).transpose()
            })?
            .ok_or_else(|| RegistryError::NotFound(format!("{name}@{version} is not published")))
    }

    pub fn by_digest(&self, d: &str) -> Result<VersionRecord, RegistryError> {
        let ok = d.len() == 71
            && d.starts_with("sha256:")
            && d[7..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
        if !ok {
            return Err(RegistryError::Invalid("a digest is `sha256:` and 64 lowercase hex digits".into()));
        }
        let dd = d.to_string();
        self.db
            .read(|c| {
                let rows = c.query(&format!("SELECT {META} FROM versions WHERE digest = $1 LIMIT 1"), &[dd.into()])?;
                rows.first().map(|r| self.with_envelope(c, r)).transpose()
            })?
            .ok_or_else(|| RegistryError::NotFound(format!("no version has digest {d}")))
    }

    /// (version, yanked) of every version of `name`, by precedence; bounded.
    fn version_list(&self, name: &str) -> Result<Vec<(semver::Version, Row)>, RegistryError> {
        check_name("product name", name)?;
        let n = name.to_string();
        let rows = self.db.read(|c| {
            c.query(
                "SELECT version, digest, signer, published_at, yanked, deprecated FROM versions WHERE name = $1 LIMIT $2",
                &[n.into(), (MAX_VERSIONS as i64 + 1).into()],
            )
        })?;
        if rows.is_empty() {
            return Err(RegistryError::NotFound(format!("no product `{name}`")));
        }
        if rows.len() > MAX_VERSIONS {
            return Err(RegistryError::TooLarge(format!("`{name}` has more than {MAX_VERSIONS} versions")));
        }
        let mut out: Vec<(semver::Version, Row)> =
            rows.into_iter().filter_map(|r| semver::Version::parse(&text(&r, 0)).ok().map(|v| (v, r))).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// The greatest version that is not yanked, as the database says now.
    pub fn latest(&self, name: &str) -> Result<VersionRecord, RegistryError> {
        let list = self.version_list(name)?;
        let (v, _) = list
            .iter()
            .rev()
            .find(|(_, r)| opt(r, 4).is_none())
            .ok_or_else(|| RegistryError::NotFound(format!("every version of `{name}` is yanked")))?;
        self.get(name, &v.to_string())
    }

    pub fn versions(&self, name: &str) -> Result<Vec<VersionInfo>, RegistryError> {
        Ok(self
            .version_list(name)?
            .into_iter()
            .map(|(_, r)| VersionInfo {
                version: text(&r, 0),
                digest: text(&r, 1),
                signer: text(&r, 2),
                published_at: text(&r, 3),
                yanked: opt(&r, 4),
                deprecated: opt(&r, 5),
            })
            .collect())
    }

    /// Products whose latest (not yanked) version matches every filter given: domain, owner,
    /// tag exactly; `text` anywhere in name, description, tags, domain or owner (case-blind).
    /// Filters are values, never SQL. One page: at most `limit` products (≤ [`MAX_PAGE`]) after
    /// the product named `after`, reading at most [`SCAN_ROWS`] version rows; the second value
    /// is where the next page starts, if there may be one.
    pub fn search_page(
        &self,
        f: &Search,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<ProductSummary>, Option<String>), RegistryError> {
        for (what, v) in [("q", &f.text), ("domain", &f.domain), ("owner", &f.owner), ("tag", &f.tag)] {
            if v.as_ref().is_some_and(|s| s.len() > 200 || s.chars().any(char::is_control)) {
                return Err(RegistryError::Invalid(format!("{what}: at most 200 characters, no control characters")));
            }
        }
        if let Some(a) = after {
            check_name("after", a)?;
        }
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(RegistryError::Invalid(format!("limit: 1-{MAX_PAGE} products")));
        }
        let from = after.unwrap_or("").to_string();
        let mut rows = self.db.read(|c| {
            c.query(
                "SELECT name, version, domain, owner, tags, description, yanked, deprecated FROM versions WHERE name > $1 ORDER BY name LIMIT $2",
                &[from.into(), (SCAN_ROWS + 1).into()],
            )
        })?;
        // A product cut at the end of the scan is left for the next page.
        let mut scan_done = true;
        if rows.len() as i64 > SCAN_ROWS {
            scan_done = false;
            rows.truncate(SCAN_ROWS as usize);
            let last = rows.last().map(|r| text(r, 0)).unwrap_or_default();
            if rows.iter().any(|r| text(r, 0) != last) {
                rows.retain(|r| text(r, 0) != last);
            }
        }
        let text_q = f.text.as_ref().map(|t| t.to_lowercase());
        let mut out = vec![];
        let mut i = 0;
        while i < rows.len() {
            let name = text(&rows[i], 0);
            let mut j = i;
            let mut best: Option<(semver::Version, &Row)> = None;
            while j < rows.len() && text(&rows[j], 0) == name {
                let r = &rows[j];
                if opt(r, 6).is_none() {
                    if let Ok(v) = semver::Version::parse(&text(r, 1)) {
                        if best.as_ref().is_none_or(|(b, _)| v > *b) {
                            best = Some((v, r));
                        }
                    }
                }
                j += 1;
            }
            let count = (j - i) as u64;
            i = j;
            let Some((v, r)) = best else { continue };
            let s = ProductSummary {
                name,
                latest: v.to_string(),
                domain: text(r, 2),
                owner: text(r, 3),
                tags: serde_json::from_str(&text(r, 4)).unwrap_or_default(),
                description: opt(r, 5),
                versions: count,
                deprecated: opt(r, 7),
            };
            let hit = f.domain.as_ref().is_none_or(|d| *d == s.domain)
                && f.owner.as_ref().is_none_or(|o| *o == s.owner)
                && f.tag.as_ref().is_none_or(|t| s.tags.contains(t))
                && text_q.as_ref().is_none_or(|q| {
                    [s.name.as_str(), s.domain.as_str(), s.owner.as_str(), s.description.as_deref().unwrap_or("")]
                        .into_iter()
                        .chain(s.tags.iter().map(String::as_str))
                        .any(|x| x.to_lowercase().contains(q.as_str()))
                });
            if hit {
                out.push(s);
                if out.len() == limit as usize {
                    let next = out.last().map(|s| s.name.clone());
                    return Ok((out, next));
                }
            }
        }
        let next = if scan_done { None } else { rows.last().map(|r| text(r, 0)) };
        Ok((out, next))
    }

    /// The first page of [`Registry::search_page`] (100 products).
    pub fn search(&self, f: &Search) -> Result<Vec<ProductSummary>, RegistryError> {
        Ok(self.search_page(f, None, 100)?.0)
    }

    /// Log entries from `from`, at most `limit` (≤ 10,000).
    pub fn log(&self, from: u64, limit: u64) -> Result<Vec<LogEntry>, RegistryError> {
        let from = i64::try_from(from)
            .map_err(|_| RegistryError::BadRequest(format!("from: {from} is beyond any log index")))?;
        let rows = self.db.read(|c| {
            c.query(
                "SELECT entry FROM log WHERE idx >= $1 ORDER BY idx LIMIT $2",
                &[from.into(), (limit.clamp(1, 10_000) as i64).into()],
            )
        })?;
        rows.iter()
            .map(|r| serde_json::from_str(&text(r, 0)).map_err(|e| RegistryError::Storage(format!("log entry: {e}"))))
            .collect()
    }

    /// The whole audit log, checked: every hash and link.
    pub fn verify_log(&self) -> Result<u64, RegistryError> {
        let mut from = 0;
        let mut last: Option<LogEntry> = None;
        loop {
            let page = self.log(from, 10_000)?;
            if page.is_empty() {
                return Ok(from);
            }
            let mut chunk = vec![];
            chunk.extend(last.take());
            chunk.extend(page);
            verify_chain(&chunk)?;
            from = chunk.last().map(|e| e.index + 1).unwrap_or(from);
            last = chunk.pop();
        }
    }

    /// The registry's signed checkpoint of log entry `index` with `hash`.
    fn sign_checkpoint(&self, index: u64, hash: String) -> Result<Envelope, RegistryError> {
        let root = self.db.read(|c| crate::merkle::root(&mut crate::merkle::DbNodes(c), index + 1))?;
        let cp = Checkpoint {
            registry: self.key.public().fingerprint(),
            index,
            hash,
            root: crate::merkle::hex(&root),
            at: now(),
        };
        Ok(self.key.sign(CHECKPOINT_PAYLOAD_TYPE, &canonical_json(&cp, "checkpoint")?))
    }

    /// A checkpoint of the log head now, signed by the registry's key.
    pub fn checkpoint(&self) -> Result<Envelope, RegistryError> {
        let head = self.db.read(|c| c.query("SELECT idx, hash FROM log ORDER BY idx DESC LIMIT 1", &[]))?;
        let r = head.first().ok_or_else(|| RegistryError::NotFound("the log is empty".into()))?;
        self.sign_checkpoint(r.first().and_then(Val::int).unwrap_or(0) as u64, text(r, 1))
    }

    /// The consistency proof (RFC 9162) from the log's first `from` entries to its first `to`:
    /// the hashes that show the larger tree only appends to the smaller.
    pub fn consistency(&self, from: u64, to: u64) -> Result<Vec<String>, RegistryError> {
        let size = self.db.read(|c| c.query("SELECT idx FROM log ORDER BY idx DESC LIMIT 1", &[]))?;
        let size = size.first().and_then(|r| r.first()).and_then(Val::int).map(|i| i as u64 + 1).unwrap_or(0);
        if from == 0 || from > to || to > size {
            return Err(RegistryError::BadRequest(format!("from and to: 1 ≤ from ≤ to ≤ {size} (the log's size)")));
        }
        let proof = self.db.read(|c| crate::merkle::consistency_proof(&mut crate::merkle::DbNodes(c), from, to))?;
        Ok(proof.iter().map(crate::merkle::hex).collect())
    }

    /// Every signed trust policy, in the order the log accepted them.
    pub fn trust_history(&self) -> Result<Vec<Envelope>, RegistryError> {
        let rows = self.db.read(|c| c.query("SELECT envelope FROM trust_policies ORDER BY log_index", &[]))?;
        rows.iter()
            .map(|r| serde_json::from_str(&text(r, 0)).map_err(|e| storage(format!("stored trust: {e}"))))
            .collect()
    }

    /// Everything needed to verify `name@version` offline: its envelope, every trust policy,
    /// the log from its entry to the head (at most [`MAX_BUNDLE_LOG`] entries), and a
    /// checkpoint of that head signed by the registry's key.
    pub fn bundle(&self, name: &str, version: &str) -> Result<Bundle, RegistryError> {
        let rec = self.get(name, version)?;
        let trust = self.trust_history()?;
        let mut log = vec![];
        let mut from = rec.log_index;
        loop {
            let page = self.log(from, 10_000)?;
            if page.is_empty() {
                break;
            }
            from = page.last().map(|e| e.index + 1).unwrap_or(from);
            log.extend(page);
            if log.len() as u64 > MAX_BUNDLE_LOG {
                return Err(RegistryError::TooLarge(format!(
                    "{name}@{version}: more than {MAX_BUNDLE_LOG} log entries since it was published; too many to bundle"
                )));
            }
        }
        let checkpoint = match log.last() {
            Some(e) => Some(self.sign_checkpoint(e.index, e.hash.clone())?),
            None => None,
        };
        let (evidence, waiver) = self.evidence(name, version)?;
        Ok(Bundle {
            name: rec.name,
            version: rec.version,
            envelope: rec.envelope,
            trust,
            log,
            checkpoint,
            evidence,
            waiver,
        })
    }

    /// The signed evidence published with `name@version`, and the override it carried, if any.
    pub fn evidence(&self, name: &str, version: &str) -> Result<(Option<Envelope>, Option<Envelope>), RegistryError> {
        let (n, v) = (name.to_string(), version.to_string());
        let row = self.db.read(|c| {
            Ok(c.query(
                "SELECT evidence, waiver FROM evidence WHERE name = $1 AND version = $2",
                &[n.into(), v.into()],
            )?
            .into_iter()
            .next())
        })?;
        let Some(r) = row else { return Ok((None, None)) };
        let open = |i: usize| -> Result<Option<Envelope>, RegistryError> {
            r.get(i).and_then(Val::text).map(|t| serde_json::from_str(t).map_err(storage)).transpose()
        };
        Ok((open(0)?, open(1)?))
    }
}
