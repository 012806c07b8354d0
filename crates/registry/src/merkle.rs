//! The registry's stored Merkle tree: subtree hashes kept in the `merkle` table, appended as
//! entries are logged; the hashing and proofs themselves are in `steward_registry_core::merkle`.

pub use steward_registry_core::merkle::*;

use crate::db::{Conn, Val};
use crate::RegistryError;

/// Stored subtree hashes, read through a connection.
pub struct DbNodes<'a>(pub &'a mut dyn Conn);

impl Nodes for DbNodes<'_> {
    fn node(&mut self, level: u32, j: u64) -> Result<Hash, RegistryError> {
        let rows = self.0.query(
            "SELECT hash FROM merkle WHERE level = $1 AND idx = $2",
            &[(level as i64).into(), (j as i64).into()],
        )?;
        let h = rows
            .first()
            .and_then(|r| r.first())
            .and_then(Val::text)
            .ok_or_else(|| RegistryError::Storage(format!("merkle node {level}/{j} is missing")))?;
        unhex(h).map_err(|e| RegistryError::Storage(e.to_string()))
    }
}

/// Adds leaf `index` (an entry with hash `entry_hash`) and every subtree it completes.
pub fn append(c: &mut dyn Conn, index: u64, entry_hash: &str) -> Result<(), RegistryError> {
    let mut h = leaf_hash(entry_hash)?;
    let (mut level, mut j) = (0u32, index);
    loop {
        c.exec(
            "INSERT INTO merkle (level, idx, hash) VALUES ($1, $2, $3)",
            &[(level as i64).into(), (j as i64).into(), hex(&h).into()],
        )?;
        if j.is_multiple_of(2) {
            return Ok(());
        }
        let left = DbNodes(c).node(level, j - 1)?;
        h = node_hash(&left, &h);
        level += 1;
        j /= 2;
    }
}
