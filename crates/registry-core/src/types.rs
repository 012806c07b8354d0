//! What the registry stores and sends: trust policies, signed actions, log entries, versions and
//! the bundle a consumer verifies offline.

use serde::{Deserialize, Serialize};
use steward_signing::{canonical_json, Envelope, PublicKey};

use crate::RegistryError;

/// The greatest trust policy serial: 2^53 − 1, the largest integer canonical JSON (RFC 8785)
/// carries exactly and every store keeps losslessly. Greater serials are refused.
pub const MAX_SERIAL: u64 = (1 << 53) - 1;

/// Which keys may publish for which domain, and which keys may change this policy. Signed by an
/// admin key; each new policy has a greater serial (an older one is never accepted again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustPolicy {
    /// 1 to [`MAX_SERIAL`].
    pub serial: u64,
    /// Keys that may sign the next policy (beside the registry's root admin keys).
    #[serde(default)]
    pub admins: Vec<PublicKey>,
    #[serde(default)]
    pub signers: Vec<TrustedSigner>,
    /// When the policy stops being valid (RFC 3339): after it, nothing is published until an
    /// admin signs a new one, and consumers see that what they hold is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The serial of the policy this one replaces (0 for the first). When given, the policy is
    /// accepted only over exactly that one: a draft signed long ago cannot replace a later policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<u64>,
    /// When it was signed (RFC 3339). When given, it is accepted only within
    /// [`ACTION_WINDOW_SECS`] of the registry's clock, like an action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// What products of some domains must show before they are published: privacy and quality
    /// minimums their signed evidence must meet ([`crate::evidence::judge`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<crate::evidence::Requirements>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedSigner {
    /// Who holds the key (`ada@example.com`).
    pub name: String,
    pub key: PublicKey,
    /// Domains the key may publish for; `*` for every domain.
    pub domains: Vec<String>,
}

impl TrustPolicy {
    /// Whether the policy has expired at `now`; an unreadable date counts as expired.
    pub fn expired_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        match &self.expires {
            None => false,
            Some(t) => chrono::DateTime::parse_from_rfc3339(t).map(|t| t <= now).unwrap_or(true),
        }
    }

    /// The keys allowed to publish for `domain`.
    pub fn signers_for(&self, domain: &str) -> Vec<PublicKey> {
        self.signers.iter().filter(|s| s.domains.iter().any(|d| d == "*" || d == domain)).map(|s| s.key).collect()
    }

    pub fn signer_name(&self, keyid: &str) -> Option<&str> {
        self.signers.iter().find(|s| s.key.fingerprint() == keyid).map(|s| s.name.as_str())
    }
}

/// A signed request to change a published version's status. It names the exact content it acts
/// on (`digest`), is accepted only shortly after it was signed (`issued_at`, within
/// [`ACTION_WINDOW_SECS`]), and only once (`nonce`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// `yank` (hidden from latest and search, never deleted) or `deprecate`.
    pub action: String,
    pub name: String,
    pub version: String,
    /// The digest of the content of `name@version` this action is about (`sha256:…`).
    pub digest: String,
    pub reason: String,
    /// Random (16 bytes, hex), so two equal requests are two actions, and a replay is refused.
    pub nonce: String,
    /// When it was signed (RFC 3339).
    pub issued_at: String,
}

/// How long after signing an action is accepted (and how far ahead of the registry's clock it
/// may be dated: clocks differ).
pub const ACTION_WINDOW_SECS: i64 = 300;

/// A signed action the registry refused (stale, replayed, naming other content, not allowed),
/// kept in a bounded log for admins: only actions whose signature verified are kept, and only
/// the newest [`MAX_REFUSALS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub at: String,
    pub action: String,
    pub name: String,
    pub version: String,
    pub signer: String,
    pub code: String,
    pub message: String,
}

/// Refused actions kept at most.
pub const MAX_REFUSALS: u64 = 1000;

/// What a registry signs with its own key: the head of its audit log at a time. A consumer
/// holding the registry's public key can tell the log it was shown is the one the registry
/// had then, and how old that view is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Fingerprint of the registry key that signed it.
    pub registry: String,
    /// Index and hash of the last log entry.
    pub index: u64,
    pub hash: String,
    /// The Merkle tree (RFC 9162) of the first `index + 1` entries: its root, in hex.
    pub root: String,
    /// When it was signed (RFC 3339).
    pub at: String,
}

/// One entry of the append-only audit log. `hash` = sha256 of the canonical JSON of every
/// other field, `prev` included, so changing any entry breaks every later one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    pub index: u64,
    pub at: String,
    /// `publish`, `yank`, `deprecate`, `trust`, `grant` or `revoke-grant`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Digest of the signed payload (definition, action or policy).
    pub digest: String,
    /// Fingerprint of the key that signed it.
    pub signer: String,
    /// The trust policy the signature was checked against.
    pub trust_serial: u64,
    /// An override of the breaking-change rule, a privacy review flag…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Digest of the signed evidence published with a definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Key id of the privacy officer who co-signed an override of the central policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cosigner: Option<String>,
    pub prev: String,
    pub hash: String,
}

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl LogEntry {
    /// The hash this entry must carry.
    pub fn compute_hash(&self) -> Result<String, RegistryError> {
        let mut v = serde_json::to_value(self).map_err(|e| RegistryError::Storage(e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.remove("hash");
        }
        let bytes = canonical_json(&v, "log entry")?;
        Ok(steward_signing::hex(&steward_signing::sha256(&bytes)))
    }
}

/// Checks that `entries` are consecutive and each hash and link is right. Returns the last hash.
pub fn verify_chain(entries: &[LogEntry]) -> Result<Option<String>, RegistryError> {
    let mut prev: Option<&LogEntry> = None;
    for e in entries {
        if e.compute_hash()? != e.hash {
            return Err(RegistryError::Signature(format!("log entry {} does not match its hash", e.index)));
        }
        if let Some(p) = prev {
            if e.index != p.index + 1 || e.prev != p.hash {
                return Err(RegistryError::Signature(format!(
                    "log entry {} does not follow entry {}: the chain is broken",
                    e.index, p.index
                )));
            }
        } else if e.index == 0 && e.prev != GENESIS {
            return Err(RegistryError::Signature("the first log entry does not start the chain".into()));
        }
        prev = Some(e);
    }
    Ok(entries.last().map(|e| e.hash.clone()))
}

/// A published version as the registry returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionRecord {
    pub name: String,
    pub version: String,
    pub domain: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub description: Option<String>,
    pub digest: String,
    pub envelope: Envelope,
    pub signer: String,
    pub published_at: String,
    pub yanked: Option<String>,
    pub deprecated: Option<String>,
    pub log_index: u64,
}

/// A line of a listing or search: the product's latest version that is not yanked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RegistryProduct"))]
#[serde(rename_all = "camelCase")]
pub struct ProductSummary {
    pub name: String,
    pub latest: String,
    pub domain: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub description: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub versions: u64,
    pub deprecated: Option<String>,
}

/// A version in a product's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "RegistryVersion"))]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub version: String,
    pub digest: String,
    pub signer: String,
    pub published_at: String,
    pub yanked: Option<String>,
    pub deprecated: Option<String>,
}

/// Body of `POST /v1/products`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishRequest {
    pub envelope: Envelope,
    /// Publish a breaking change without the major bump it needs; recorded in the audit log.
    #[serde(default)]
    pub allow_breaking: bool,
    /// Why (required with `allow_breaking`).
    #[serde(default)]
    pub reason: Option<String>,
    /// The signed evidence (an in-toto Statement in DSSE) about the definition, by its signer.
    #[serde(default)]
    pub evidence: Option<Envelope>,
    /// A privacy officer's signed override of the central policy, for a publish that misses it.
    #[serde(default, rename = "override")]
    pub waiver: Option<Envelope>,
}

/// What a publish returns: where it is in the log, and what changed since the latest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PublishedInfo"))]
#[serde(rename_all = "camelCase")]
pub struct Published {
    pub name: String,
    pub version: String,
    pub digest: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub log_index: u64,
    pub entry_hash: String,
    /// Masking got weaker than in the previous version: flagged in the log for privacy review.
    pub privacy_review: bool,
    pub previous: Option<String>,
}

/// The current trust policy, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTrust {
    pub serial: u64,
    pub envelope: Envelope,
    pub policy: TrustPolicy,
}

/// Everything a consumer needs to check a version offline, given the registry's root admin
/// keys: the signed definition, every signed trust policy up to now, and the audit log from
/// the version's entry to the head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub name: String,
    pub version: String,
    pub envelope: Envelope,
    pub trust: Vec<Envelope>,
    pub log: Vec<LogEntry>,
    /// A [`Checkpoint`] of the last log entry, signed by the registry's own key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Envelope>,
    /// The evidence published with the version, signed by the definition's signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Envelope>,
    /// The privacy officer's override it was published under, if any.
    #[serde(default, rename = "override", skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Envelope>,
}

/// Filters of a search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Search {
    #[serde(rename = "q")]
    pub text: Option<String>,
    pub domain: Option<String>,
    pub owner: Option<String>,
    pub tag: Option<String>,
}

/// The trust policy in force (the newest, signed), the root admin keys the registry started
/// with, the registry's own public key, and a checkpoint of its log head signed with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustView {
    pub roots: Vec<String>,
    pub current: Option<StoredTrust>,
    #[serde(default)]
    pub registry_key: Option<String>,
    #[serde(default)]
    pub checkpoint: Option<steward_signing::Envelope>,
}

/// A consistency proof between two sizes of the log (RFC 9162).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    /// Hex SHA-256 hashes.
    pub proof: Vec<String>,
}

/// The header naming where the next page of a listing starts (absent on the last page).
pub const NEXT_HEADER: &str = "steward-next-after";

/// Products a search page returns at most, and version rows one search request reads at most.
pub const MAX_PAGE: u32 = 500;
