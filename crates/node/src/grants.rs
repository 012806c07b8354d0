//! The grants a node knows: fetched from the registry for each product it serves, each checked
//! offline again at every request ([`GrantBook::grant_for`]): signed by a key the verified
//! trust policy allows for the product's domain, for this product and version, not expired,
//! not revoked. A consumer's key is known to the node only through a grant.

use std::collections::HashMap;
use std::sync::RwLock;

use steward_registry_client::{Grant, GrantRecord};
use steward_signing::PublicKey;

use crate::published::Published;
use crate::NodeError;

/// Grants by product, then by consumer key fingerprint.
#[derive(Default)]
pub struct GrantBook {
    roots: Vec<PublicKey>,
    by_product: RwLock<HashMap<String, HashMap<String, Vec<GrantRecord>>>>,
}

impl GrantBook {
    pub fn new(roots: Vec<PublicKey>) -> GrantBook {
        GrantBook { roots, by_product: RwLock::new(HashMap::new()) }
    }

    /// Replaces what the node knows of `product`'s grants with `records` (as fetched).
    pub fn replace(&self, product: &str, records: Vec<GrantRecord>) {
        let mut by_consumer: HashMap<String, Vec<GrantRecord>> = HashMap::new();
        for r in records {
            by_consumer.entry(r.grant.consumer.fingerprint()).or_default().push(r);
        }
        self.by_product.write().unwrap_or_else(|p| p.into_inner()).insert(product.to_string(), by_consumer);
    }

    /// The public key of a consumer some grant names, by its fingerprint.
    pub fn key(&self, keyid: &str) -> Option<PublicKey> {
        let all = self.by_product.read().unwrap_or_else(|p| p.into_inner());
        all.values().find_map(|c| c.get(keyid).and_then(|rs| rs.first()).map(|r| r.grant.consumer))
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
        let records = all.get(p.name()).and_then(|c| c.get(keyid)).map(Vec::as_slice).unwrap_or_default();
        let mut why = format!("no grant lets key {keyid} read {}@{}", p.name(), p.version());
        for r in records {
            match steward_registry_client::verify_grant(
                r,
                &p.policy,
                &self.roots,
                &p.verified.domain,
                p.name(),
                p.version(),
                now,
            ) {
                Ok(g) => return Ok(g),
                Err(e) => why = format!("no valid grant for key {keyid}: {e}"),
            }
        }
        Err(NodeError::Forbidden(why))
    }
}
