//! The registry's rules, independent of HTTP: what is verified before anything is stored, what
//! is refused, and what each accepted action appends to the audit log.

use steward_model::ProductDefinition;
use steward_signing::{
    canonical_json, digest, Envelope, PublicKey, ACTION_PAYLOAD_TYPE, PRODUCT_PAYLOAD_TYPE, TRUST_PAYLOAD_TYPE,
};

use crate::db::{Conn, Db, DbUrl, Row, Val};
use crate::types::*;
use crate::RegistryError;

/// Largest request body the registry reads.
pub const MAX_BODY: usize = 1 << 20;

/// Names of products and domains: ASCII only (no look-alike letters), lowercase, digits, `-`
/// and `_`, starting with a letter, at most 64 characters.
pub fn check_name(what: &str, s: &str) -> Result<(), RegistryError> {
    let mut chars = s.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "{what} `{}` is not allowed: use 1-64 ASCII lowercase letters, digits, `-` and `_`, starting with a letter",
            s.chars().take(80).collect::<String>().escape_debug()
        )))
    }
}

fn check_version(s: &str) -> Result<semver::Version, RegistryError> {
    semver::Version::parse(s).map_err(|_| {
        RegistryError::Invalid(format!(
            "version `{}` is not a semantic version (1.2.0)",
            s.chars().take(40).collect::<String>().escape_debug()
        ))
    })
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The payload of `env` if it has type `payload_type` and is canonical JSON.
fn canonical_payload(env: &Envelope, payload_type: &str) -> Result<(Vec<u8>, serde_json::Value), RegistryError> {
    if env.payload_type != payload_type {
        return Err(RegistryError::BadRequest(format!(
            "payload type `{}` is not `{payload_type}`",
            env.payload_type.chars().take(100).collect::<String>().escape_debug()
        )));
    }
    let payload = env.payload_bytes()?;
    let value: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|e| RegistryError::BadRequest(format!("the payload is not JSON: {e}")))?;
    if canonical_json(&value, "payload")? != payload {
        return Err(RegistryError::BadRequest("the payload is not in canonical form (RFC 8785)".into()));
    }
    Ok((payload, value))
}

/// The registry: storage plus the root admin keys given when it started.
#[derive(Clone)]
pub struct Registry {
    db: Db,
    roots: Vec<PublicKey>,
    /// name@version → its record as JSON. Published content never changes; a yank or a
    /// deprecation drops the entry, so the next read sees the new status.
    cache: Cache,
}

type Cache = std::sync::Arc<std::sync::RwLock<std::collections::HashMap<(String, String), axum::body::Bytes>>>;

/// Records kept in the read cache at most (it starts over when full).
const CACHE_ENTRIES: usize = 50_000;

const VERSION_COLUMNS: &str = "name, version, domain, owner, tags, description, digest, envelope, signer, published_at, yanked, deprecated, log_index";

fn text(row: &Row, i: usize) -> String {
    row.get(i).and_then(Val::text).unwrap_or_default().to_string()
}

fn opt(row: &Row, i: usize) -> Option<String> {
    row.get(i).and_then(Val::text).map(String::from)
}

fn version_record(row: &Row) -> Result<VersionRecord, RegistryError> {
    Ok(VersionRecord {
        name: text(row, 0),
        version: text(row, 1),
        domain: text(row, 2),
        owner: text(row, 3),
        tags: serde_json::from_str(&text(row, 4)).unwrap_or_default(),
        description: opt(row, 5),
        digest: text(row, 6),
        envelope: serde_json::from_str(&text(row, 7))
            .map_err(|e| RegistryError::Storage(format!("stored envelope: {e}")))?,
        signer: text(row, 8),
        published_at: text(row, 9),
        yanked: opt(row, 10),
        deprecated: opt(row, 11),
        log_index: row.get(12).and_then(Val::int).unwrap_or(0) as u64,
    })
}

/// Appends an entry to the audit log, in the caller's transaction.
fn append_log(c: &mut dyn Conn, mut e: LogEntry) -> Result<LogEntry, RegistryError> {
    let head = c.query("SELECT idx, hash FROM log ORDER BY idx DESC LIMIT 1", &[])?;
    match head.first() {
        Some(r) => {
            e.index = r.first().and_then(Val::int).unwrap_or(0) as u64 + 1;
            e.prev = text(r, 1);
        }
        None => {
            e.index = 0;
            e.prev = GENESIS.to_string();
        }
    }
    e.hash = e.compute_hash()?;
    let entry = serde_json::to_string(&e).map_err(|x| RegistryError::Storage(x.to_string()))?;
    c.exec(
        "INSERT INTO log (idx, entry, hash) VALUES ($1, $2, $3)",
        &[(e.index as i64).into(), entry.into(), e.hash.clone().into()],
    )?;
    Ok(e)
}

fn draft(
    action: &str,
    name: Option<String>,
    version: Option<String>,
    digest: String,
    signer: String,
    serial: u64,
) -> LogEntry {
    LogEntry {
        index: 0,
        at: now(),
        action: action.into(),
        name,
        version,
        digest,
        signer,
        trust_serial: serial,
        note: None,
        prev: String::new(),
        hash: String::new(),
    }
}

fn current_trust(c: &mut dyn Conn) -> Result<Option<StoredTrust>, RegistryError> {
    let rows = c.query("SELECT serial, envelope FROM trust ORDER BY serial DESC LIMIT 1", &[])?;
    let Some(r) = rows.first() else { return Ok(None) };
    let envelope: Envelope =
        serde_json::from_str(&text(r, 1)).map_err(|e| RegistryError::Storage(format!("stored trust: {e}")))?;
    let policy: TrustPolicy = serde_json::from_slice(&envelope.payload_bytes()?)
        .map_err(|e| RegistryError::Storage(format!("stored trust: {e}")))?;
    Ok(Some(StoredTrust { serial: policy.serial, envelope, policy }))
}

/// Why `env` may not publish for `domain`: a key this registry does not know, a key trusted
/// for other domains only, or a signature that does not verify.
fn verify_for_domain(
    env: &Envelope,
    payload_type: &str,
    policy: &TrustPolicy,
    domain: &str,
) -> Result<String, RegistryError> {
    let allowed = policy.signers_for(domain);
    match env.verify(payload_type, &allowed) {
        Ok(v) => Ok(v.keyid),
        Err(steward_signing::SigningError::Signature(m)) => {
            let ids = env.keyids();
            let allowed_ids: Vec<String> = allowed.iter().map(|k| k.fingerprint()).collect();
            if ids.iter().any(|i| allowed_ids.iter().any(|a| a == i)) {
                return Err(RegistryError::Signature(m));
            }
            match ids.iter().find_map(|i| policy.signer_name(i).map(|n| (i, n))) {
                Some((id, who)) => Err(RegistryError::Untrusted(format!(
                    "key {id} ({who}) is not allowed to publish for domain `{domain}`"
                ))),
                None => Err(RegistryError::Untrusted(format!(
                    "signed by {}, which this registry does not trust",
                    if ids.is_empty() { "no key".to_string() } else { ids.join(", ") }
                ))),
            }
        }
        Err(e) => Err(e.into()),
    }
}

impl Registry {
    pub fn open(url: &DbUrl, roots: Vec<PublicKey>) -> Result<Registry, RegistryError> {
        if roots.is_empty() {
            return Err(RegistryError::Invalid("a registry needs at least one root admin key".into()));
        }
        Ok(Registry { db: Db::open(url)?, roots, cache: Default::default() })
    }

    pub fn roots(&self) -> &[PublicKey] {
        &self.roots
    }

    pub fn trust(&self) -> Result<Option<StoredTrust>, RegistryError> {
        self.db.read(current_trust)
    }

    /// Replaces the trust policy with `env`, signed by a root admin key or an admin of the
    /// current policy, with a greater serial.
    pub fn set_trust(&self, env: Envelope) -> Result<LogEntry, RegistryError> {
        let (payload, value) = canonical_payload(&env, TRUST_PAYLOAD_TYPE)?;
        let policy: TrustPolicy =
            serde_json::from_value(value).map_err(|e| RegistryError::Invalid(format!("not a trust policy: {e}")))?;
        if let Some(t) = &policy.expires {
            if chrono::DateTime::parse_from_rfc3339(t).is_err() {
                return Err(RegistryError::Invalid(format!("expires: `{}` is not an RFC 3339 time", t.escape_debug())));
            }
            if policy.expired_at(chrono::Utc::now()) {
                return Err(RegistryError::Invalid(format!("the trust policy expired already ({t})")));
            }
        }
        for s in &policy.signers {
            for d in &s.domains {
                if d != "*" {
                    check_name("domain", d)?;
                }
            }
        }
        let roots = self.roots.clone();
        let digest = digest(&payload);
        self.db.write(move |c| {
            let current = current_trust(c)?;
            let mut admins = roots;
            if let Some(t) = &current {
                admins.extend(t.policy.admins.iter().copied());
            }
            let verified = env.verify(TRUST_PAYLOAD_TYPE, &admins).map_err(|e| match e {
                steward_signing::SigningError::Signature(m) => {
                    RegistryError::Untrusted(format!("a trust policy must be signed by a registry admin key: {m}"))
                }
                other => other.into(),
            })?;
            if let Some(t) = &current {
                if policy.serial <= t.serial {
                    return Err(RegistryError::Replay(format!(
                        "trust policy serial {} is not newer than the current {}",
                        policy.serial, t.serial
                    )));
                }
            }
            let envelope = serde_json::to_string(&env).map_err(|e| RegistryError::Storage(e.to_string()))?;
            c.exec(
                "INSERT INTO trust (serial, envelope) VALUES ($1, $2)",
                &[(policy.serial as i64).into(), envelope.into()],
            )?;
            append_log(c, draft("trust", None, None, digest, verified.keyid, policy.serial))
        })
    }

    /// Verifies and stores a signed product definition. Nothing is stored unless every check
    /// passes: canonical payload, a valid definition, a signature by a key trusted for its
    /// domain, a new version greater than every published one, and no breaking change without
    /// the bump it needs (unless overridden, which the log records).
    pub fn publish(&self, req: PublishRequest) -> Result<Published, RegistryError> {
        let env = req.envelope;
        let (payload, value) = canonical_payload(&env, PRODUCT_PAYLOAD_TYPE)?;
        let def: ProductDefinition = serde_json::from_value(value)
            .map_err(|e| RegistryError::Invalid(format!("the payload is not a product definition: {e}")))?;
        check_name("product name", &def.metadata.name)?;
        check_name("domain", &def.metadata.domain)?;
        let version = check_version(&def.metadata.version)?;
        let errors: Vec<String> = steward_model::check(&def)
            .into_iter()
            .filter(|i| i.severity == steward_model::Severity::Error)
            .map(|i| i.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(RegistryError::Invalid(format!("the definition has errors: {}", errors.join("; "))));
        }
        if req.allow_breaking && req.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(RegistryError::BadRequest("allowBreaking needs a reason, recorded in the audit log".into()));
        }
        let Some(trust) = self.trust()? else {
            return Err(RegistryError::Untrusted("no trust policy yet: a registry admin must sign one first".into()));
        };
        if trust.policy.expired_at(chrono::Utc::now()) {
            return Err(RegistryError::Untrusted(format!(
                "trust policy {} expired on {}: a registry admin must sign a new one",
                trust.serial,
                trust.policy.expires.clone().unwrap_or_default()
            )));
        }
        let name = def.metadata.name.clone();
        let domain = def.metadata.domain.clone();
        let signer = verify_for_domain(&env, PRODUCT_PAYLOAD_TYPE, &trust.policy, &domain)?;
        let verified_serial = trust.serial;
        let digest = digest(&payload);
        let envelope_text = serde_json::to_string(&env).map_err(|e| RegistryError::Storage(e.to_string()))?;
        let tags = serde_json::to_string(&def.metadata.tags).unwrap_or_else(|_| "[]".into());
        self.db.write(move |c| {
            // The policy may have changed since: check against the one in force now.
            let trust = current_trust(c)?.ok_or_else(|| RegistryError::Untrusted("no trust policy".into()))?;
            let signer = if trust.serial != verified_serial {
                verify_for_domain(&env, PRODUCT_PAYLOAD_TYPE, &trust.policy, &domain)?
            } else {
                signer
            };
            // Versions and digests only; the latest one's definition is read below, alone.
            let rows = c.query("SELECT version, digest FROM versions WHERE name = $1", &[name.clone().into()])?;
            let wanted = version.to_string();
            if let Some(same) = rows.iter().find(|r| text(r, 0) == wanted) {
                return Err(if text(same, 1) == digest {
                    RegistryError::Replay(format!("{name}@{} is already published with this content", text(same, 0)))
                } else {
                    RegistryError::Exists(format!(
                        "{name}@{} exists and versions never change: publish a new version",
                        text(same, 0)
                    ))
                });
            }
            let top = rows.iter().filter_map(|r| semver::Version::parse(&text(r, 0)).ok()).max();
            let latest = match top {
                Some(v) => c
                    .query(
                        &format!("SELECT {VERSION_COLUMNS} FROM versions WHERE name = $1 AND version = $2"),
                        &[name.clone().into(), v.to_string().into()],
                    )?
                    .first()
                    .map(version_record)
                    .transpose()?
                    .map(|r| (v, r)),
                None => None,
            };
            let mut note = vec![];
            let mut privacy_review = false;
            if let Some((top, rec)) = &latest {
                if version <= *top {
                    return Err(RegistryError::NotNewer(format!(
                        "{name}@{version} is not newer than the published {top}: versions must increase"
                    )));
                }
                if let Some(prev) = rec
                    .envelope
                    .payload_bytes()
                    .ok()
                    .and_then(|b| serde_json::from_slice::<ProductDefinition>(&b).ok())
                {
                    let d = steward_model::diff(&prev, &def);
                    if d.under_bumped() {
                        let changes: Vec<String> =
                            d.changes.iter().filter(|x| x.bump >= d.required()).map(|x| format!("{}: {}", x.path, x.message)).collect();
                        if !req.allow_breaking {
                            return Err(RegistryError::Breaking(format!(
                                "{name} {top} → {version} needs a {} bump for: {}",
                                d.required().as_str(),
                                changes.join("; ")
                            )));
                        }
                        note.push(format!(
                            "override: {} change published as {}: {}",
                            d.required().as_str(),
                            d.actual.map(|b| b.as_str()).unwrap_or("no bump"),
                            req.reason.clone().unwrap_or_default()
                        ));
                    }
                    if d.privacy_review {
                        privacy_review = true;
                        note.push("privacy review: masking weakened".into());
                    }
                }
            }
            let mut entry = draft("publish", Some(name.clone()), Some(version.to_string()), digest.clone(), signer.clone(), trust.serial);
            entry.note = (!note.is_empty()).then(|| note.join("; "));
            let entry = append_log(c, entry)?;
            c.exec(
                &format!("INSERT INTO versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"),
                &[
                    name.clone().into(),
                    version.to_string().into(),
                    domain.clone().into(),
                    def.metadata.owner.clone().into(),
                    tags.into(),
                    def.metadata.description.clone().into(),
                    digest.clone().into(),
                    envelope_text.into(),
                    signer.into(),
                    entry.at.clone().into(),
                    Val::Null,
                    Val::Null,
                    (entry.index as i64).into(),
                ],
            )?;
            Ok(Published {
                name,
                version: version.to_string(),
                digest,
                log_index: entry.index,
                entry_hash: entry.hash,
                privacy_review,
                previous: latest.map(|(v, _)| v.to_string()),
            })
        })
    }

    /// Yanks or deprecates a version, by a signed [`Action`] from a key trusted for the
    /// product's domain or an admin key. A replayed action is refused.
    pub fn act(&self, env: Envelope) -> Result<LogEntry, RegistryError> {
        let (payload, value) = canonical_payload(&env, ACTION_PAYLOAD_TYPE)?;
        let action: Action =
            serde_json::from_value(value).map_err(|e| RegistryError::Invalid(format!("not an action: {e}")))?;
        if action.action != "yank" && action.action != "deprecate" {
            return Err(RegistryError::Invalid(format!(
                "action `{}` is not one of yank, deprecate",
                action.action.chars().take(40).collect::<String>().escape_debug()
            )));
        }
        check_name("product name", &action.name)?;
        check_version(&action.version)?;
        if action.reason.trim().is_empty() || action.reason.len() > 1000 {
            return Err(RegistryError::Invalid("reason: 1-1000 characters".into()));
        }
        let digest = digest(&payload);
        let roots = self.roots.clone();
        let key = (action.name.clone(), action.version.clone());
        let cache = self.cache.clone();
        let done = self.db.write(move |c| {
            let trust = current_trust(c)?.ok_or_else(|| RegistryError::Untrusted("no trust policy".into()))?;
            let rows = c.query(
                &format!("SELECT {VERSION_COLUMNS} FROM versions WHERE name = $1 AND version = $2"),
                &[action.name.clone().into(), action.version.clone().into()],
            )?;
            let rec = rows.first().map(version_record).transpose()?.ok_or_else(|| {
                RegistryError::NotFound(format!("{}@{} is not published", action.name, action.version))
            })?;
            let mut keys = trust.policy.signers_for(&rec.domain);
            keys.extend(trust.policy.admins.iter().copied());
            keys.extend(roots.iter().copied());
            let verified = env.verify(ACTION_PAYLOAD_TYPE, &keys).map_err(|e| match e {
                steward_signing::SigningError::Signature(m) => RegistryError::Untrusted(format!(
                    "a {} of {}@{} must be signed by a key trusted for domain `{}` or an admin: {m}",
                    action.action, action.name, action.version, rec.domain
                )),
                other => other.into(),
            })?;
            if !c.query("SELECT digest FROM actions WHERE digest = $1", &[digest.clone().into()])?.is_empty() {
                return Err(RegistryError::Replay("this signed action was already applied".into()));
            }
            c.exec("INSERT INTO actions (digest) VALUES ($1)", &[digest.clone().into()])?;
            let column = if action.action == "yank" { "yanked" } else { "deprecated" };
            c.exec(
                &format!("UPDATE versions SET {column} = $1 WHERE name = $2 AND version = $3"),
                &[action.reason.clone().into(), action.name.clone().into(), action.version.clone().into()],
            )?;
            let mut e =
                draft(&action.action, Some(action.name), Some(action.version), digest, verified.keyid, trust.serial);
            e.note = Some(action.reason);
            append_log(c, e)
        });
        if let Ok(mut m) = cache.write() {
            m.remove(&key);
        }
        done
    }

    /// `name@version` as JSON, from the read cache when it is there.
    pub fn get_json(&self, name: &str, version: &str) -> Result<axum::body::Bytes, RegistryError> {
        if let Some(hit) = self.cached_json(name, version) {
            return Ok(hit);
        }
        let rec = self.get(name, version)?;
        let json =
            axum::body::Bytes::from(serde_json::to_vec(&rec).map_err(|e| RegistryError::Storage(e.to_string()))?);
        if let Ok(mut m) = self.cache.write() {
            if m.len() >= CACHE_ENTRIES {
                m.clear();
            }
            m.insert((name.to_string(), version.to_string()), json.clone());
        }
        Ok(json)
    }

    /// A cached `name@version`, without touching storage.
    pub fn cached_json(&self, name: &str, version: &str) -> Option<axum::body::Bytes> {
        self.cache.read().ok().and_then(|m| m.get(&(name.to_string(), version.to_string())).cloned())
    }

    pub fn get(&self, name: &str, version: &str) -> Result<VersionRecord, RegistryError> {
        check_name("product name", name)?;
        check_version(version)?;
        let (n, v) = (name.to_string(), version.to_string());
        self.db
            .read(|c| {
                c.query(
                    &format!("SELECT {VERSION_COLUMNS} FROM versions WHERE name = $1 AND version = $2"),
                    &[n.into(), v.into()],
                )
            })?
            .first()
            .map(version_record)
            .transpose()?
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
            .read(|c| c.query(&format!("SELECT {VERSION_COLUMNS} FROM versions WHERE digest = $1"), &[dd.into()]))?
            .first()
            .map(version_record)
            .transpose()?
            .ok_or_else(|| RegistryError::NotFound(format!("no version has digest {d}")))
    }

    fn all_versions(&self, name: &str) -> Result<Vec<VersionRecord>, RegistryError> {
        check_name("product name", name)?;
        let n = name.to_string();
        let rows = self
            .db
            .read(|c| c.query(&format!("SELECT {VERSION_COLUMNS} FROM versions WHERE name = $1"), &[n.into()]))?;
        let mut out: Vec<VersionRecord> = rows.iter().map(version_record).collect::<Result<_, _>>()?;
        out.sort_by_key(|r| semver::Version::parse(&r.version).ok());
        if out.is_empty() {
            return Err(RegistryError::NotFound(format!("no product `{name}`")));
        }
        Ok(out)
    }

    /// The greatest version that is not yanked.
    pub fn latest(&self, name: &str) -> Result<VersionRecord, RegistryError> {
        self.all_versions(name)?
            .into_iter()
            .rev()
            .find(|r| r.yanked.is_none())
            .ok_or_else(|| RegistryError::NotFound(format!("every version of `{name}` is yanked")))
    }

    pub fn versions(&self, name: &str) -> Result<Vec<VersionInfo>, RegistryError> {
        Ok(self
            .all_versions(name)?
            .into_iter()
            .map(|r| VersionInfo {
                version: r.version,
                digest: r.digest,
                signer: r.signer,
                published_at: r.published_at,
                yanked: r.yanked,
                deprecated: r.deprecated,
            })
            .collect())
    }

    /// Products whose latest (not yanked) version matches every filter given: domain, owner,
    /// tag exactly; `text` anywhere in name, description, tags, domain or owner (case-blind).
    /// Filters are values, never SQL.
    pub fn search(&self, f: &Search) -> Result<Vec<ProductSummary>, RegistryError> {
        for (what, v) in [("q", &f.text), ("domain", &f.domain), ("owner", &f.owner), ("tag", &f.tag)] {
            if v.as_ref().is_some_and(|s| s.len() > 200 || s.chars().any(char::is_control)) {
                return Err(RegistryError::Invalid(format!("{what}: at most 200 characters, no control characters")));
            }
        }
        let rows = self.db.read(|c| {
            c.query("SELECT name, version, domain, owner, tags, description, yanked, deprecated FROM versions", &[])
        })?;
        let mut by_name: std::collections::BTreeMap<String, (semver::Version, Row, u64)> = Default::default();
        for r in rows {
            let name = text(&r, 0);
            let n = by_name.entry(name).or_insert_with(|| (semver::Version::new(0, 0, 0), vec![], 0));
            n.2 += 1;
            if opt(&r, 6).is_some() {
                continue;
            }
            if let Ok(v) = semver::Version::parse(&text(&r, 1)) {
                if n.1.is_empty() || v > n.0 {
                    *n = (v, r, n.2);
                }
            }
        }
        let text_q = f.text.as_ref().map(|t| t.to_lowercase());
        let mut out = vec![];
        for (name, (v, r, count)) in by_name {
            if r.is_empty() {
                continue;
            }
            let tags: Vec<String> = serde_json::from_str(&text(&r, 4)).unwrap_or_default();
            let s = ProductSummary {
                name,
                latest: v.to_string(),
                domain: text(&r, 2),
                owner: text(&r, 3),
                tags,
                description: opt(&r, 5),
                versions: count,
                deprecated: opt(&r, 7),
            };
            let hit = f.domain.as_ref().is_none_or(|d| *d == s.domain)
                && f.owner.as_ref().is_none_or(|o| *o == s.owner)
                && f.tag.as_ref().is_none_or(|t| s.tags.contains(t))
                && text_q.as_ref().is_none_or(|q| {
                    [s.name.as_str(), s.domain.as_str(), s.owner.as_str(), s.description.as_deref().unwrap_or("")]
                        .iter()
                        .chain(s.tags.iter().map(String::as_str).collect::<Vec<_>>().iter())
                        .any(|x| x.to_lowercase().contains(q.as_str()))
                });
            if hit {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Log entries from `from`, at most `limit`.
    pub fn log(&self, from: u64, limit: u64) -> Result<Vec<LogEntry>, RegistryError> {
        let rows = self.db.read(|c| {
            c.query(
                "SELECT entry FROM log WHERE idx >= $1 ORDER BY idx LIMIT $2",
                &[(from as i64).into(), (limit.min(10_000) as i64).into()],
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

    /// Everything needed to verify `name@version` offline.
    pub fn bundle(&self, name: &str, version: &str) -> Result<Bundle, RegistryError> {
        let rec = self.get(name, version)?;
        let trust = self.db.read(|c| c.query("SELECT envelope FROM trust ORDER BY serial", &[]))?;
        let trust: Vec<Envelope> = trust
            .iter()
            .map(|r| {
                serde_json::from_str(&text(r, 0)).map_err(|e| RegistryError::Storage(format!("stored trust: {e}")))
            })
            .collect::<Result<_, _>>()?;
        let mut log = vec![];
        let mut from = rec.log_index;
        loop {
            let page = self.log(from, 10_000)?;
            if page.is_empty() {
                break;
            }
            from = page.last().map(|e| e.index + 1).unwrap_or(from);
            log.extend(page);
        }
        Ok(Bundle { name: rec.name, version: rec.version, envelope: rec.envelope, trust, log })
    }
}

/// Filters of a search.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Search {
    #[serde(rename = "q")]
    pub text: Option<String>,
    pub domain: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
}
