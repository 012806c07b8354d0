use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use steward_signing::{KeyPair, PublicKey};

use super::*;

/// RFC 9421 B.1.4's `test-key-ed25519` (PKCS#8 and SPKI: the key is the last 32 bytes).
fn rfc_key() -> (KeyPair, PublicKey) {
    let der = B64.decode("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF").unwrap();
    let seed: [u8; 32] = der[der.len() - 32..].try_into().unwrap();
    let spki = B64.decode("MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=").unwrap();
    let public = PublicKey::from_bytes(spki[spki.len() - 32..].try_into().unwrap()).unwrap();
    (KeyPair::from_seed("test-key-ed25519", seed), public)
}

const RFC_HEADERS: [(&str, &str); 3] =
    [("Date", "Tue, 20 Apr 2021 02:07:55 GMT"), ("Content-Type", "application/json"), ("Content-Length", "18")];

/// RFC 9421 B.2.6: the signature base and the signature, byte for byte.
#[test]
fn reproduces_the_rfc_ed25519_example() {
    let (key, public) = rfc_key();
    assert_eq!(key.public(), public, "the test key's halves belong together");
    let req = Request {
        method: "POST",
        authority: "example.com",
        path: "/foo",
        query: Some("param=Value&Pet=dog"),
        headers: &RFC_HEADERS,
    };
    let input = r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#;
    let (label, params) = parse_signature_input(input).unwrap().remove(0);
    assert_eq!(label, "sig-b26");
    assert_eq!(params.created, Some(1618884473));
    assert_eq!(params.keyid.as_deref(), Some("test-key-ed25519"));
    let base = signature_base(&req, &params).unwrap();
    assert_eq!(
        base,
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\
         \"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \
         \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
    );
    let expected = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==";
    assert_eq!(B64.encode(key.sign_message(base.as_bytes())), expected);
    let (_, sig) = parse_signature(&format!("sig-b26=:{expected}:")).unwrap().remove(0);
    assert!(public.verify_message(base.as_bytes(), &sig));
    // Built rather than parsed, the parameters serialise the same way.
    let built = Params {
        components: ["date", "@method", "@path", "@authority", "content-type", "content-length"]
            .map(String::from)
            .to_vec(),
        created: Some(1618884473),
        keyid: Some("test-key-ed25519".into()),
        ..Params::default()
    };
    assert_eq!(signature_base(&req, &built).unwrap(), base);
}

struct Signed {
    headers: Vec<(String, String)>,
}

fn signed(key: &KeyPair, method: &str, path: &str, query: Option<&str>, created: i64) -> Signed {
    let req = Request { method, authority: "node.example:8443", path, query, headers: &[] };
    let (input, sig) = sign_request(&req, key, created).unwrap();
    Signed { headers: vec![("Signature-Input".into(), input), ("Signature".into(), sig)] }
}

fn check(
    v: &Verifier,
    s: &Signed,
    method: &str,
    path: &str,
    query: Option<&str>,
    now: i64,
    known: &[PublicKey],
) -> Result<Verified, SignatureError> {
    let headers: Vec<(&str, &str)> = s.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let req = Request { method, authority: "node.example:8443", path, query, headers: &headers };
    v.verify(&req, now, |id| known.iter().copied().find(|k| k.fingerprint() == id))
}

#[test]
fn a_signed_request_verifies_once_and_only_as_sent() {
    let alice = KeyPair::from_seed("alice", [7; 32]);
    let known = [alice.public()];
    let v = Verifier::new(60, 1000);
    let s = signed(&alice, "GET", "/v1/products/customer360/entities/42", Some("profile=analytics"), 1_000);
    let ok =
        check(&v, &s, "GET", "/v1/products/customer360/entities/42", Some("profile=analytics"), 1_010, &known).unwrap();
    assert_eq!(ok.keyid, alice.public().fingerprint());
    assert_eq!(ok.created, 1_000);
    // The same request again: a replay.
    let again = check(&v, &s, "GET", "/v1/products/customer360/entities/42", Some("profile=analytics"), 1_011, &known);
    assert_eq!(again, Err(SignatureError::Replayed));

    // Each covered part is bound: another entity, another query, another method.
    let v = Verifier::new(60, 1000);
    for (method, path, query) in [
        ("GET", "/v1/products/customer360/entities/43", Some("profile=analytics")),
        ("GET", "/v1/products/customer360/entities/42", Some("profile=support")),
        ("GET", "/v1/products/customer360/entities/42", None),
        ("POST", "/v1/products/customer360/entities/42", Some("profile=analytics")),
    ] {
        assert_eq!(
            check(&v, &s, method, path, query, 1_010, &known),
            Err(SignatureError::Invalid),
            "{method} {path} {query:?}"
        );
    }
}

#[test]
fn stale_future_unknown_and_unsigned_requests_are_refused() {
    let alice = KeyPair::from_seed("alice", [7; 32]);
    let mallory = KeyPair::from_seed("mallory", [9; 32]);
    let known = [alice.public()];
    let v = Verifier::new(60, 1000);
    let s = signed(&alice, "GET", "/x", None, 1_000);
    assert!(matches!(
        check(&v, &s, "GET", "/x", None, 1_061, &known),
        Err(SignatureError::Stale { age: 61, window: 60 })
    ));
    assert!(matches!(check(&v, &s, "GET", "/x", None, 939, &known), Err(SignatureError::Stale { age: -61, .. })));
    let m = signed(&mallory, "GET", "/x", None, 1_000);
    assert!(matches!(check(&v, &m, "GET", "/x", None, 1_000, &known), Err(SignatureError::UnknownKey(_))));
    // Mallory's signature under Alice's keyid does not verify.
    let mut forged = m;
    let alice_input = &s.headers[0].1;
    forged.headers[0].1 = alice_input.clone();
    assert_eq!(check(&v, &forged, "GET", "/x", None, 1_000, &known), Err(SignatureError::Invalid));
    let none = Signed { headers: vec![] };
    assert_eq!(check(&v, &none, "GET", "/x", None, 1_000, &known), Err(SignatureError::Missing));
    // The stale and forged attempts were not remembered: the genuine request still goes through.
    assert!(check(&v, &s, "GET", "/x", None, 1_000, &known).is_ok());
}

#[test]
fn a_signature_must_cover_what_steward_requires() {
    let alice = KeyPair::from_seed("alice", [7; 32]);
    let req = Request { method: "GET", authority: "n", path: "/x", query: Some("a=1"), headers: &[] };
    let params = Params {
        components: vec!["@method".into(), "@path".into()],
        created: Some(1_000),
        nonce: Some("n1".into()),
        keyid: Some(alice.public().fingerprint()),
        ..Params::default()
    };
    let (input, sig) = sign_with(&req, &alice, &params).unwrap();
    let headers = [("signature-input", input.as_str()), ("signature", sig.as_str())];
    let req = Request { headers: &headers, ..req };
    let v = Verifier::new(60, 10);
    let got = v.verify(&req, 1_000, |_| Some(alice.public()));
    assert_eq!(got, Err(SignatureError::Coverage("@query".into())), "an unsigned query could be changed");
    let no_nonce = Params { components: COVERED.map(String::from).to_vec(), nonce: None, ..params };
    let (input, sig) = sign_with(&req, &alice, &no_nonce).unwrap();
    let headers = [("signature-input", input.as_str()), ("signature", sig.as_str())];
    let got = v.verify(&Request { headers: &headers, ..req }, 1_000, |_| Some(alice.public()));
    assert!(matches!(got, Err(SignatureError::Coverage(_))), "{got:?}");
}

#[test]
fn malformed_fields_are_refused_with_a_reason() {
    for bad in [
        "steward=(\"@method\"",
        "steward=(\"@method\");created=abc",
        "steward=(\"@method\");created=1;created=2",
        "steward=(\"@method\");color=\"red\"",
        "steward=(\"@method\" \"@method\")",
        "steward=(\"@Method\")",
        "steward",
        "Steward=(\"@method\")",
        "steward=(\"@method\");keyid=\"a\\qb\"",
    ] {
        assert!(matches!(parse_signature_input(bad), Err(SignatureError::Malformed(_))), "{bad}");
    }
    assert!(parse_signature_input(&format!("steward=(\"{}\")", "a".repeat(5000))).is_err());
    assert!(matches!(parse_signature("steward=abc"), Err(SignatureError::Malformed(_))));
    assert!(matches!(parse_signature("steward=:***:"), Err(SignatureError::Malformed(_))));
    // Two labels, one of them Steward's.
    let two = parse_signature_input(
        r#"other=("@path");created=1, steward=("@method" "@path" "@query");created=5;nonce="n";keyid="k""#,
    )
    .unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!(two[1].1.nonce.as_deref(), Some("n"));
}

#[test]
fn nonces_are_forgotten_after_the_window_and_memory_is_bounded() {
    let alice = KeyPair::from_seed("alice", [7; 32]);
    let known = [alice.public()];
    let v = Verifier::new(60, 2);
    let a = signed(&alice, "GET", "/a", None, 1_000);
    let b = signed(&alice, "GET", "/b", None, 1_001);
    let c = signed(&alice, "GET", "/c", None, 1_002);
    assert!(check(&v, &a, "GET", "/a", None, 1_002, &known).is_ok());
    assert!(check(&v, &b, "GET", "/b", None, 1_002, &known).is_ok());
    assert_eq!(
        check(&v, &c, "GET", "/c", None, 1_002, &known),
        Err(SignatureError::Busy),
        "full: refused, not forgotten"
    );
    // Later, a is stale, so its nonce can no longer be replayed and is forgotten: room for d.
    let d = signed(&alice, "GET", "/d", None, 1_061);
    assert!(check(&v, &d, "GET", "/d", None, 1_061, &known).is_ok());
    assert!(matches!(check(&v, &a, "GET", "/a", None, 1_061, &known), Err(SignatureError::Stale { .. })));
    assert_eq!(
        check(&v, &b, "GET", "/b", None, 1_061, &known),
        Err(SignatureError::Replayed),
        "b is still within the window"
    );
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(SignatureError::Replayed.code(), "signature.replayed");
    assert_eq!(SignatureError::Stale { age: 1, window: 1 }.code(), "signature.stale");
    assert_eq!(SignatureError::Invalid.code(), "signature.invalid");
}
