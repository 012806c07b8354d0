//! The registry's rules, independent of HTTP: what is verified before anything is stored, what
//! is refused, and what each accepted action appends to the audit log.

use std::sync::Arc;

use steward_model::ProductDefinition;
use steward_signing::{canonical_json, digest, Envelope, KeyPair, PublicKey, PRODUCT_PAYLOAD_TYPE, TRUST_PAYLOAD_TYPE};

use crate::db::{Conn, Db, DbUrl, Row, Val};
use crate::RegistryError;
pub(crate) use steward_registry_core::check_json_text;
pub(crate) use steward_registry_core::check_version;
use steward_registry_core::*;
use steward_registry_core::{check_serial, check_text};

/// Largest request body the registry reads.
pub const MAX_BODY: usize = 1 << 20;

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The payload of `env` if it has a sane number of signatures (checked first, before anything
/// is decoded or verified), type `payload_type`, and is canonical JSON. Callers then check its
/// fields, and that no text has a control character (`check_json_text`).
pub(crate) fn canonical_payload(
    env: &Envelope,
    payload_type: &str,
) -> Result<(Vec<u8>, serde_json::Value), RegistryError> {
    env.check_shape()?;
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

/// The registry: storage, the root admin keys given when it started, and its own key, which
/// signs checkpoints of the audit log head (its secret stays in the OS keychain, loaded when
/// the registry starts; never in the database or a file).
#[derive(Clone)]
pub struct Registry {
    pub(crate) db: Db,
    pub(crate) roots: Vec<PublicKey>,
    pub(crate) key: Arc<KeyPair>,
    /// Signed envelopes by name@version and digest: the only thing cached, since it never
    /// changes. Whether a version is yanked, deprecated or the latest is always read from the
    /// database, so every instance on one database answers alike.
    pub(crate) cache: crate::reads::EnvelopeCache,
}

pub(crate) const VERSION_COLUMNS: &str = "name, version, domain, owner, tags, description, digest, envelope, signer, published_at, yanked, deprecated, log_index";

pub(crate) fn text(row: &Row, i: usize) -> String {
    row.get(i).and_then(Val::text).unwrap_or_default().to_string()
}

pub(crate) fn opt(row: &Row, i: usize) -> Option<String> {
    row.get(i).and_then(Val::text).map(String::from)
}

pub(crate) fn version_record(row: &Row) -> Result<VersionRecord, RegistryError> {
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
pub(crate) fn append_log(c: &mut dyn Conn, mut e: LogEntry) -> Result<LogEntry, RegistryError> {
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
    crate::merkle::append(c, e.index, &e.hash)?;
    Ok(e)
}

pub(crate) fn draft(
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
        evidence: None,
        cosigner: None,
        prev: String::new(),
        hash: String::new(),
    }
}

/// The policy in force: the one whose log entry came last. Never chosen by the serial column.
pub(crate) fn current_trust(c: &mut dyn Conn) -> Result<Option<StoredTrust>, RegistryError> {
    let rows = c.query("SELECT serial, envelope FROM trust_policies ORDER BY log_index DESC LIMIT 1", &[])?;
    let Some(r) = rows.first() else { return Ok(None) };
    let envelope: Envelope =
        serde_json::from_str(&text(r, 1)).map_err(|e| RegistryError::Storage(format!("stored trust: {e}")))?;
    let policy: TrustPolicy = serde_json::from_slice(&envelope.payload_bytes()?)
        .map_err(|e| RegistryError::Storage(format!("stored trust: {e}")))?;
    Ok(Some(StoredTrust { serial: policy.serial, envelope, policy }))
}

/// Why `env` may not publish for `domain`: a key this registry does not know, a key trusted
/// for other domains only, or a signature that does not verify.
pub(crate) fn verify_for_domain(
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
    /// The registry over `url`, with its root admin keys and its own key (see
    /// [`crate::registry_key`] for the one kept in the OS keychain).
    pub fn open(url: &DbUrl, roots: Vec<PublicKey>, key: KeyPair) -> Result<Registry, RegistryError> {
        if roots.is_empty() {
            return Err(RegistryError::Invalid("a registry needs at least one root admin key".into()));
        }
        Ok(Registry { db: Db::open(url)?, roots, key: Arc::new(key), cache: Default::default() })
    }

    pub fn roots(&self) -> &[PublicKey] {
        &self.roots
    }

    /// The public half of the registry's own key, which signs its checkpoints.
    pub fn public_key(&self) -> PublicKey {
        self.key.public()
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
        check_serial(policy.serial)?;
        if let Some(t) = &policy.issued_at {
            let issued = chrono::DateTime::parse_from_rfc3339(t).map_err(|_| {
                RegistryError::Invalid(format!("issued_at: `{}` is not an RFC 3339 time", t.escape_debug()))
            })?;
            let age = chrono::Utc::now().timestamp() - issued.timestamp();
            if age.abs() > ACTION_WINDOW_SECS {
                return Err(RegistryError::Replay(format!(
                    "trust policy {} was signed at {t}, more than {} minutes from now: sign it again",
                    policy.serial,
                    ACTION_WINDOW_SECS / 60
                )));
            }
        }
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
        check_json_text("", &serde_json::to_value(&policy).map_err(|e| RegistryError::Storage(e.to_string()))?)?;
        if policy.requirements.len() > 100 {
            return Err(RegistryError::Invalid("a trust policy holds at most 100 requirements".into()));
        }
        for (i, r) in policy.requirements.iter().enumerate() {
            r.check(&format!("requirements[{i}]"))?;
        }
        if policy.signers.len() > 1000 || policy.admins.len() > 100 {
            return Err(RegistryError::Invalid("a trust policy names at most 1,000 signers and 100 admins".into()));
        }
        let digest = digest(&payload);
        // The signature is checked here, before the writer, against every key that could sign
        // a policy now; the writer only looks up whether that key still may.
        let admins_now = |current: &Option<StoredTrust>| {
            let mut admins = self.roots.clone();
            if let Some(t) = current {
                admins.extend(t.policy.admins.iter().copied());
            }
            admins
        };
        let verified = env.verify(TRUST_PAYLOAD_TYPE, &admins_now(&self.trust()?)).map_err(|e| match e {
            steward_signing::SigningError::Signature(m) => {
                RegistryError::Untrusted(format!("a trust policy must be signed by a registry admin key: {m}"))
            }
            other => other.into(),
        })?;
        let roots = self.roots.clone();
        self.db.write(move |c| {
            let current = current_trust(c)?;
            let mut admins = roots;
            if let Some(t) = &current {
                admins.extend(t.policy.admins.iter().copied());
            }
            if !admins.iter().any(|k| k.fingerprint() == verified.keyid) {
                return Err(RegistryError::Untrusted(
                    "the key that signed this policy is no longer an admin of the policy in force".into(),
                ));
            }
            let in_force = current.as_ref().map(|t| t.serial).unwrap_or(0);
            if policy.replaces.is_some_and(|r| r != in_force) {
                return Err(RegistryError::Replay(format!(
                    "trust policy {} replaces policy {}, but policy {in_force} is in force",
                    policy.serial,
                    policy.replaces.unwrap_or(0)
                )));
            }
            if let Some(t) = &current {
                if policy.serial <= t.serial {
                    return Err(RegistryError::Replay(format!(
                        "trust policy serial {} is not newer than the current {}",
                        policy.serial, t.serial
                    )));
                }
            }
            let envelope = serde_json::to_string(&env).map_err(|e| RegistryError::Storage(e.to_string()))?;
            let serial = i64::try_from(policy.serial)
                .map_err(|_| RegistryError::Invalid(format!("serial {} is too large", policy.serial)))?;
            let entry = append_log(c, draft("trust", None, None, digest, verified.keyid, policy.serial))?;
            c.exec(
                "INSERT INTO trust_policies (log_index, serial, envelope) VALUES ($1, $2, $3)",
                &[(entry.index as i64).into(), serial.into(), envelope.into()],
            )?;
            Ok(entry)
        })
    }

    /// Verifies and stores a signed product definition. Nothing is stored unless every check
    /// passes: canonical payload, a valid definition, a signature by a key trusted for its
    /// domain, a new version greater than every published one, and no breaking change without
    /// the bump it needs (unless overridden, which the log records).
    pub fn publish(&self, req: PublishRequest) -> Result<Published, RegistryError> {
        let env = req.envelope;
        let (payload, value) = canonical_payload(&env, PRODUCT_PAYLOAD_TYPE)?;
        let raw = value.clone();
        let def: ProductDefinition = serde_json::from_value(value)
            .map_err(|e| RegistryError::BadRequest(format!("the payload is not a product definition: {e}")))?;
        check_name("product name", &def.metadata.name)?;
        check_name("domain", &def.metadata.domain)?;
        let version = check_version(&def.metadata.version)?;
        // Every text of the payload as signed (and stored), not only what Steward reads of it.
        check_json_text("", &raw)?;
        let errors: Vec<String> = steward_model::check(&def)
            .into_iter()
            .filter(|i| i.severity == steward_model::Severity::Error)
            .map(|i| i.to_string())
            .collect();
        if !errors.is_empty() {
            return Err(RegistryError::Invalid(format!("the definition has errors: {}", errors.join("; "))));
        }
        if let Some(r) = &req.reason {
            check_text("reason", r, false)?;
            if r.len() > 1000 {
                return Err(RegistryError::BadRequest("reason: at most 1,000 characters".into()));
            }
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
        // The evidence and the central policy: judged before anything is written.
        let signer_key =
            trust.policy.signers_for(&domain).into_iter().find(|k| k.fingerprint() == signer).ok_or_else(|| {
                RegistryError::Untrusted(format!("key {signer} is not allowed to publish for `{domain}`"))
            })?;
        let judged = evidence::check_publish(
            &trust.policy.requirements,
            &domain,
            &name,
            &version.to_string(),
            &digest,
            &signer_key,
            req.evidence.as_ref(),
            req.waiver.as_ref(),
            chrono::Utc::now(),
        )?;
        let judged_under = trust.policy.requirements.clone();
        let evidence_digest =
            req.evidence.as_ref().map(|e| e.payload_bytes().map(|p| steward_signing::digest(&p))).transpose()?;
        let evidence_text = req
            .evidence
            .as_ref()
            .map(|e| serde_json::to_string(e).map_err(|x| RegistryError::Storage(x.to_string())))
            .transpose()?;
        let waiver_text = match (&judged.waiver, &req.waiver) {
            (Some(_), Some(w)) => Some(serde_json::to_string(w).map_err(|x| RegistryError::Storage(x.to_string()))?),
            _ => None,
        };
        let tags = serde_json::to_string(&def.metadata.tags).unwrap_or_else(|_| "[]".into());
        self.db.write(move |c| {
            // The policy may have changed since: the key that signed (verified above, outside
            // the writer) must still be trusted for the domain by the one in force now.
            let trust = current_trust(c)?.ok_or_else(|| RegistryError::Untrusted("no trust policy".into()))?;
            if trust.serial != verified_serial
                && !trust.policy.signers_for(&domain).iter().any(|k| k.fingerprint() == signer)
            {
                return Err(RegistryError::Untrusted(format!(
                    "key {signer} is no longer allowed to publish for domain `{domain}` (trust policy {})",
                    trust.serial
                )));
            }
            if trust.policy.expired_at(chrono::Utc::now()) {
                return Err(RegistryError::Untrusted(format!("trust policy {} expired", trust.serial)));
            }
            if trust.policy.requirements != judged_under {
                return Err(RegistryError::Policy(format!(
                    "the central policy changed while {name}@{version} was being published (now policy {}): publish again",
                    trust.serial
                )));
            }
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
            if let Some((o, by)) = &judged.waiver {
                let who = trust.policy.signer_name(by).map(|n| format!("{n} ({by})")).unwrap_or_else(|| by.clone());
                note.push(format!("policy override co-signed by {who}: {}; waived: {}", o.reason, o.waives.join(", ")));
            }
            let mut entry = draft("publish", Some(name.clone()), Some(version.to_string()), digest.clone(), signer.clone(), trust.serial);
            entry.note = (!note.is_empty()).then(|| note.join("; "));
            entry.evidence = evidence_digest;
            entry.cosigner = judged.waiver.as_ref().map(|(_, by)| by.clone());
            let entry = append_log(c, entry)?;
            if let Some(evidence) = evidence_text {
                c.exec(
                    "INSERT INTO evidence (name, version, evidence, waiver) VALUES ($1, $2, $3, $4)",
                    &[name.clone().into(), version.to_string().into(), evidence.into(), waiver_text.into()],
                )?;
            }
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
}
