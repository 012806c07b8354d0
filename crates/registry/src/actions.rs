//! Signed actions on a published version (yank, deprecate): authenticated before the writer,
//! fresh (signed within [`ACTION_WINDOW_SECS`]), applied once (nonce), bound to the exact content
//! they name (digest), and — when refused after their signature verified — kept in a bounded
//! refusal log.

use steward_error::ErrorCode;
use steward_signing::{digest, Envelope, ACTION_PAYLOAD_TYPE};

use crate::service::{append_log, canonical_payload, current_trust, draft, now, text, version_record, VERSION_COLUMNS};
use crate::{Registry, RegistryError};
use steward_registry_core::*;
use steward_registry_core::{check_text, check_version};

fn check_digest(d: &str) -> Result<(), RegistryError> {
    let ok = d.len() == 71
        && d.starts_with("sha256:")
        && d[7..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid("digest: `sha256:` and 64 lowercase hex digits".into()))
    }
}

/// The action's fields, each bounded; returns when it was issued (seconds since the epoch).
fn check_action(a: &Action) -> Result<i64, RegistryError> {
    if a.action != "yank" && a.action != "deprecate" {
        return Err(RegistryError::Invalid(format!(
            "action `{}` is not one of yank, deprecate",
            a.action.chars().take(40).collect::<String>().escape_debug()
        )));
    }
    check_name("product name", &a.name)?;
    check_version(&a.version)?;
    check_digest(&a.digest)?;
    check_text("reason", &a.reason, false)?;
    if a.reason.trim().is_empty() || a.reason.len() > 1000 {
        return Err(RegistryError::Invalid("reason: 1-1000 characters".into()));
    }
    if !(32..=64).contains(&a.nonce.len()) || !a.nonce.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(RegistryError::Invalid("nonce: 32 to 64 hex digits".into()));
    }
    let issued = chrono::DateTime::parse_from_rfc3339(&a.issued_at).map_err(|_| {
        RegistryError::Invalid(format!("issued_at: `{}` is not an RFC 3339 time", a.issued_at.escape_debug()))
    })?;
    Ok(issued.timestamp())
}

impl Registry {
    /// Yanks or deprecates a version, by a signed [`Action`] from a key trusted for the
    /// product's domain or an admin key. Refused: an action signed more than
    /// [`ACTION_WINDOW_SECS`] ago (or as far ahead), one already applied (same nonce), and one
    /// naming other content than the version holds.
    pub fn act(&self, env: Envelope) -> Result<LogEntry, RegistryError> {
        let (payload, value) = canonical_payload(&env, ACTION_PAYLOAD_TYPE)?;
        let action: Action =
            serde_json::from_value(value).map_err(|e| RegistryError::Invalid(format!("not an action: {e}")))?;
        let issued = check_action(&action)?;
        steward_registry_core::check_json_text(
            "",
            &serde_json::to_value(&action).map_err(|e| RegistryError::Storage(e.to_string()))?,
        )?;
        // Authenticated first, outside the writer, against every key this registry knows now.
        let trust = self.trust()?.ok_or_else(|| RegistryError::Untrusted("no trust policy".into()))?;
        let mut known = self.roots.clone();
        known.extend(trust.policy.admins.iter().copied());
        known.extend(trust.policy.signers.iter().map(|s| s.key));
        let verified = env.verify(ACTION_PAYLOAD_TYPE, &known).map_err(|e| match e {
            steward_signing::SigningError::Signature(m) => {
                RegistryError::Untrusted(format!("an action must be signed by a key this registry trusts: {m}"))
            }
            other => other.into(),
        })?;
        let r = self.apply(action.clone(), issued, verified.keyid.clone(), digest(&payload));
        if let Err(e) = &r {
            tracing::warn!(action = %action.action, name = %action.name, version = %action.version, signer = %verified.keyid, code = e.code(), "action refused");
            if !matches!(e, RegistryError::Storage(_)) {
                if let Err(x) = self.record_refusal(&action, &verified.keyid, e) {
                    tracing::error!(error = %x, "cannot record a refused action");
                }
            }
        }
        r
    }

    fn apply(&self, action: Action, issued: i64, keyid: String, digest: String) -> Result<LogEntry, RegistryError> {
        let now = chrono::Utc::now().timestamp();
        if issued < now - ACTION_WINDOW_SECS || issued > now + ACTION_WINDOW_SECS {
            return Err(RegistryError::Replay(format!(
                "this {} was signed at {}, more than {} minutes from now: sign it again",
                action.action,
                action.issued_at,
                ACTION_WINDOW_SECS / 60
            )));
        }
        let roots = self.roots.clone();
        self.db.write(move |c| {
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
            if !keys.iter().any(|k| k.fingerprint() == keyid) {
                return Err(RegistryError::Untrusted(format!(
                    "a {} of {}@{} must be signed by a key trusted for domain `{}` or an admin; {keyid} is not",
                    action.action, action.name, action.version, rec.domain
                )));
            }
            if rec.digest != action.digest {
                return Err(RegistryError::Invalid(format!(
                    "this {} names content {}, but {}@{} is {}",
                    action.action, action.digest, action.name, action.version, rec.digest
                )));
            }
            // Nonces are kept as long as an action carrying them could still be fresh.
            c.exec("DELETE FROM nonces WHERE issued < $1", &[(now - 2 * ACTION_WINDOW_SECS).into()])?;
            if !c.query("SELECT nonce FROM nonces WHERE nonce = $1", &[action.nonce.clone().into()])?.is_empty() {
                return Err(RegistryError::Replay("this signed action was already applied".into()));
            }
            c.exec(
                "INSERT INTO nonces (nonce, issued) VALUES ($1, $2)",
                &[action.nonce.clone().into(), issued.into()],
            )?;
            let column = if action.action == "yank" { "yanked" } else { "deprecated" };
            c.exec(
                &format!("UPDATE versions SET {column} = $1 WHERE name = $2 AND version = $3"),
                &[action.reason.clone().into(), action.name.clone().into(), action.version.clone().into()],
            )?;
            let mut e = draft(&action.action, Some(action.name), Some(action.version), digest, keyid, trust.serial);
            e.note = Some(action.reason);
            append_log(c, e)
        })
    }

    /// Keeps a refused action in the refusal log, dropping the oldest beyond [`MAX_REFUSALS`].
    fn record_refusal(&self, a: &Action, signer: &str, e: &RegistryError) -> Result<(), RegistryError> {
        let r = Refusal {
            at: now(),
            action: a.action.clone(),
            name: a.name.clone(),
            version: a.version.clone(),
            signer: signer.to_string(),
            code: e.code().to_string(),
            message: e.to_string().chars().take(500).collect(),
        };
        let entry = serde_json::to_string(&r).map_err(|x| RegistryError::Storage(x.to_string()))?;
        self.db.write(move |c| {
            let top = c.query("SELECT id FROM refusals ORDER BY id DESC LIMIT 1", &[])?;
            let id = top.first().and_then(|r| r.first()).and_then(crate::db::Val::int).unwrap_or(0) + 1;
            c.exec("INSERT INTO refusals (id, entry) VALUES ($1, $2)", &[id.into(), entry.into()])?;
            c.exec("DELETE FROM refusals WHERE id <= $1", &[(id - MAX_REFUSALS as i64).into()])?;
            Ok(())
        })
    }

    /// The newest refused actions, newest first, at most `limit` (≤ [`MAX_REFUSALS`]).
    pub fn refusals(&self, limit: u64) -> Result<Vec<Refusal>, RegistryError> {
        let limit = limit.clamp(1, MAX_REFUSALS) as i64;
        let rows =
            self.db.read(|c| c.query("SELECT entry FROM refusals ORDER BY id DESC LIMIT $1", &[limit.into()]))?;
        rows.iter()
            .map(|r| serde_json::from_str(&text(r, 0)).map_err(|e| RegistryError::Storage(format!("refusal: {e}"))))
            .collect()
    }
}
