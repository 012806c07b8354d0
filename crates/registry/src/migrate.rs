//! Carrying a registry's database made by an older Steward over to what this one keeps, once,
//! when the registry starts (in one transaction).

use crate::db::{Conn, Val};
use crate::RegistryError;

fn storage(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Storage(e.to_string())
}

/// Every step, in order; each does nothing when there is nothing to carry over.
pub fn run(c: &mut dyn Conn) -> Result<(), RegistryError> {
    migrate_trust(c)?;
    migrate_merkle(c)
}

/// Trust policies of a registry made before policies were ordered by their log entry: each
/// takes the index of the log entry that accepted it (found by the policy's digest).
fn migrate_trust(c: &mut dyn Conn) -> Result<(), RegistryError> {
    if !c.query("SELECT log_index FROM trust_policies LIMIT 1", &[])?.is_empty() {
        return Ok(());
    }
    let old = c.query("SELECT serial, envelope FROM trust ORDER BY serial", &[])?;
    if old.is_empty() {
        return Ok(());
    }
    let mut at: std::collections::HashMap<String, i64> = Default::default();
    for r in c.query("SELECT idx, entry FROM log ORDER BY idx", &[])? {
        let e: serde_json::Value =
            serde_json::from_str(r.get(1).and_then(Val::text).unwrap_or("{}")).unwrap_or_default();
        if e["action"] == "trust" {
            if let (Some(d), Some(i)) = (e["digest"].as_str(), r.first().and_then(Val::int)) {
                at.insert(d.to_string(), i);
            }
        }
    }
    for r in old {
        let text = r.get(1).and_then(Val::text).unwrap_or_default().to_string();
        let env: steward_signing::Envelope = serde_json::from_str(&text).map_err(storage)?;
        let d = steward_signing::digest(&env.payload_bytes().map_err(storage)?);
        let Some(i) = at.get(&d) else {
            tracing::warn!(digest = %d, "a stored trust policy has no log entry: not carried over");
            continue;
        };
        c.exec(
            "INSERT INTO trust_policies (log_index, serial, envelope) VALUES ($1, $2, $3)",
            &[(*i).into(), r.first().cloned().unwrap_or(Val::Null), text.into()],
        )?;
    }
    tracing::info!("trust policies now ordered by their log entries");
    Ok(())
}

/// Adds the Merkle tree of log entries made before the registry kept one.
fn migrate_merkle(c: &mut dyn Conn) -> Result<(), RegistryError> {
    let have = c.query("SELECT COUNT(*) FROM merkle WHERE level = 0", &[])?;
    let mut from = have.first().and_then(|r| r.first()).and_then(Val::int).unwrap_or(0);
    loop {
        let rows = c.query("SELECT idx, hash FROM log WHERE idx >= $1 ORDER BY idx LIMIT 10000", &[from.into()])?;
        if rows.is_empty() {
            return Ok(());
        }
        for r in &rows {
            let idx = r.first().and_then(Val::int).unwrap_or(0);
            crate::merkle::append(c, idx as u64, r.get(1).and_then(Val::text).unwrap_or_default())?;
            from = idx + 1;
        }
    }
}
