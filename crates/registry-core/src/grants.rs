//! Grants: who may read which product from a data node, under which masking profile. A grant
//! names the consumer by its Ed25519 key, the product by name and a version range, and exactly
//! one masking profile (or, explicitly, [`UNMASKED`] for the product's owners); it may expire.
//! It is signed by a key the trust policy allows for the product's domain (or an admin key),
//! stored in the registry and entered in its log; a signed [`Revocation`] ends it. A node checks
//! both offline, against the trust policy it verified itself ([`verify_grant`]).

use serde::{Deserialize, Serialize};
use steward_signing::{canonical_json, Envelope, KeyPair, PublicKey};

use crate::{check_name, check_text, RegistryError, TrustPolicy, ACTION_WINDOW_SECS};

/// The DSSE payload type of a grant.
pub const GRANT_PAYLOAD_TYPE: &str = "application/vnd.steward.grant+json; version=1";
/// The DSSE payload type of a grant's revocation.
pub const REVOCATION_PAYLOAD_TYPE: &str = "application/vnd.steward.grant-revocation+json; version=1";
/// The profile of a grant that reads original values: for the product's owners, said outright.
pub const UNMASKED: &str = "unmasked";
/// Grants a registry returns at most in one list.
pub const MAX_GRANTS_LISTED: usize = 1000;

/// Read access to a product for one consumer key, under one masking profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The consumer's public key: requests to a node are signed with its secret half.
    pub consumer: PublicKey,
    /// Who holds it (`support-app@example.com`).
    pub consumer_name: String,
    pub product: String,
    /// The versions it covers, as a semver range (`^1`, `>=1.2, <2`).
    pub versions: String,
    /// A masking profile of the product, or [`UNMASKED`].
    pub profile: String,
    /// When it ends (RFC 3339); never, when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// When it was signed (RFC 3339).
    pub issued_at: String,
    /// 32 to 64 hex digits: two equal grants are two grants, and a replay is refused.
    pub nonce: String,
}

/// The end of a grant, named by the digest of its signed payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    pub grant: String,
    pub reason: String,
    pub issued_at: String,
    pub nonce: String,
}

/// A grant as the registry keeps and returns it: the signed envelope (what a node verifies) and
/// what the registry recorded about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantRecord {
    /// `sha256:` of the grant's payload: how it is named and revoked.
    pub digest: String,
    pub grant: Grant,
    pub envelope: Envelope,
    /// Fingerprint of the key that signed it.
    pub signer: String,
    pub granted_at: String,
    pub log_index: u64,
    /// The signed revocation, once revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Envelope>,
}

fn time(what: &str, s: &str) -> Result<chrono::DateTime<chrono::Utc>, RegistryError> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| RegistryError::Invalid(format!("{what}: `{}` is not an RFC 3339 time", s.escape_debug())))
}

fn check_nonce(n: &str) -> Result<(), RegistryError> {
    if (32..=64).contains(&n.len()) && n.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(RegistryError::Invalid("nonce: 32 to 64 hex digits".into()))
    }
}

fn fresh_nonce() -> Result<String, RegistryError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| RegistryError::Storage(format!("no randomness: {e}")))?;
    Ok(steward_signing::hex(&b))
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whether `name` can be a masking profile's name in a grant.
fn is_profile(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl Grant {
    /// Every field within its bounds; returns the version range.
    pub fn check(&self) -> Result<semver::VersionReq, RegistryError> {
        check_name("product name", &self.product)?;
        check_text("consumer name", &self.consumer_name, false)?;
        if self.consumer_name.trim().is_empty() || self.consumer_name.len() > 200 {
            return Err(RegistryError::Invalid("consumer name: 1-200 characters".into()));
        }
        if self.versions.len() > 100 {
            return Err(RegistryError::Invalid("versions: at most 100 characters".into()));
        }
        let range = semver::VersionReq::parse(&self.versions).map_err(|e| {
            RegistryError::Invalid(format!("versions: `{}` is not a semver range: {e}", self.versions.escape_debug()))
        })?;
        if !is_profile(&self.profile) {
            return Err(RegistryError::Invalid(format!(
                "profile: `{}` is not a masking profile's name (or `{UNMASKED}`)",
                self.profile.escape_debug()
            )));
        }
        check_nonce(&self.nonce)?;
        let issued = time("issued_at", &self.issued_at)?;
        if let Some(e) = &self.expires {
            if time("expires", e)? <= issued {
                return Err(RegistryError::Invalid("expires: a grant must end after it was signed".into()));
            }
        }
        Ok(range)
    }

    /// Whether it has ended at `now` (an unreadable date counts as ended).
    pub fn expired_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires.as_deref().is_some_and(|e| time("expires", e).map(|e| e <= now).unwrap_or(true))
    }

    /// Whether it covers `product@version`.
    pub fn covers(&self, product: &str, version: &str) -> bool {
        let (Ok(range), Ok(v)) = (semver::VersionReq::parse(&self.versions), semver::Version::parse(version)) else {
            return false;
        };
        self.product == product && range.matches(&v)
    }
}

/// Signs a grant of `product` (versions in `versions`) to `consumer` under `profile`.
pub fn sign_grant(
    key: &KeyPair,
    consumer: PublicKey,
    consumer_name: &str,
    product: &str,
    versions: &str,
    profile: &str,
    expires: Option<&str>,
) -> Result<(Grant, Envelope), RegistryError> {
    let g = Grant {
        consumer,
        consumer_name: consumer_name.to_string(),
        product: product.to_string(),
        versions: versions.to_string(),
        profile: profile.to_string(),
        expires: expires.map(str::to_string),
        issued_at: now_text(),
        nonce: fresh_nonce()?,
    };
    g.check()?;
    let env = key.sign(GRANT_PAYLOAD_TYPE, &canonical_json(&g, "grant")?);
    Ok((g, env))
}

/// Signs the revocation of the grant whose payload has `digest`.
pub fn sign_revocation(key: &KeyPair, digest: &str, reason: &str) -> Result<Envelope, RegistryError> {
    let r = Revocation {
        grant: digest.to_string(),
        reason: reason.to_string(),
        issued_at: now_text(),
        nonce: fresh_nonce()?,
    };
    check_revocation(&r)?;
    Ok(key.sign(REVOCATION_PAYLOAD_TYPE, &canonical_json(&r, "revocation")?))
}

/// A revocation's fields within bounds; returns when it was signed (Unix seconds).
pub fn check_revocation(r: &Revocation) -> Result<i64, RegistryError> {
    if !(r.grant.len() == 71 && r.grant.starts_with("sha256:")) {
        return Err(RegistryError::Invalid("grant: the `sha256:` digest of a grant".into()));
    }
    check_text("reason", &r.reason, false)?;
    if r.reason.trim().is_empty() || r.reason.len() > 1000 {
        return Err(RegistryError::Invalid("reason: 1-1000 characters".into()));
    }
    check_nonce(&r.nonce)?;
    Ok(time("issued_at", &r.issued_at)?.timestamp())
}

/// The keys that may grant (and revoke) access to a product of `domain`.
pub fn granters(policy: &TrustPolicy, domain: &str, roots: &[PublicKey]) -> Vec<PublicKey> {
    let mut keys = policy.signers_for(domain);
    keys.extend(policy.admins.iter().copied());
    keys.extend(roots.iter().copied());
    keys
}

/// Opens a grant envelope: the signature by one of `keys`, the fields in bounds. Returns the
/// grant, the signer's fingerprint and the payload's digest.
pub fn open_grant(env: &Envelope, keys: &[PublicKey]) -> Result<(Grant, String, String), RegistryError> {
    let v = env.verify(GRANT_PAYLOAD_TYPE, keys).map_err(|e| match e {
        steward_signing::SigningError::Signature(m) => {
            RegistryError::Untrusted(format!("a grant must be signed by a key trusted for the product's domain: {m}"))
        }
        other => other.into(),
    })?;
    let payload = env.payload_bytes()?;
    let g: Grant = serde_json::from_slice(&payload).map_err(|e| RegistryError::Invalid(format!("not a grant: {e}")))?;
    if canonical_json(&g, "grant")? != payload {
        return Err(RegistryError::BadRequest("a grant's payload must be canonical JSON (RFC 8785)".into()));
    }
    g.check()?;
    Ok((g, v.keyid, steward_signing::digest(&payload)))
}

/// What a data node asks of a grant it fetched, offline: signed by a key `policy` (which the
/// node verified against its pinned admin keys) allows for `domain`, for `product@version`,
/// not expired at `now`, and not revoked.
pub fn verify_grant(
    record: &GrantRecord,
    policy: &TrustPolicy,
    roots: &[PublicKey],
    domain: &str,
    product: &str,
    version: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Grant, RegistryError> {
    let keys = granters(policy, domain, roots);
    let (g, _, digest) = open_grant(&record.envelope, &keys)?;
    if digest != record.digest || g != record.grant {
        return Err(RegistryError::Signature("the grant's record does not match what was signed".into()));
    }
    if !g.covers(product, version) {
        return Err(RegistryError::Untrusted(format!(
            "the grant covers {} {}, not {product}@{version}",
            g.product, g.versions
        )));
    }
    if g.expired_at(now) {
        return Err(RegistryError::Untrusted(format!("the grant ended at {}", g.expires.as_deref().unwrap_or("?"))));
    }
    // Revoked: refused whoever signed the revocation (failing closed costs only access, which
    // a registry could withhold anyway); its reason is shown when it can be read.
    if let Some(r) = &record.revocation {
        let reason = r
            .payload_bytes()
            .ok()
            .and_then(|p| serde_json::from_slice::<Revocation>(&p).ok())
            .map_or_else(|| "no reason given".to_string(), |r| r.reason);
        return Err(RegistryError::Untrusted(format!("the grant was revoked: {reason}")));
    }
    Ok(g)
}

/// How long after signing a grant or revocation is accepted by the registry.
pub const GRANT_WINDOW_SECS: i64 = ACTION_WINDOW_SECS;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrustedSigner;

    fn policy(steward: &KeyPair, other: &KeyPair) -> TrustPolicy {
        let signer = |name: &str, k: &KeyPair, d: &str| TrustedSigner {
            name: name.into(),
            key: k.public(),
            domains: vec![d.into()],
        };
        TrustPolicy {
            serial: 1,
            admins: vec![],
            signers: vec![signer("ada", steward, "customer"), signer("bob", other, "finance")],
            expires: None,
            replaces: None,
            issued_at: None,
            requirements: vec![],
        }
    }

    fn record(env: &Envelope, g: &Grant) -> GrantRecord {
        GrantRecord {
            digest: steward_signing::digest(&env.payload_bytes().unwrap()),
            grant: g.clone(),
            envelope: env.clone(),
            signer: String::new(),
            granted_at: String::new(),
            log_index: 0,
            revocation: None,
        }
    }

    #[test]
    fn a_grant_verifies_offline_for_its_product_versions_and_time_only() {
        let (ada, bob, app) = (
            KeyPair::from_seed("ada", [1; 32]),
            KeyPair::from_seed("bob", [2; 32]),
            KeyPair::from_seed("app", [3; 32]),
        );
        let p = policy(&ada, &bob);
        let (g, env) = sign_grant(
            &ada,
            app.public(),
            "support-app",
            "customer360",
            "^1",
            "analytics",
            Some("2099-01-01T00:00:00Z"),
        )
        .unwrap();
        let rec = record(&env, &g);
        let now = chrono::Utc::now();
        let ok = verify_grant(&rec, &p, &[], "customer", "customer360", "1.4.0", now).unwrap();
        assert_eq!((ok.profile.as_str(), ok.consumer), ("analytics", app.public()));
        let refused = |r: Result<Grant, RegistryError>| r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused(verify_grant(&rec, &p, &[], "customer", "customer360", "2.0.0", now))
            .contains("covers customer360 ^1"));
        assert!(refused(verify_grant(&rec, &p, &[], "customer", "orders", "1.0.0", now)).contains("not orders@1.0.0"));
        let later = chrono::DateTime::parse_from_rfc3339("2099-01-02T00:00:00Z").unwrap().with_timezone(&chrono::Utc);
        assert!(refused(verify_grant(&rec, &p, &[], "customer", "customer360", "1.0.0", later)).contains("ended"));
        // Signed by a key trusted for another domain: refused.
        let (g2, env2) = sign_grant(&bob, app.public(), "support-app", "customer360", "^1", "analytics", None).unwrap();
        assert!(matches!(
            verify_grant(&record(&env2, &g2), &p, &[], "customer", "customer360", "1.0.0", now),
            Err(RegistryError::Untrusted(_))
        ));
        // A record whose grant was edited after signing: refused.
        let mut edited = rec.clone();
        edited.grant.profile = UNMASKED.into();
        assert!(matches!(
            verify_grant(&edited, &p, &[], "customer", "customer360", "1.0.0", now),
            Err(RegistryError::Signature(_))
        ));
        // A tampered envelope: refused.
        let mut tampered = rec.clone();
        tampered.envelope.payload = tampered.envelope.payload.replacen('e', "f", 1);
        assert!(verify_grant(&tampered, &p, &[], "customer", "customer360", "1.0.0", now).is_err());
        // Revoked: refused, with the reason.
        let mut revoked = rec.clone();
        revoked.revocation = Some(sign_revocation(&ada, &rec.digest, "the app was retired").unwrap());
        assert!(refused(verify_grant(&revoked, &p, &[], "customer", "customer360", "1.0.0", now))
            .contains("the app was retired"));
    }

    #[test]
    fn a_grant_names_one_profile_a_range_and_a_sane_end() {
        let (ada, app) = (KeyPair::from_seed("ada", [1; 32]), KeyPair::from_seed("app", [3; 32]));
        for (versions, profile, expires, why) in [
            ("^1", "Analytics", None, "profile"),
            ("^1", "analytics,support", None, "profile"),
            ("one", "analytics", None, "versions"),
            ("^1", "analytics", Some("2001-01-01T00:00:00Z"), "expires"),
            ("^1", "analytics", Some("tomorrow"), "expires"),
        ] {
            let e =
                sign_grant(&ada, app.public(), "support-app", "customer360", versions, profile, expires).unwrap_err();
            assert!(e.to_string().starts_with(why), "{versions} {profile} {expires:?}: {e}");
        }
        assert!(sign_grant(&ada, app.public(), "owners", "customer360", "*", UNMASKED, None).is_ok());
    }
}
