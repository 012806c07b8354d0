//! The grants a node knows: fetched from the registry for each product it serves, each checked
//! offline again at every request ([`GrantBook::grant_for`]): signed by a key the verified
//! trust policy allows for the product's domain, for this product and version, not expired,
//! not revoked. A consumer's key is known to the node only through a grant.

use std::collections::{BTreeSet, HashMap};
use std::sync::RwLock;

use steward_registry_client::{Grant, GrantRecord};
use steward_signing::PublicKey;

use crate::published::Published;
use crate::NodeError;

/// What a node knows of one consumer's grant: the grant once verified, or why it was refused.
type Checked = Result<Grant, String>;

/// A product's grants by consumer key fingerprint: the key, and each of its grants checked.
type Consumers = HashMap<String, (PublicKey, Vec<Checked>)>;

/// Grants by product, then by consumer key fingerprint, each verified when fetched: a request
/// then checks only that it has not ended (the signature, the signer's domain and the product
/// were checked once, not at every request).
#[derive(Default)]
pub struct GrantBook {
    roots: Vec<PublicKey>,
    by_product: RwLock<HashMap<String, Consumers>>,
}

impl GrantBook {
    pub fn new(roots: Vec<PublicKey>) -> GrantBook {
        GrantBook { roots, by_product: RwLock::new(HashMap::new()) }
    }

    /// Replaces what the node knows of `p`'s grants with `records` (as fetched), each verified
    /// offline against the trust policy `p` came with.
    pub fn replace(&self, p: &Published, records: Vec<GrantRecord>) {
        let now = chrono::Utc::now();
        let mut by_consumer: Consumers = HashMap::new();
        for r in records {
            // Checked as of a moment before any end: ends are checked at each request.
            let checked = steward_registry_client::verify_grant(
                &r,
                &p.policy,
                &self.roots,
                &p.verified.domain,
                p.name(),
                p.version(),
                chrono::DateTime::<chrono::Utc>::MIN_UTC,
            )
            .map_err(|e| e.to_string());
            if let Err(why) = &checked {
                tracing::warn!(product = %p.name(), grant = %r.digest, %why, at = %now, "grant refused");
            }
            let e = by_consumer.entry(r.grant.consumer.fingerprint()).or_insert((r.grant.consumer, vec![]));
            e.1.push(checked);
        }
        self.by_product.write().unwrap_or_else(|p| p.into_inner()).insert(p.name().to_string(), by_consumer);
    }

    /// The public key of a consumer some grant names, by its fingerprint.
    pub fn key(&self, keyid: &str) -> Option<PublicKey> {
        let all = self.by_product.read().unwrap_or_else(|p| p.into_inner());
        all.values().find_map(|c| c.get(keyid).map(|(k, _)| *k))
    }

    /// The profiles the valid grants of product `name` name now: the views worth building.
    pub fn profiles(&self, name: &str, now: chrono::DateTime<chrono::Utc>) -> BTreeSet<String> {
        let all = self.by_product.read().unwrap_or_else(|p| p.into_inner());
        let grants = all.get(name).into_iter().flat_map(|c| c.values()).flat_map(|(_, g)| g.iter());
        grants.filter_map(|c| c.as_ref().ok()).filter(|g| !g.expired_at(now)).map(|g| g.profile.clone()).collect()
    }

    /// The grant under which `keyid` may read `p` now, or why there is none. The reason names
    /// grants, never data.
    pub fn grant_for(
        &self,
        keyid: &str,
        p: &Published,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Grant, NodeError> {
        let all = self.by_product.read().unwrap_or_else(|p| p.into_inner());
        let checked = all.get(p.name()).and_then(|c| c.get(keyid)).map(|(_, g)| g.as_slice()).unwrap_or_default();
        let mut why = format!("no grant lets key {keyid} read {}@{}", p.name(), p.version());
        for c in checked {
            match c {
                Ok(g) if !g.expired_at(now) => return Ok(g.clone()),
                Ok(g) => {
                    why = format!(
                        "no valid grant for key {keyid}: the grant ended at {}",
                        g.expires.as_deref().unwrap_or("?")
                    )
                }
                Err(e) => why = format!("no valid grant for key {keyid}: {e}"),
            }
        }
        Err(NodeError::Forbidden(why))
    }
}
