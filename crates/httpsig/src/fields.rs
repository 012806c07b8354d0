//! The `Signature-Input` and `Signature` fields: dictionaries (RFC 8941) of an inner list of
//! component names with parameters, and of byte sequences. Only what RFC 9421 puts there is
//! read; anything else is refused as malformed, never guessed at.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use crate::SignatureError;

/// Longest field value read: a signature covers a handful of components.
const MAX_FIELD: usize = 4096;

/// A signature's covered components and parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pub components: Vec<String>,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub nonce: Option<String>,
    pub keyid: Option<String>,
    pub alg: Option<String>,
    pub tag: Option<String>,
    /// The text received, which the signature base repeats byte for byte.
    pub(crate) raw: Option<String>,
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Params {
    /// The `@signature-params` value: as received, or built in RFC 9421's usual order.
    pub fn serialize(&self) -> String {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let list: Vec<String> = self.components.iter().map(|c| quoted(c)).collect();
        let mut out = format!("({})", list.join(" "));
        if let Some(c) = self.created {
            out.push_str(&format!(";created={c}"));
        }
        if let Some(e) = self.expires {
            out.push_str(&format!(";expires={e}"));
        }
        for (name, v) in [("nonce", &self.nonce), ("keyid", &self.keyid), ("alg", &self.alg), ("tag", &self.tag)] {
            if let Some(v) = v {
                out.push_str(&format!(";{name}={}", quoted(v)));
            }
        }
        out
    }
}

fn bad(m: impl Into<String>) -> SignatureError {
    SignatureError::Malformed(m.into())
}

/// Splits a dictionary into `(label, value)` members at top-level commas.
fn members(field: &str) -> Result<Vec<(String, String)>, SignatureError> {
    if field.len() > MAX_FIELD {
        return Err(bad(format!("a field of {} bytes (at most {MAX_FIELD})", field.len())));
    }
    let (mut out, mut start, mut in_string, mut escaped, mut depth) = (vec![], 0, false, false, 0i32);
    let bytes = field.as_bytes();
    let push = |part: &str, out: &mut Vec<(String, String)>| -> Result<(), SignatureError> {
        let part = part.trim();
        let (label, value) = part.split_once('=').ok_or_else(|| bad(format!("`{part}` is not `label=value`")))?;
        if label.is_empty()
            || !label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.*".contains(&b))
        {
            return Err(bad(format!("`{label}` is not a label")));
        }
        out.push((label.to_string(), value.to_string()));
        Ok(())
    };
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 => {
                push(&field[start..i], &mut out)?;
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_string || depth != 0 {
        return Err(bad("an unterminated string or list"));
    }
    push(&field[start..], &mut out)?;
    Ok(out)
}

/// Reads an sf-string at the start of `s`; returns it and the rest.
fn sf_string(s: &str) -> Result<(String, &str), SignatureError> {
    let s = s.strip_prefix('"').ok_or_else(|| bad("expected a quoted string"))?;
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                _ => return Err(bad("a bad escape in a string")),
            },
            '"' => return Ok((out, &s[i + 1..])),
            c if (' '..='~').contains(&c) => out.push(c),
            _ => return Err(bad("a string holds a character outside printable ASCII")),
        }
    }
    Err(bad("an unterminated string"))
}

/// Reads one member of `Signature-Input`: `(components…);params`.
fn inner_list(value: &str) -> Result<Params, SignatureError> {
    let mut p = Params { raw: Some(value.to_string()), ..Params::default() };
    let mut rest = value.strip_prefix('(').ok_or_else(|| bad("a signature's components are a list in `(…)`"))?;
    loop {
        rest = rest.trim_start_matches(' ');
        if let Some(r) = rest.strip_prefix(')') {
            rest = r;
            break;
        }
        let (name, r) = sf_string(rest)?;
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"@-_.".contains(&b)) {
            return Err(bad(format!("`{name}` is not a component name")));
        }
        if p.components.contains(&name) {
            return Err(bad(format!("`{name}` is covered twice")));
        }
        p.components.push(name);
        rest = r;
    }
    while let Some(r) = rest.strip_prefix(';') {
        let (name, v) = r.split_once('=').ok_or_else(|| bad("a parameter without a value"))?;
        let (int, text, after) = if v.starts_with('"') {
            let (s, after) = sf_string(v)?;
            (None, Some(s), after)
        } else {
            let end = v.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(v.len());
            let n: i64 =
                v[..end].parse().map_err(|_| bad(format!("parameter `{name}` is not a number or a string")))?;
            (Some(n), None, &v[end..])
        };
        let slot_int = |slot: &mut Option<i64>| -> Result<(), SignatureError> {
            if slot.is_some() {
                return Err(bad(format!("parameter `{name}` given twice")));
            }
            *slot = Some(int.ok_or_else(|| bad(format!("parameter `{name}` must be a number")))?);
            Ok(())
        };
        let slot_text = |slot: &mut Option<String>| -> Result<(), SignatureError> {
            if slot.is_some() {
                return Err(bad(format!("parameter `{name}` given twice")));
            }
            *slot = Some(text.clone().ok_or_else(|| bad(format!("parameter `{name}` must be a string")))?);
            Ok(())
        };
        match name {
            "created" => slot_int(&mut p.created)?,
            "expires" => slot_int(&mut p.expires)?,
            "nonce" => slot_text(&mut p.nonce)?,
            "keyid" => slot_text(&mut p.keyid)?,
            "alg" => slot_text(&mut p.alg)?,
            "tag" => slot_text(&mut p.tag)?,
            other => return Err(bad(format!("unknown parameter `{other}`"))),
        }
        rest = after;
    }
    if !rest.is_empty() {
        return Err(bad(format!("unexpected `{rest}` after the parameters")));
    }
    Ok(p)
}

/// The signature inputs of a `Signature-Input` field, by label.
pub fn parse_signature_input(field: &str) -> Result<Vec<(String, Params)>, SignatureError> {
    members(field)?.into_iter().map(|(l, v)| Ok((l, inner_list(&v)?))).collect()
}

/// The signatures of a `Signature` field, by label.
pub fn parse_signature(field: &str) -> Result<Vec<(String, Vec<u8>)>, SignatureError> {
    members(field)?
        .into_iter()
        .map(|(l, v)| {
            let b64 = v
                .strip_prefix(':')
                .and_then(|v| v.strip_suffix(':'))
                .ok_or_else(|| bad("a signature is `:base64:`"))?;
            let bytes = B64.decode(b64).map_err(|_| bad("a signature that is not base64"))?;
            Ok((l, bytes))
        })
        .collect()
}
