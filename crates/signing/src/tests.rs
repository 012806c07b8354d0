use super::*;
use serde_json::json;
use steward_error::ErrorCode;
use steward_secrets::MemoryStore;

fn pair(n: u8) -> KeyPair {
    KeyPair::from_seed("test", [n; 32])
}

#[test]
fn canonical_json_follows_rfc_8785() {
    // Keys sorted by UTF-16 code units, numbers as ECMAScript prints them, no whitespace.
    let v = json!({"b": [1.0, 1e21, 0.000001, -0.0], "a": "€\u{1}", "\u{20ac}": 1, "A": {"z": null, "y": true}});
    let c = String::from_utf8(canonical_json(&v, "test").unwrap()).unwrap();
    assert_eq!(c, r#"{"A":{"y":true,"z":null},"a":"€\u0001","b":[1,1e+21,0.000001,0],"€":1}"#);
    // Same document, other key order and spacing: same bytes, same digest.
    let again: serde_json::Value =
        serde_json::from_str(r#"{ "€":1, "b":[1,1e21,1e-6,0], "A":{"z":null,"y":true}, "a":"€\u0001" }"#).unwrap();
    assert_eq!(canonical_json(&again, "test").unwrap(), c.as_bytes());
    assert_eq!(digest(c.as_bytes()), digest(&canonical_json(&again, "test").unwrap()));
    assert!(digest(b"").starts_with("sha256:e3b0c44298fc1c149afbf4c8996fb924"));
}

#[test]
fn pae_matches_the_dsse_specification() {
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
}

#[test]
fn envelopes_verify_only_untouched_under_a_trusted_key() {
    let k = pair(1);
    let env = k.sign(PRODUCT_PAYLOAD_TYPE, br#"{"name":"customer360"}"#);
    let v = env.verify(PRODUCT_PAYLOAD_TYPE, &[pair(2).public(), k.public()]).unwrap();
    assert_eq!(v.payload, br#"{"name":"customer360"}"#);
    assert_eq!(v.keyid, k.public().fingerprint());

    // A changed payload.
    let mut t = env.clone();
    t.payload = B64.encode(br#"{"name":"customer361"}"#);
    assert!(t.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).unwrap_err().to_string().contains("does not verify"));
    // The same bytes presented as another type: the type is inside the signature.
    let mut t = env.clone();
    t.payload_type = ACTION_PAYLOAD_TYPE.into();
    assert!(t.verify(ACTION_PAYLOAD_TYPE, &[k.public()]).unwrap_err().to_string().contains("does not verify"));
    assert!(env.verify(ACTION_PAYLOAD_TYPE, &[k.public()]).unwrap_err().to_string().contains("payload type is"));
    // Another key.
    let e = env.verify(PRODUCT_PAYLOAD_TYPE, &[pair(2).public()]).unwrap_err().to_string();
    assert!(e.contains("which is not a trusted key here"), "{e}");
    // A key claiming another's id.
    let mut t = pair(2).sign(PRODUCT_PAYLOAD_TYPE, br#"{"name":"customer360"}"#);
    t.signatures[0].keyid = k.public().fingerprint();
    assert!(t.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).is_err());
    // Unsigned, truncated signature, non-base64 payload.
    let mut t = env.clone();
    t.signatures.clear();
    assert!(t.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).unwrap_err().to_string().contains("not signed"));
    let mut t = env.clone();
    t.signatures[0].sig = B64.encode([0u8; 63]);
    assert!(t.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).unwrap_err().to_string().contains("64 bytes"));
    let mut t = env.clone();
    t.payload = "%%%".into();
    assert!(t.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).is_err());
}

#[test]
fn malleated_signatures_are_refused() {
    // s + L (the group order) is the same signature to a lax verifier; strict verification
    // refuses it.
    let k = pair(3);
    let env = k.sign(PRODUCT_PAYLOAD_TYPE, b"{}");
    let mut sig = B64.decode(&env.signatures[0].sig).unwrap();
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(sig[32 + i]) + u16::from(L[i]) + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
    let mut t = env.clone();
    t.signatures[0].sig = B64.encode(&sig);
    assert!(t.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).is_err());
}

#[test]
fn public_keys_round_trip_and_weak_keys_are_refused() {
    let k = pair(4).public();
    assert_eq!(PublicKey::from_text(&k.to_text()).unwrap(), k);
    assert!(k.fingerprint().starts_with("SHA256:"));
    assert_eq!(k.fingerprint().len(), 7 + 43);
    // The identity point is a small-order (weak) key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let e = PublicKey::from_text(&format!("ed25519:{}", B64.encode(identity))).unwrap_err();
    assert!(e.to_string().contains("weak key"), "{e}");
    assert!(PublicKey::from_text("rsa:abc").is_err());
}

#[test]
fn key_ring_keeps_public_halves_and_the_keychain_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let ring = KeyRing::at(dir.path());
    let secrets = MemoryStore::default();
    let k = ring.generate("ada", &secrets).unwrap();
    let file = std::fs::read_to_string(dir.path().join("ada.pub")).unwrap();
    assert_eq!(file.trim(), k.public_key);
    let secret = secrets.get("signing/ada").unwrap();
    assert!(!file.contains(&secret), "the secret never reaches the key ring");
    assert!(ring.generate("ada", &secrets).unwrap_err().to_string().contains("never replaced"));
    let loaded = KeyPair::load("ada", &secrets).unwrap();
    assert_eq!(loaded.public().to_text(), k.public_key);
    assert!(!format!("{loaded:?}").contains(&secret), "Debug never shows the secret");
    assert_eq!(ring.list().unwrap(), vec![k.clone()]);
    assert_eq!(ring.ensure("ada", &secrets).unwrap(), k);
    assert!(ring.generate("../evil", &secrets).is_err());
    assert!(ring.generate("Ada", &secrets).is_err());
}

/// A keychain that is there but locked: every call fails, never with "not found".
struct Locked;

impl SecretStore for Locked {
    fn set(&self, _: &str, _: &str) -> Result<(), SecretError> {
        Err(SecretError::Unavailable { message: "locked".into() })
    }
    fn get(&self, _: &str) -> Result<String, SecretError> {
        Err(SecretError::Unavailable { message: "locked".into() })
    }
    fn delete(&self, _: &str) -> Result<(), SecretError> {
        panic!("ensure must never delete a key")
    }
}

#[test]
fn ensure_never_destroys_a_key_when_the_keychain_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let ring = KeyRing::at(dir.path());
    let secrets = MemoryStore::default();
    let k = ring.generate("registry-admin", &secrets).unwrap();
    // Locked: the error comes back, the public key stays, nothing is generated or deleted.
    let e = ring.ensure("registry-admin", &Locked).unwrap_err();
    assert_eq!(e.code(), "secret.unavailable", "{e}");
    assert_eq!(std::fs::read_to_string(dir.path().join("registry-admin.pub")).unwrap().trim(), k.public_key);
    // Unlocked again: the same key.
    assert_eq!(ring.ensure("registry-admin", &secrets).unwrap(), k);
    // A lost public file is written again from the secret, not replaced by a new key.
    std::fs::remove_file(dir.path().join("registry-admin.pub")).unwrap();
    assert_eq!(ring.ensure("registry-admin", &secrets).unwrap(), k);
    // Really absent: made on first use.
    let fresh = ring.ensure("fresh", &secrets).unwrap();
    assert_eq!(KeyPair::load("fresh", &secrets).unwrap().public().to_text(), fresh.public_key);
}

#[test]
fn envelopes_with_too_many_or_repeated_signatures_are_refused_before_verifying() {
    let k = pair(1);
    let env = k.sign(PRODUCT_PAYLOAD_TYPE, b"{}");
    let mut many = env.clone();
    for i in 0..MAX_SIGNATURES {
        many.signatures
            .push(EnvelopeSignature { keyid: format!("SHA256:other{i}"), sig: env.signatures[0].sig.clone() });
    }
    let e = many.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).unwrap_err();
    assert_eq!(e.code(), "signing.envelope", "{e}");
    assert!(e.to_string().contains("at most 8"), "{e}");
    // Two signatures under one key id: refused even though the first one verifies.
    let mut twice = env.clone();
    twice.signatures.push(env.signatures[0].clone());
    let e = twice.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).unwrap_err();
    assert!(e.to_string().contains("at most one signature per key"), "{e}");
    // Up to the limit, distinct keys: fine.
    let mut eight = env.clone();
    for i in 1..MAX_SIGNATURES {
        eight
            .signatures
            .push(EnvelopeSignature { keyid: format!("SHA256:other{i}"), sig: env.signatures[0].sig.clone() });
    }
    assert!(eight.verify(PRODUCT_PAYLOAD_TYPE, &[k.public()]).is_ok());
}

#[test]
fn no_chosen_key_is_said_without_a_placeholder_name() {
    if std::env::var_os("STEWARD_KEY").is_some() {
        return; // a key named by the environment is chosen before the ring is looked at
    }
    let dir = tempfile::tempdir().unwrap();
    let ring = KeyRing::at(dir.path());
    let secrets = MemoryStore::default();
    let none = ring.choose(None).unwrap_err();
    assert_eq!(none.to_string(), "no signing key on this machine: generate one (`steward keys generate NAME`)");
    assert_eq!(none.code(), "signing.key");
    ring.generate("ada", &secrets).unwrap();
    ring.generate("bob", &secrets).unwrap();
    let many = ring.choose(None).unwrap_err().to_string();
    assert!(many.starts_with("several signing keys (") && many.ends_with("): choose one"), "{many}");
    assert!(many.contains("ada") && many.contains("bob") && !many.contains('`'), "{many}");
}
