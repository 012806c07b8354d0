//! # steward-signing
//!
//! Owns what makes a published product definition trustworthy without trusting the server that
//! holds it: the canonical form of a document (RFC 8785 JSON), its sha256 digest, Ed25519
//! signing keys (the secret in the OS keychain, the public key and its fingerprint shareable),
//! and DSSE envelopes — the payload type is signed with the payload (PAE), and verification is
//! strict Ed25519 (`verify_strict`: no weak keys, no malleable signatures).
//!
//! It must not touch the network, the registry's storage, or Polars; it must never log, print
//! or put a secret key into an error.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use steward_secrets::{SecretError, SecretStore};

/// DSSE payload type of a signed product definition: the format and its version.
pub const PRODUCT_PAYLOAD_TYPE: &str = "application/vnd.steward.product+json; version=1";
/// DSSE payload type of a signed registry action (yank, deprecate).
pub const ACTION_PAYLOAD_TYPE: &str = "application/vnd.steward.action+json; version=1";
/// DSSE payload type of a signed trust policy.
pub const TRUST_PAYLOAD_TYPE: &str = "application/vnd.steward.trust+json; version=1";
/// DSSE payload type of a registry's signed checkpoint of its audit log head.
pub const CHECKPOINT_PAYLOAD_TYPE: &str = "application/vnd.steward.checkpoint+json; version=1";

/// Most signatures an envelope may carry. Each is checked at most once, and an envelope with
/// more (or with two signatures by the same key) is refused before any is verified, so a
/// request cannot make the verifier spend unbounded time.
pub const MAX_SIGNATURES: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("{what}: not canonical JSON: {message}")]
    Canonical { what: String, message: String },
    #[error("envelope: {0}")]
    Envelope(String),
    #[error("signature: {0}")]
    Signature(String),
    #[error("key `{name}`: {message}")]
    Key { name: String, message: String },
    /// No key was named and the machine's keys do not settle which one signs.
    #[error("{0}")]
    NoKeyChosen(String),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
}

steward_error::error_codes!(SigningError {
    Self::Canonical { .. } => "signing.canonical",
    Self::Envelope(_) => "signing.envelope",
    Self::Signature(_) => "signing.signature",
    Self::Key { .. } | Self::NoKeyChosen(_) => "signing.key",
    Self::Io { .. } => "signing.io",
} delegate {
    Self::Secret(e) => e.code(),
});

/// The RFC 8785 (JCS) form of `value`: keys sorted by UTF-16 code units, no insignificant
/// whitespace, numbers and strings as ECMAScript writes them. One byte string per document.
pub fn canonical_json<T: Serialize>(value: &T, what: &str) -> Result<Vec<u8>, SigningError> {
    serde_json_canonicalizer::to_vec(value)
        .map_err(|e| SigningError::Canonical { what: what.to_string(), message: e.to_string() })
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The raw sha256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// DSSE's pre-authentication encoding: what is actually signed. The payload type is part of it,
/// so a signature over one type never verifies as another.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + payload_type.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// A DSSE envelope: base64 payload, its type, and signatures over PAE(type, payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Envelope {
    pub payload: String,
    pub payload_type: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeSignature {
    /// The signer's key fingerprint ([`PublicKey::fingerprint`]).
    pub keyid: String,
    /// Base64 of the 64-byte Ed25519 signature.
    pub sig: String,
}

/// What a verified envelope says: the payload's bytes and who signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub payload: Vec<u8>,
    pub payload_type: String,
    pub keyid: String,
}

impl Envelope {
    /// The decoded payload, unverified.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, SigningError> {
        B64.decode(self.payload.as_bytes()).map_err(|e| SigningError::Envelope(format!("payload is not base64: {e}")))
    }

    /// Checks the envelope's shape without verifying anything: 1 to [`MAX_SIGNATURES`]
    /// signatures, at most one per key id, each key id and signature of a sane length. Cheap;
    /// [`Envelope::verify`] starts with it.
    pub fn check_shape(&self) -> Result<(), SigningError> {
        if self.signatures.is_empty() {
            return Err(SigningError::Signature("the envelope is not signed".into()));
        }
        if self.signatures.len() > MAX_SIGNATURES {
            return Err(SigningError::Envelope(format!(
                "{} signatures: an envelope carries at most {MAX_SIGNATURES}",
                self.signatures.len()
            )));
        }
        for (i, s) in self.signatures.iter().enumerate() {
            if s.keyid.len() > 100 || s.sig.len() > 200 {
                return Err(SigningError::Envelope(format!("signature {}: key id or signature too long", i + 1)));
            }
            if self.signatures[..i].iter().any(|o| o.keyid == s.keyid) {
                return Err(SigningError::Envelope(format!(
                    "key {} signed twice: at most one signature per key",
                    s.keyid.escape_debug()
                )));
            }
        }
        Ok(())
    }

    /// Verifies the envelope: its type must be `payload_type`, and one signature must verify
    /// strictly under a key of `trusted`. Returns the payload and the key that signed it.
    pub fn verify(&self, payload_type: &str, trusted: &[PublicKey]) -> Result<Verified, SigningError> {
        self.check_shape()?;
        if self.payload_type != payload_type {
            return Err(SigningError::Envelope(format!(
                "payload type is `{}`, expected `{payload_type}`",
                self.payload_type.escape_debug()
            )));
        }
        let payload = self.payload_bytes()?;
        let message = pae(&self.payload_type, &payload);
        let mut known = false;
        for s in &self.signatures {
            let Some(key) = trusted.iter().find(|k| k.fingerprint() == s.keyid) else { continue };
            known = true;
            let bytes = B64.decode(s.sig.as_bytes()).map_err(|_| SigningError::Signature("not base64".into()))?;
            let bytes: [u8; 64] =
                bytes.try_into().map_err(|_| SigningError::Signature("an Ed25519 signature has 64 bytes".into()))?;
            if key.0.verify_strict(&message, &Signature::from_bytes(&bytes)).is_ok() {
                return Ok(Verified { payload, payload_type: self.payload_type.clone(), keyid: s.keyid.clone() });
            }
        }
        if known {
            Err(SigningError::Signature(
                "the signature does not verify: the payload or its type changed after signing".into(),
            ))
        } else {
            let ids: Vec<&str> = self.signatures.iter().map(|s| s.keyid.as_str()).collect();
            Err(SigningError::Signature(format!("signed by {}, which is not a trusted key here", ids.join(", "))))
        }
    }

    /// The key ids that signed the envelope (unverified).
    pub fn keyids(&self) -> Vec<&str> {
        self.signatures.iter().map(|s| s.keyid.as_str()).collect()
    }
}

/// An Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// `SHA256:<unpadded base64 of sha256(key)>`, as SSH shows fingerprints.
    pub fn fingerprint(&self) -> String {
        let d = Sha256::digest(self.0.as_bytes());
        format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(d))
    }

    /// `ed25519:<base64>`: the form Steward exports, prints and reads.
    pub fn to_text(&self) -> String {
        format!("ed25519:{}", B64.encode(self.0.as_bytes()))
    }

    /// Whether `signature` is this key's over `message` (strict Ed25519: no malleable signatures).
    pub fn verify_message(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else { return false };
        self.0.verify_strict(message, &Signature::from_bytes(&bytes)).is_ok()
    }

    /// The raw 32 bytes of the key.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<PublicKey, SigningError> {
        PublicKey::from_text(&format!("ed25519:{}", B64.encode(bytes)))
    }

    /// Reads [`PublicKey::to_text`]'s form.
    pub fn from_text(text: &str) -> Result<PublicKey, SigningError> {
        let bad = |m: &str| SigningError::Key { name: "public key".into(), message: m.into() };
        let b64 = text.trim().strip_prefix("ed25519:").ok_or_else(|| bad("expected `ed25519:<base64>`"))?;
        let bytes = B64.decode(b64).map_err(|_| bad("not base64"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad("an Ed25519 public key has 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not a point on the curve"))?;
        if key.is_weak() {
            return Err(bad("a weak key (small order) is refused"));
        }
        Ok(PublicKey(key))
    }
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PublicKey::from_text(&s).map_err(serde::de::Error::custom)
    }
}

/// A steward's signing key. The secret half lives in the OS keychain; this value holds it in
/// memory only while signing. Its `Debug` never shows the secret.
pub struct KeyPair {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").field("name", &self.name).field("public", &self.public().to_text()).finish()
    }
}

/// The keychain entry holding signing key `name`.
pub fn keychain_entry(name: &str) -> String {
    format!("signing/{name}")
}

fn check_key_name(name: &str) -> Result<(), SigningError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(SigningError::Key {
            name: name.escape_debug().to_string(),
            message: "a key name has 1-64 characters of a-z, 0-9, `.`, `_`, `-` or `@`".into(),
        })
    }
}

impl KeyPair {
    /// A new random key (not stored).
    pub fn generate(name: &str) -> Result<KeyPair, SigningError> {
        check_key_name(name)?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)
            .map_err(|e| SigningError::Key { name: name.into(), message: format!("no randomness: {e}") })?;
        Ok(KeyPair { name: name.to_string(), key: SigningKey::from_bytes(&secret) })
    }

    /// A key from a fixed seed, for tests and reproducible fixtures only.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> KeyPair {
        KeyPair { name: name.to_string(), key: SigningKey::from_bytes(&seed) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    /// Signs `payload` as `payload_type` into a DSSE envelope.
    pub fn sign(&self, payload_type: &str, payload: &[u8]) -> Envelope {
        let sig = self.key.sign(&pae(payload_type, payload));
        Envelope {
            payload: B64.encode(payload),
            payload_type: payload_type.to_string(),
            signatures: vec![EnvelopeSignature { keyid: self.public().fingerprint(), sig: B64.encode(sig.to_bytes()) }],
        }
    }

    /// Signs a message that is not a DSSE envelope: an HTTP request's signature base (RFC 9421),
    /// which starts with a quoted component name and so can never read as DSSE's `DSSEv1 `.
    pub fn sign_message(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// Stores the secret in `secrets` under [`keychain_entry`].
    pub fn store(&self, secrets: &dyn SecretStore) -> Result<(), SigningError> {
        secrets.set(&keychain_entry(&self.name), &B64.encode(self.key.to_bytes()))?;
        Ok(())
    }

    /// The key `name` from `secrets`.
    pub fn load(name: &str, secrets: &dyn SecretStore) -> Result<KeyPair, SigningError> {
        check_key_name(name)?;
        let text = secrets.get(&keychain_entry(name))?;
        let bytes = B64.decode(text.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| {
            SigningError::Key {
                name: name.into(),
                message: format!("keychain entry `{}` does not hold a signing key", keychain_entry(name)),
            }
        })?;
        Ok(KeyPair { name: name.to_string(), key: SigningKey::from_bytes(&bytes) })
    }
}

/// Steward's configuration folder: `$STEWARD_CONFIG_DIR`, else `$XDG_CONFIG_HOME/steward`, else
/// `~/.config/steward`. It holds public keys and what a consumer has seen of registries; never a
/// secret.
pub fn config_dir() -> PathBuf {
    std::env::var_os("STEWARD_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CONFIG_HOME").map(|x| PathBuf::from(x).join("steward")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/steward")))
        .unwrap_or_else(|| PathBuf::from(".steward-config"))
}

/// Where Steward keeps the public halves of the user's signing keys (the secrets stay in the
/// keychain, which cannot be listed): one `<name>.pub` file each.
#[derive(Debug, Clone)]
pub struct KeyRing {
    dir: PathBuf,
}

/// A signing key as `steward keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
}

impl KeyRing {
    /// `<config_dir>/keys`.
    pub fn default_location() -> KeyRing {
        KeyRing { dir: config_dir().join("keys") }
    }

    pub fn at(dir: &Path) -> KeyRing {
        KeyRing { dir: dir.to_path_buf() }
    }

    fn io(&self, path: &Path, e: impl std::fmt::Display) -> SigningError {
        SigningError::Io { path: path.to_path_buf(), message: e.to_string() }
    }

    /// Generates key `name`: the secret into `secrets`, the public key into this ring. Refuses
    /// to replace an existing key.
    pub fn generate(&self, name: &str, secrets: &dyn SecretStore) -> Result<KeyInfo, SigningError> {
        check_key_name(name)?;
        let path = self.dir.join(format!("{name}.pub"));
        if path.exists() || secrets.get(&keychain_entry(name)).is_ok() {
            return Err(SigningError::Key {
                name: name.into(),
                message: "exists already; a signing key is never replaced (generate one under a new name)".into(),
            });
        }
        let pair = KeyPair::generate(name)?;
        pair.store(secrets)?;
        self.write_public(name, &pair.public())?;
        tracing::info!(key = name, fingerprint = %pair.public().fingerprint(), "generated a signing key");
        Ok(info(name, &pair.public()))
    }

    /// Key `name`, generated on first use (the demo steward's key, the app's default key, the
    /// registry's own key). A new key is made only when the keychain says its secret is absent
    /// (not found): a locked or unavailable keychain, or any other error, is returned as is, and
    /// nothing is ever deleted. A missing public file is written again from the secret.
    pub fn ensure(&self, name: &str, secrets: &dyn SecretStore) -> Result<KeyInfo, SigningError> {
        check_key_name(name)?;
        match KeyPair::load(name, secrets) {
            Ok(pair) => {
                let path = self.dir.join(format!("{name}.pub"));
                match std::fs::read_to_string(&path) {
                    Ok(_) => {
                        let k = self.get(name)?;
                        if k.public_key != pair.public().to_text() {
                            return Err(SigningError::Key {
                                name: name.into(),
                                message: format!("the keychain secret does not match {}", path.display()),
                            });
                        }
                        Ok(k)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        self.write_public(name, &pair.public())?;
                        Ok(info(name, &pair.public()))
                    }
                    Err(e) => Err(self.io(&path, e)),
                }
            }
            Err(SigningError::Secret(SecretError::NotFound { .. })) => {
                if self.dir.join(format!("{name}.pub")).exists() {
                    tracing::warn!(key = name, "the keychain has no secret for this key: making a new one");
                }
                let pair = KeyPair::generate(name)?;
                pair.store(secrets)?;
                self.write_public(name, &pair.public())?;
                tracing::info!(key = name, fingerprint = %pair.public().fingerprint(), "generated a signing key");
                Ok(info(name, &pair.public()))
            }
            Err(e) => Err(e),
        }
    }

    fn write_public(&self, name: &str, key: &PublicKey) -> Result<(), SigningError> {
        let path = self.dir.join(format!("{name}.pub"));
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(&self.dir, e))?;
        let tmp = path.with_extension("pub.tmp");
        std::fs::write(&tmp, format!("{}\n", key.to_text())).map_err(|e| self.io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| self.io(&path, e))
    }

    /// The public key `name`.
    pub fn get(&self, name: &str) -> Result<KeyInfo, SigningError> {
        check_key_name(name)?;
        let path = self.dir.join(format!("{name}.pub"));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                SigningError::Key {
                    name: name.into(),
                    message: "no such key; `steward keys generate` makes one".into(),
                }
            } else {
                self.io(&path, e)
            }
        })?;
        Ok(info(name, &PublicKey::from_text(&text).map_err(|e| self.io(&path, e))?))
    }

    /// The signing key to use: `name` if given, else `$STEWARD_KEY`, else the only key of the
    /// ring. Several keys and no choice is an error naming them.
    pub fn choose(&self, name: Option<&str>) -> Result<KeyInfo, SigningError> {
        let wanted = name.map(String::from).or_else(|| std::env::var("STEWARD_KEY").ok().filter(|k| !k.is_empty()));
        if let Some(n) = wanted {
            return self.get(&n);
        }
        let keys = self.list()?;
        match keys.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(SigningError::NoKeyChosen(
                "no signing key on this machine: generate one (`steward keys generate NAME`)".into(),
            )),
            many => Err(SigningError::NoKeyChosen(format!(
                "several signing keys ({}): choose one",
                many.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// Every key of the ring, by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>, SigningError> {
        let mut out = vec![];
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(self.io(&self.dir, e)),
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".pub") {
                out.push(self.get(stem)?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

fn info(name: &str, key: &PublicKey) -> KeyInfo {
    KeyInfo { name: name.to_string(), public_key: key.to_text(), fingerprint: key.fingerprint() }
}

#[cfg(test)]
mod tests;
