//! Grants of read access to consumers (see `steward_registry_core::grants`): accepted when signed
//! by a key trusted for the product's domain (or an admin key), fresh, and new (nonce); each
//! entered in the audit log; revoked by a signed revocation, also logged. Listing never returns
//! more than [`MAX_GRANTS_LISTED`] in one page (the next one starts after its last log index).

use steward_signing::Envelope;

use crate::db::{Conn, Row};
use crate::service::{append_log, canonical_payload, current_trust, draft, now, opt, text};
use crate::{Registry, RegistryError};
use steward_registry_core::*;

const GRANT_COLUMNS: &str = "digest, envelope, signer, granted_at, log_index, revocation";

fn record(row: &Row) -> Result<GrantRecord, RegistryError> {
    let storage = |e: serde_json::Error| RegistryError::Storage(format!("stored grant: {e}"));
    let envelope: Envelope = serde_json::from_str(&text(row, 1)).map_err(storage)?;
    let grant: Grant = serde_json::from_slice(&envelope.payload_bytes()?).map_err(storage)?;
    let revocation = opt(row, 5).map(|r| serde_json::from_str(&r)).transpose().map_err(storage)?;
    Ok(GrantRecord {
        digest: text(row, 0),
        grant,
        envelope,
        signer: text(row, 2),
        granted_at: text(row, 3),
        log_index: row.get(4).and_then(crate::db::Val::int).unwrap_or(0) as u64,
        revocation,
    })
}

/// The domain of a published product (from its versions), or why there is none.
fn domain_of(c: &mut dyn Conn, product: &str) -> Result<String, RegistryError> {
    let rows = c.query(
        "SELECT domain FROM versions WHERE name = $1 ORDER BY log_index DESC LIMIT 1",
        &[product.to_string().into()],
    )?;
    rows.first()
        .map(|r| text(r, 0))
        .ok_or_else(|| RegistryError::NotFound(format!("{product} is not published: there is nothing to grant")))
}

fn fresh(issued: i64, what: &str) -> Result<(), RegistryError> {
    let now = chrono::Utc::now().timestamp();
    if issued < now - GRANT_WINDOW_SECS || issued > now + GRANT_WINDOW_SECS {
        return Err(RegistryError::Replay(format!(
            "this {what} was signed more than {} minutes from now: sign it again",
            GRANT_WINDOW_SECS / 60
        )));
    }
    Ok(())
}

/// Remembers a nonce, or refuses one already used.
fn once(c: &mut dyn Conn, nonce: &str, issued: i64) -> Result<(), RegistryError> {
    let now = chrono::Utc::now().timestamp();
    c.exec("DELETE FROM nonces WHERE issued < $1", &[(now - 2 * GRANT_WINDOW_SECS).into()])?;
    if !c.query("SELECT nonce FROM nonces WHERE nonce = $1", &[nonce.to_string().into()])?.is_empty() {
        return Err(RegistryError::Replay("this signed document was already applied".into()));
    }
    c.exec("INSERT INTO nonces (nonce, issued) VALUES ($1, $2)", &[nonce.to_string().into(), issued.into()])?;
    Ok(())
}

impl Registry {
    /// Records a signed [`Grant`] of a published product.
    pub fn grant(&self, env: Envelope) -> Result<GrantRecord, RegistryError> {
        let (_, value) = canonical_payload(&env, GRANT_PAYLOAD_TYPE)?;
        check_json_text("", &value)?;
        let g: Grant =
            serde_json::from_value(value).map_err(|e| RegistryError::Invalid(format!("not a grant: {e}")))?;
        g.check()?;
        let issued = chrono::DateTime::parse_from_rfc3339(&g.issued_at).map(|t| t.timestamp()).unwrap_or(0);
        fresh(issued, "grant")?;
        let roots = self.roots.clone();
        self.db.write(move |c| {
            let trust = current_trust(c)?.ok_or_else(|| RegistryError::Untrusted("no trust policy".into()))?;
            let domain = domain_of(c, &g.product)?;
            let (g, signer, d) = open_grant(&env, &granters(&trust.policy, &domain, &roots)).map_err(|e| match e {
                RegistryError::Untrusted(_) => RegistryError::Untrusted(format!(
                    "a grant of {} must be signed by a key trusted for domain `{domain}` or an admin; {} is not",
                    g.product,
                    env.keyids().join(", ")
                )),
                other => other,
            })?;
            once(c, &g.nonce, issued)?;
            let mut e = draft("grant", Some(g.product.clone()), None, d.clone(), signer.clone(), trust.serial);
            e.note = Some(format!(
                "{} ({}) may read {} {} as `{}`{}",
                g.consumer_name,
                g.consumer.fingerprint(),
                g.product,
                g.versions,
                g.profile,
                g.expires.as_deref().map(|x| format!(" until {x}")).unwrap_or_default()
            ));
            let entry = append_log(c, e)?;
            let env_text = serde_json::to_string(&env).map_err(|e| RegistryError::Storage(e.to_string()))?;
            let at = now();
            c.exec(
                "INSERT INTO grants (digest, product, consumer, envelope, signer, granted_at, log_index, revocation) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
                &[
                    d.clone().into(),
                    g.product.clone().into(),
                    g.consumer.fingerprint().into(),
                    env_text.into(),
                    signer.clone().into(),
                    at.clone().into(),
                    (entry.index as i64).into(),
                ],
            )?;
            Ok(GrantRecord {
                digest: d,
                grant: g,
                envelope: env,
                signer,
                granted_at: at,
                log_index: entry.index,
                revocation: None,
            })
        })
    }

    /// Revokes a grant by a signed [`Revocation`] from a key that could have granted it.
    pub fn revoke_grant(&self, env: Envelope) -> Result<LogEntry, RegistryError> {
        let (_, value) = canonical_payload(&env, REVOCATION_PAYLOAD_TYPE)?;
        check_json_text("", &value)?;
        let r: Revocation =
            serde_json::from_value(value).map_err(|e| RegistryError::Invalid(format!("not a revocation: {e}")))?;
        let issued = check_revocation(&r)?;
        fresh(issued, "revocation")?;
        let roots = self.roots.clone();
        self.db.write(move |c| {
            let trust = current_trust(c)?.ok_or_else(|| RegistryError::Untrusted("no trust policy".into()))?;
            let rows =
                c.query(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE digest = $1"), &[r.grant.clone().into()])?;
            let rec = rows
                .first()
                .map(record)
                .transpose()?
                .ok_or_else(|| RegistryError::NotFound(format!("no grant {}", r.grant)))?;
            if rec.revocation.is_some() {
                return Err(RegistryError::Replay(format!("grant {} is revoked already", r.grant)));
            }
            let domain = domain_of(c, &rec.grant.product)?;
            let keys = granters(&trust.policy, &domain, &roots);
            let v = env.verify(REVOCATION_PAYLOAD_TYPE, &keys).map_err(|_| {
                RegistryError::Untrusted(format!(
                    "a revocation of a grant of {} must be signed by a key trusted for domain `{domain}` or an admin",
                    rec.grant.product
                ))
            })?;
            once(c, &r.nonce, issued)?;
            let mut e =
                draft("revoke-grant", Some(rec.grant.product.clone()), None, r.grant.clone(), v.keyid, trust.serial);
            e.note = Some(r.reason.clone());
            let entry = append_log(c, e)?;
            let env_text = serde_json::to_string(&env).map_err(|e| RegistryError::Storage(e.to_string()))?;
            c.exec("UPDATE grants SET revocation = $1 WHERE digest = $2", &[env_text.into(), r.grant.clone().into()])?;
            Ok(entry)
        })
    }

    /// Grants of `product` (to `consumer`, a key fingerprint, when given), oldest first.
    pub fn grants(
        &self,
        product: &str,
        consumer: Option<&str>,
        after: Option<u64>,
    ) -> Result<Vec<GrantRecord>, RegistryError> {
        check_name("product name", product)?;
        let (product, consumer) = (product.to_string(), consumer.map(str::to_string));
        let limit = MAX_GRANTS_LISTED as i64;
        // Past the end of the log is an empty page, never a wrap-around.
        let after = after.map_or(-1, |a| i64::try_from(a).unwrap_or(i64::MAX));
        let rows = self.db.read(move |c| match consumer {
            Some(k) => c.query(
                &format!(
                    "SELECT {GRANT_COLUMNS} FROM grants WHERE product = $1 AND consumer = $2 AND log_index > $3 \
                     ORDER BY log_index LIMIT $4"
                ),
                &[product.into(), k.into(), after.into(), limit.into()],
            ),
            None => c.query(
                &format!(
                    "SELECT {GRANT_COLUMNS} FROM grants WHERE product = $1 AND log_index > $2 ORDER BY log_index LIMIT $3"
                ),
                &[product.into(), after.into(), limit.into()],
            ),
        })?;
        rows.iter().map(record).collect()
    }

    /// One grant by its digest.
    pub fn grant_record(&self, d: &str) -> Result<GrantRecord, RegistryError> {
        let key = d.to_string();
        let rows = self
            .db
            .read(move |c| c.query(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE digest = $1"), &[key.into()]))?;
        rows.first().map(record).transpose()?.ok_or_else(|| RegistryError::NotFound(format!("no grant {d}")))
    }
}
