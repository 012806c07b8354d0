//! Verifying a signed request at the node: the fields read, Steward's coverage required, the
//! signature checked against the key its `keyid` names, then freshness and replay. A replay is
//! remembered only once the signature has verified, so unsigned junk cannot fill the memory.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use steward_signing::PublicKey;

use crate::fields::{parse_signature, parse_signature_input};
use crate::{signature_base, Request, SignatureError, COVERED, LABEL};

/// Longest nonce accepted.
const MAX_NONCE: usize = 128;

/// Who signed a request, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signing key's fingerprint (`SHA256:…`).
    pub keyid: String,
    pub key: PublicKey,
    pub created: i64,
}

/// Nonces seen within the window, oldest first.
#[derive(Default)]
struct Seen {
    set: HashSet<(String, String)>,
    order: VecDeque<(i64, String, String)>,
}

/// Verifies requests signed as [`crate::sign_request`] signs them.
pub struct Verifier {
    window: i64,
    capacity: usize,
    seen: Mutex<Seen>,
}

fn field(req: &Request<'_>, name: &str) -> Option<String> {
    let values: Vec<&str> =
        req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()).collect();
    (!values.is_empty()).then(|| values.join(", "))
}

impl Verifier {
    /// Signatures older (or further ahead) than `window` seconds are stale; at most `capacity`
    /// nonces are remembered, beyond which requests are refused as busy rather than forgotten.
    pub fn new(window: i64, capacity: usize) -> Verifier {
        Verifier { window, capacity, seen: Mutex::new(Seen::default()) }
    }

    pub fn window(&self) -> i64 {
        self.window
    }

    /// Checks `req`'s signature at `now` (Unix seconds); `key_of` names the keys this node knows.
    pub fn verify(
        &self,
        req: &Request<'_>,
        now: i64,
        key_of: impl Fn(&str) -> Option<PublicKey>,
    ) -> Result<Verified, SignatureError> {
        let (Some(input), Some(sig)) = (field(req, "signature-input"), field(req, "signature")) else {
            return Err(SignatureError::Missing);
        };
        let params = parse_signature_input(&input)?.into_iter().find(|(l, _)| l == LABEL).map(|(_, p)| p);
        let signature = parse_signature(&sig)?.into_iter().find(|(l, _)| l == LABEL).map(|(_, s)| s);
        let (Some(params), Some(signature)) = (params, signature) else { return Err(SignatureError::Missing) };
        let missing: Vec<&str> =
            COVERED.iter().copied().filter(|c| !params.components.iter().any(|p| p == c)).collect();
        if !missing.is_empty() {
            return Err(SignatureError::Coverage(missing.join(", ")));
        }
        let (Some(created), Some(nonce), Some(keyid)) = (params.created, &params.nonce, &params.keyid) else {
            return Err(SignatureError::Coverage("`created`, `nonce` and `keyid`".into()));
        };
        if params.alg.as_deref().is_some_and(|a| a != "ed25519") {
            return Err(SignatureError::Malformed("only `alg=\"ed25519\"` is accepted".into()));
        }
        if nonce.is_empty() || nonce.len() > MAX_NONCE {
            return Err(SignatureError::Malformed(format!("a nonce has 1 to {MAX_NONCE} characters")));
        }
        let age = now - created;
        if age.abs() > self.window {
            return Err(SignatureError::Stale { age, window: self.window });
        }
        if params.expires.is_some_and(|e| e < now) {
            return Err(SignatureError::Stale { age, window: self.window });
        }
        let key = key_of(keyid).ok_or_else(|| SignatureError::UnknownKey(keyid.clone()))?;
        let base = signature_base(req, &params)?;
        if !key.verify_message(base.as_bytes(), &signature) {
            return Err(SignatureError::Invalid);
        }
        self.remember(keyid, nonce, created, now)?;
        Ok(Verified { keyid: keyid.clone(), key, created })
    }

    fn remember(&self, keyid: &str, nonce: &str, created: i64, now: i64) -> Result<(), SignatureError> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what can no longer be replayed: older than the window can reach.
        while seen.order.front().is_some_and(|(c, _, _)| *c < now - self.window) {
            if let Some((_, k, n)) = seen.order.pop_front() {
                seen.set.remove(&(k, n));
            }
        }
        let entry = (keyid.to_string(), nonce.to_string());
        if seen.set.contains(&entry) {
            return Err(SignatureError::Replayed);
        }
        if seen.set.len() >= self.capacity {
            return Err(SignatureError::Busy);
        }
        seen.set.insert(entry.clone());
        // Kept in order of creation, so the oldest are forgotten first.
        let at = seen.order.partition_point(|(c, _, _)| *c <= created);
        seen.order.insert(at, (created, entry.0, entry.1));
        Ok(())
    }
}
