//! # steward-httpsig
//!
//! Owns HTTP Message Signatures (RFC 9421) as Steward's consumers and data nodes use them: a
//! consumer signs each request with its Ed25519 key over the method, path, query, a creation
//! time and a nonce ([`sign_request`]); the node rebuilds the signature base from the request it
//! received and verifies it ([`Verifier`]): the key must be one it knows, the signature fresh
//! (within [`Verifier::window`] of its clock) and never seen before (a bounded replay cache).
//!
//! It builds signature bases ([`signature_base`]) for the derived components `@method`,
//! `@authority`, `@path`, `@query` and for header fields, and reads and writes the
//! `Signature-Input` and `Signature` fields (the subset of RFC 8941 structured fields they use).
//! It must not do I/O or depend on an HTTP library: a request is described by [`Request`].

mod fields;
mod verify;

pub use fields::{parse_signature, parse_signature_input, Params};
pub use verify::{Verified, Verifier};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use steward_error::ErrorCode;
use steward_signing::KeyPair;

/// The label Steward signs under (`Signature-Input: steward=(…)`).
pub const LABEL: &str = "steward";

/// What every Steward request signature covers, in this order.
pub const COVERED: [&str; 3] = ["@method", "@path", "@query"];

/// A request as the signature sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `GET`, `POST`… (compared as given: methods are case-sensitive).
    pub method: &'a str,
    /// `host[:port]`, lowercase.
    pub authority: &'a str,
    /// The absolute path, as sent (percent-encoding kept).
    pub path: &'a str,
    /// The query without its `?`; `None` or empty when there is none.
    pub query: Option<&'a str>,
    /// Header fields as received (names in any case; repeated names allowed).
    pub headers: &'a [(&'a str, &'a str)],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the request is not signed: it needs `Signature-Input` and `Signature` fields labelled `{LABEL}`")]
    Missing,
    #[error("the request's signature fields cannot be read: {0}")]
    Malformed(String),
    #[error("the signature must cover {0}")]
    Coverage(String),
    #[error("the request was signed by a key this node does not know (`{0}`)")]
    UnknownKey(String),
    #[error("the signature does not match the request")]
    Invalid,
    #[error("the signature is stale: created {age} s from this node's clock, more than {window} s")]
    Stale { age: i64, window: i64 },
    #[error("the signature was used before: a replayed request is refused")]
    Replayed,
    #[error("the node is refusing signatures for a moment: too many in flight to remember")]
    Busy,
}

impl ErrorCode for SignatureError {
    fn code(&self) -> &'static str {
        match self {
            SignatureError::Missing => "signature.missing",
            SignatureError::Malformed(_) => "signature.malformed",
            SignatureError::Coverage(_) => "signature.coverage",
            SignatureError::UnknownKey(_) => "signature.unknown_key",
            SignatureError::Invalid => "signature.invalid",
            SignatureError::Stale { .. } => "signature.stale",
            SignatureError::Replayed => "signature.replayed",
            SignatureError::Busy => "signature.busy",
        }
    }
}

/// The value of one covered component, or why the request has none.
fn component(req: &Request<'_>, name: &str) -> Result<String, SignatureError> {
    Ok(match name {
        "@method" => req.method.to_string(),
        "@authority" => req.authority.to_ascii_lowercase(),
        "@path" => {
            if req.path.is_empty() {
                "/".to_string()
            } else {
                req.path.to_string()
            }
        }
        "@query" => format!("?{}", req.query.unwrap_or("")),
        n if n.starts_with('@') => return Err(SignatureError::Malformed(format!("component `{n}` is not supported"))),
        header => {
            let values: Vec<&str> =
                req.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(header)).map(|(_, v)| v.trim()).collect();
            if values.is_empty() {
                return Err(SignatureError::Malformed(format!("the request has no `{header}` field to cover")));
            }
            values.join(", ")
        }
    })
}

/// The signature base (RFC 9421 §2.5): one line per covered component, then the parameters.
pub fn signature_base(req: &Request<'_>, params: &Params) -> Result<String, SignatureError> {
    let mut out = String::new();
    for c in &params.components {
        out.push_str(&format!("\"{c}\": {}\n", component(req, c)?));
    }
    out.push_str(&format!("\"@signature-params\": {}", params.serialize()));
    Ok(out)
}

/// A random nonce: 16 bytes, base64.
pub fn nonce() -> String {
    let mut b = [0u8; 16];
    // No randomness is no signature worth sending; getrandom fails only on a broken system.
    if getrandom::fill(&mut b).is_err() {
        b = [0; 16];
    }
    B64.encode(b)
}

/// Signs `req` with `key` as Steward does: [`COVERED`], `created` (Unix seconds), a fresh nonce,
/// `keyid` (the key's fingerprint) and `alg="ed25519"`. Returns the `Signature-Input` and
/// `Signature` field values.
pub fn sign_request(req: &Request<'_>, key: &KeyPair, created: i64) -> Result<(String, String), SignatureError> {
    let params = Params {
        components: COVERED.iter().map(|c| c.to_string()).collect(),
        created: Some(created),
        nonce: Some(nonce()),
        keyid: Some(key.public().fingerprint()),
        alg: Some("ed25519".into()),
        ..Params::default()
    };
    sign_with(req, key, &params)
}

/// Signs `req` with `key` under exactly `params`.
pub fn sign_with(req: &Request<'_>, key: &KeyPair, params: &Params) -> Result<(String, String), SignatureError> {
    let base = signature_base(req, params)?;
    let sig = key.sign_message(base.as_bytes());
    Ok((format!("{LABEL}={}", params.serialize()), format!("{LABEL}=:{}:", B64.encode(sig))))
}

#[cfg(test)]
mod tests;
