//! Offline verification of a downloaded bundle: no network, no trust in the server — only the
//! registry's root admin keys, pinned by the consumer.

use serde::Serialize;
use steward_model::ProductDefinition;
use steward_signing::{
    canonical_json, digest, PublicKey, CHECKPOINT_PAYLOAD_TYPE, PRODUCT_PAYLOAD_TYPE, TRUST_PAYLOAD_TYPE,
};

use crate::types::{verify_chain, Bundle, Checkpoint, TrustPolicy, MAX_SERIAL};
use crate::RegistryError;

/// What a verified bundle proves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedBundle {
    pub name: String,
    pub version: String,
    pub digest: String,
    /// Fingerprint of the key that signed the definition, and whom the policy names for it.
    pub signer: String,
    pub signer_name: Option<String>,
    pub domain: String,
    pub trust_serial: u64,
    pub log_index: u64,
    /// The last log entry checked, and its hash: compare with what you have seen before.
    pub head_index: u64,
    pub head_hash: String,
    pub yanked: Option<String>,
    pub deprecated: Option<String>,
    /// The newest trust policy in the bundle has expired: what you hold may be stale (fetch again).
    pub trust_expired: bool,
    /// The newest trust policy the bundle carries.
    pub newest_trust_serial: u64,
    /// The newest trust policy no longer trusts the signer for this domain: the key was revoked
    /// after this version was published (it is still the version signed then).
    pub signer_revoked: bool,
    /// When the registry signed the checkpoint of the head (only when its key was given).
    pub checkpoint_at: Option<String>,
    /// The signed evidence published with the version, checked against its definition.
    pub evidence: Option<crate::evidence::Evidence>,
    /// The privacy officer's override of the central policy it was published under.
    pub waiver: Option<Waiver>,
    #[serde(skip)]
    pub definition: Option<ProductDefinition>,
}

/// An override a published version carries: who co-signed it, why, and what it waived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub officer: String,
    pub reason: String,
    pub waives: Vec<String>,
}

fn fail(m: impl Into<String>) -> RegistryError {
    RegistryError::Signature(m.into())
}

/// Checks every part of `b` against each other and against `roots`: each trust policy signed by
/// a root or an admin of the policy before it, with increasing serials; the audit log's hashes
/// and links; the log entry naming this version and this payload's digest; the definition's
/// signature by a key the policy in force at publication trusted for its domain; the payload
/// canonical and the definition the one named. Later yank or deprecate entries are reported.
pub fn verify_bundle(b: &Bundle, roots: &[PublicKey]) -> Result<VerifiedBundle, RegistryError> {
    verify_bundle_pinned(b, roots, None)
}

/// [`verify_bundle`], and when `registry_key` (the registry's own public key, pinned by the
/// consumer) is given: the bundle's checkpoint must be signed by it and name the bundle's last
/// log entry, so the log shown is the one the registry signed (not cut short or forked).
pub fn verify_bundle_pinned(
    b: &Bundle,
    roots: &[PublicKey],
    registry_key: Option<&PublicKey>,
) -> Result<VerifiedBundle, RegistryError> {
    if roots.is_empty() {
        return Err(RegistryError::Invalid("verification needs the registry's root admin key (--admin-key)".into()));
    }
    // 1. The trust policies, each signed by whom the previous one allowed.
    let mut policies: Vec<TrustPolicy> = vec![];
    for (i, env) in b.trust.iter().enumerate() {
        let mut admins = roots.to_vec();
        if let Some(p) = policies.last() {
            admins.extend(p.admins.iter().copied());
        }
        let v = env.verify(TRUST_PAYLOAD_TYPE, &admins).map_err(|e| fail(format!("trust policy {}: {e}", i + 1)))?;
        let p: TrustPolicy =
            serde_json::from_slice(&v.payload).map_err(|e| fail(format!("trust policy {}: {e}", i + 1)))?;
        if p.serial == 0 || p.serial > MAX_SERIAL {
            return Err(fail(format!("trust policy {}: serial {} is out of range", i + 1, p.serial)));
        }
        let before = policies.last().map(|q| q.serial).unwrap_or(0);
        if p.replaces.is_some_and(|r| r != before) {
            return Err(fail(format!("trust policy {} replaces policy {:?}, not {before}", p.serial, p.replaces)));
        }
        if policies.last().is_some_and(|q| p.serial <= q.serial) {
            return Err(fail(format!("trust policy serial {} does not increase", p.serial)));
        }
        policies.push(p);
    }
    // 2. The log: intact, and its first entry publishes this payload.
    let head = verify_chain(&b.log)?.ok_or_else(|| fail("the bundle has no log entries"))?;
    let entry = &b.log[0];
    let payload = b.envelope.payload_bytes()?;
    let d = digest(&payload);
    if entry.action != "publish"
        || entry.name.as_deref() != Some(b.name.as_str())
        || entry.version.as_deref() != Some(b.version.as_str())
    {
        return Err(fail(format!("log entry {} does not publish {}@{}", entry.index, b.name, b.version)));
    }
    if entry.digest != d {
        return Err(fail(format!("the payload's digest {d} is not the one the log recorded ({})", entry.digest)));
    }
    // 3. The definition: canonical, the one named, signed by a key trusted for its domain then.
    let value: serde_json::Value = serde_json::from_slice(&payload).map_err(|e| fail(format!("payload: {e}")))?;
    if canonical_json(&value, "payload")? != payload {
        return Err(fail("the payload is not in canonical form"));
    }
    let def: ProductDefinition =
        serde_json::from_value(value).map_err(|e| fail(format!("payload is not a product definition: {e}")))?;
    if def.metadata.name != b.name || def.metadata.version != b.version {
        return Err(fail(format!(
            "the payload is {}@{}, the bundle says {}@{}",
            def.metadata.name, def.metadata.version, b.name, b.version
        )));
    }
    let policy = policies
        .iter()
        .find(|p| p.serial == entry.trust_serial)
        .ok_or_else(|| fail(format!("trust policy {} is not in the bundle", entry.trust_serial)))?;
    // The policy in force when this version was published: the newest one not accepted later
    // in the log. A log entry naming an older one was back-dated. Every policy the later log
    // accepts must be in the bundle, so none can be left out.
    let digests: Vec<String> =
        b.trust.iter().map(|e| e.payload_bytes().map(|p| digest(&p))).collect::<Result<_, _>>()?;
    let mut later = vec![false; policies.len()];
    for e in b.log[1..].iter().filter(|e| e.action == "trust") {
        match digests.iter().position(|d| *d == e.digest) {
            Some(i) => later[i] = true,
            None => {
                return Err(fail(format!("log entry {} accepts a trust policy the bundle does not carry", e.index)))
            }
        }
    }
    let in_force = policies.iter().zip(&later).filter(|(_, l)| !**l).map(|(p, _)| p.serial).next_back();
    if in_force != Some(entry.trust_serial) {
        return Err(fail(format!(
            "log entry {} names trust policy {}, but policy {} was in force then: the entry is back-dated",
            entry.index,
            entry.trust_serial,
            in_force.map(|s| s.to_string()).unwrap_or_else(|| "none".into())
        )));
    }
    let v = b
        .envelope
        .verify(PRODUCT_PAYLOAD_TYPE, &policy.signers_for(&def.metadata.domain))
        .map_err(|e| fail(format!("{}@{}: {e}", b.name, b.version)))?;
    if v.keyid != entry.signer {
        return Err(fail("the log names another signer"));
    }
    // 4. The evidence and any override: recorded by the log, bound to this definition, and
    //    meeting the policy in force then (as the registry judged it when it accepted them).
    let evidence_digest = b.evidence.as_ref().map(|e| e.payload_bytes().map(|p| digest(&p))).transpose()?;
    if evidence_digest != entry.evidence {
        return Err(fail(match (&evidence_digest, &entry.evidence) {
            (None, Some(_)) => "the log records evidence the bundle does not carry".to_string(),
            (Some(_), None) => "the bundle carries evidence the log does not record".to_string(),
            _ => "the evidence is not the one the log recorded".to_string(),
        }));
    }
    if b.waiver.is_none() && entry.cosigner.is_some() {
        return Err(fail("the log records an override the bundle does not carry"));
    }
    let signer_key = policy
        .signers_for(&def.metadata.domain)
        .into_iter()
        .find(|k| k.fingerprint() == v.keyid)
        .ok_or_else(|| fail("the signer is not trusted for the domain"))?;
    let published_at = chrono::DateTime::parse_from_rfc3339(&entry.at)
        .map_err(|_| fail(format!("log entry {}: `at` is not a time", entry.index)))?
        .with_timezone(&chrono::Utc);
    let judged = crate::evidence::check_publish(
        &policy.requirements,
        &def.metadata.domain,
        &b.name,
        &b.version,
        &d,
        &signer_key,
        b.evidence.as_ref(),
        b.waiver.as_ref(),
        published_at,
    )?;
    let waiver = judged.waiver.map(|(o, by)| Waiver { officer: by, reason: o.reason, waives: o.waives });
    if waiver.as_ref().map(|w| &w.officer) != entry.cosigner.as_ref() {
        return Err(fail("the override is not the one the log recorded"));
    }
    let mut yanked = None;
    let mut deprecated = None;
    for e in &b.log[1..] {
        if e.name.as_deref() == Some(b.name.as_str()) && e.version.as_deref() == Some(b.version.as_str()) {
            match e.action.as_str() {
                "yank" => yanked = e.note.clone().or(Some(String::new())),
                "deprecate" => deprecated = e.note.clone().or(Some(String::new())),
                _ => {}
            }
        }
    }
    let last = b.log.last().map(|e| e.index).unwrap_or(0);
    let checkpoint_at = match registry_key {
        None => None,
        Some(k) => Some(check_checkpoint(b, k, last, &head)?),
    };
    let newest = policies.last().ok_or_else(|| fail("the bundle has no trust policy"))?;
    let signer_revoked = !newest.signers_for(&def.metadata.domain).iter().any(|k| k.fingerprint() == v.keyid);
    Ok(VerifiedBundle {
        name: b.name.clone(),
        version: b.version.clone(),
        digest: d,
        signer_name: policy.signer_name(&v.keyid).map(String::from),
        signer: v.keyid,
        domain: def.metadata.domain.clone(),
        trust_serial: entry.trust_serial,
        log_index: entry.index,
        head_index: last,
        head_hash: head,
        yanked,
        deprecated,
        trust_expired: policies.last().is_some_and(|p| p.expired_at(chrono::Utc::now())),
        newest_trust_serial: newest.serial,
        signer_revoked,
        checkpoint_at,
        evidence: judged.evidence,
        waiver,
        definition: Some(def),
    })
}

/// The checkpoint in `env`, if the registry key `key` signed it.
pub fn open_checkpoint(env: &steward_signing::Envelope, key: &PublicKey) -> Result<Checkpoint, RegistryError> {
    let v = env
        .verify(CHECKPOINT_PAYLOAD_TYPE, &[*key])
        .map_err(|e| fail(format!("the checkpoint is not signed by the registry key given: {e}")))?;
    let cp: Checkpoint = serde_json::from_slice(&v.payload).map_err(|e| fail(format!("checkpoint: {e}")))?;
    if cp.registry != key.fingerprint() {
        return Err(fail("the checkpoint names another registry"));
    }
    Ok(cp)
}

/// Checks that the log in checkpoint `new` extends the one in `old` (only appended to, never
/// rewritten), with the consistency proof the registry gave (`Client::consistency`).
pub fn verify_extends(old: &Checkpoint, new: &Checkpoint, proof: &[String]) -> Result<(), RegistryError> {
    let proof: Vec<crate::merkle::Hash> = proof.iter().map(|h| crate::merkle::unhex(h)).collect::<Result<_, _>>()?;
    crate::merkle::verify_consistency(
        old.index + 1,
        new.index + 1,
        &crate::merkle::unhex(&old.root)?,
        &crate::merkle::unhex(&new.root)?,
        &proof,
    )
}

/// Checks the bundle's checkpoint: signed by `key`, naming entry `index` with `hash` (the
/// bundle's last). Returns when it was signed.
fn check_checkpoint(b: &Bundle, key: &PublicKey, index: u64, hash: &str) -> Result<String, RegistryError> {
    let env = b.checkpoint.as_ref().ok_or_else(|| fail("the bundle has no checkpoint signed by the registry"))?;
    let cp = open_checkpoint(env, key)?;
    if cp.index != index || cp.hash != hash {
        return Err(fail(format!(
            "the registry signed log head {} ({}), the bundle's log ends at entry {index} ({hash})",
            cp.index, cp.hash
        )));
    }
    Ok(cp.at)
}

/// The head of a registry's audit log as a consumer last saw it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SeenHead {
    pub index: u64,
    pub hash: String,
}

/// Checks a verified bundle against the log head this consumer saw before from the registry
/// with these root keys (kept in `dir`, one file per registry, named by its first root key's
/// fingerprint), then remembers the newer head. A log that no longer holds the entry seen
/// before — rewritten history, a fork shown to this consumer — is refused. Returns a remark when
/// the bundle is older than what was seen (nothing to compare it with).
pub fn check_seen_head(
    dir: &std::path::Path,
    roots: &[PublicKey],
    b: &Bundle,
    v: &VerifiedBundle,
) -> Result<Option<String>, RegistryError> {
    let Some(root) = roots.first() else { return Ok(None) };
    let name: String = root.fingerprint().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let path = dir.join(format!("{name}.json"));
    let io = |e: std::io::Error| RegistryError::Storage(format!("{}: {e}", path.display()));
    let seen: Option<SeenHead> = match std::fs::read_to_string(&path) {
        Ok(t) => {
            Some(serde_json::from_str(&t).map_err(|e| RegistryError::Storage(format!("{}: {e}", path.display())))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let mut remark = None;
    if let Some(seen) = &seen {
        match b.log.iter().find(|e| e.index == seen.index) {
            Some(e) if e.hash != seen.hash => {
                return Err(RegistryError::Signature(format!(
                    "the registry's log changed: entry {} was {} when last seen, it is {} now",
                    seen.index, seen.hash, e.hash
                )))
            }
            Some(_) => {}
            None if v.head_index < seen.index => {
                remark = Some(format!(
                    "this bundle ends at log entry {}, before entry {} seen already: it may be stale",
                    v.head_index, seen.index
                ));
            }
            None => {}
        }
    }
    if seen.as_ref().is_none_or(|s| v.head_index > s.index) {
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec(&SeenHead { index: v.head_index, hash: v.head_hash.clone() })
            .map_err(|e| RegistryError::Storage(e.to_string()))?;
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    Ok(remark)
}

/// Checks a registry checkpoint `env` (signed by `key`) against the one this consumer saw last
/// from that registry (kept in `dir`, named by the key's fingerprint): the later of the two
/// must extend the earlier, proven with `prove(from_size, to_size)` (the registry's
/// consistency proof, `Client::consistency`). A registry that rewrote or forked its log cannot
/// prove that. Remembers the newer checkpoint; returns a remark when `env` is older than the one
/// seen.
pub fn check_seen_checkpoint(
    dir: &std::path::Path,
    key: &PublicKey,
    env: &steward_signing::Envelope,
    prove: impl FnOnce(u64, u64) -> Result<Vec<String>, RegistryError>,
) -> Result<Option<String>, RegistryError> {
    let cp = open_checkpoint(env, key)?;
    let name: String = key.fingerprint().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let path = dir.join(format!("{name}.checkpoint.json"));
    let io = |e: std::io::Error| RegistryError::Storage(format!("{}: {e}", path.display()));
    let seen: Option<Checkpoint> = match std::fs::read_to_string(&path) {
        Ok(t) => {
            Some(serde_json::from_str(&t).map_err(|e| RegistryError::Storage(format!("{}: {e}", path.display())))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let mut remark = None;
    if let Some(seen) = &seen {
        let (old, new) = if cp.index >= seen.index { (seen, &cp) } else { (&cp, seen) };
        let proof = prove(old.index + 1, new.index + 1).map_err(|e| match e {
            // The registry cannot even name the entries seen before: its log shrank.
            RegistryError::BadRequest(m) => RegistryError::Signature(format!(
                "the registry's log is not the one seen before: no proof from entry {} to {}: {m}",
                old.index, new.index
            )),
            other => other,
        })?;
        verify_extends(old, new, &proof).map_err(|e| {
            RegistryError::Signature(format!(
                "the registry's log is not the one seen before (a fork or a rewrite): {e}"
            ))
        })?;
        if cp.index < seen.index {
            remark = Some(format!(
                "this checkpoint (log entry {}) is older than one seen already (entry {})",
                cp.index, seen.index
            ));
        }
    }
    if seen.as_ref().is_none_or(|s| cp.index > s.index) {
        std::fs::create_dir_all(dir).map_err(io)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&cp).map_err(|e| RegistryError::Storage(e.to_string()))?)
            .map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
    }
    Ok(remark)
}
