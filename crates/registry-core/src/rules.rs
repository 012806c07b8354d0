//! Checks of what a request carries, made before anything else: versions, serials, and text
//! (no control characters anywhere, so nothing stored can drive a terminal).

use crate::types::MAX_SERIAL;
use crate::RegistryError;

/// A semantic version without build metadata: `1.1.0+rebuild` has the precedence of `1.1.0`
/// (SemVer 2.0.0 §10), so it can never be a new version and is refused.
pub fn check_version(s: &str) -> Result<semver::Version, RegistryError> {
    let shown = || s.chars().take(40).collect::<String>().escape_debug().to_string();
    let v = semver::Version::parse(s)
        .map_err(|_| RegistryError::Invalid(format!("version `{}` is not a semantic version (1.2.0)", shown())))?;
    if !v.build.is_empty() {
        return Err(RegistryError::Invalid(format!(
            "version `{}` has build metadata (`+{}`), which never makes a new version: publish {} with a greater version instead",
            shown(),
            v.build.as_str().escape_debug(),
            semver::Version { build: semver::BuildMetadata::EMPTY, ..v.clone() }
        )));
    }
    Ok(v)
}

/// A trust policy serial: 1 to 2^53 − 1.
pub fn check_serial(serial: u64) -> Result<(), RegistryError> {
    if serial == 0 || serial > MAX_SERIAL {
        return Err(RegistryError::Invalid(format!("serial {serial}: a trust policy serial is 1 to {MAX_SERIAL}")));
    }
    Ok(())
}

/// A character that changes how text around it is shown without being seen itself: control
/// characters (C0, DEL, C1: escape sequences), bidirectional overrides, embeddings, isolates and
/// marks (a right-to-left override makes `admin\u{202e}gro.elpmaxe` read as another owner),
/// zero-width spaces, word joiners, byte-order marks and line or paragraph separators. Zero-width
/// (non-)joiners stay allowed: scripts such as Persian and Devanagari need them.
pub fn is_deceptive_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
        )
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2060}'..='\u{2064}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `s` has a deceptive character ([`is_deceptive_char`]); `multiline` lets `\n` and `\t` through.
fn control(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|c| is_deceptive_char(*c) && !(multiline && (*c == '\n' || *c == '\t')))
}

/// Refuses `s` (the field `what`) if it holds a control character, such as the escape that
/// starts an ANSI or OSC sequence.
pub fn check_text(what: &str, s: &str, multiline: bool) -> Result<(), RegistryError> {
    match control(s, multiline) {
        None => Ok(()),
        Some(c) => {
            let kind = if c.is_control() { "control" } else { "invisible or bidirectional" };
            Err(RegistryError::BadRequest(format!("{what}: {kind} character U+{:04X} is not allowed", c as u32)))
        }
    }
}

/// Refuses any string (or object key) of `v` with a control character, naming its path;
/// `description` fields may hold new lines and tabs.
pub fn check_json_text(path: &str, v: &serde_json::Value) -> Result<(), RegistryError> {
    match v {
        serde_json::Value::String(s) => check_text(path, s, path.ends_with("description")),
        serde_json::Value::Array(a) => {
            a.iter().enumerate().try_for_each(|(i, x)| check_json_text(&format!("{path}[{i}]"), x))
        }
        serde_json::Value::Object(o) => o.iter().try_for_each(|(k, x)| {
            let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            check_text(&format!("{p} (key)"), k, false)?;
            check_json_text(&p, x)
        }),
        _ => Ok(()),
    }
}

/// Names of products and domains: ASCII only (no look-alike letters), lowercase, digits, `-`
/// and `_`, starting with a letter, at most 64 characters.
pub fn check_name(what: &str, s: &str) -> Result<(), RegistryError> {
    // The one rule for names, the model's.
    let ok = steward_model::is_name(s);
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "{what} `{}` is not allowed: use 1-64 ASCII lowercase letters, digits, `-` and `_`, starting with a letter",
            s.chars().take(80).collect::<String>().escape_debug()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_versions_and_serials() {
        assert!(check_version("1.2.0").is_ok());
        assert!(check_version("1.2.0-rc.1").is_ok());
        let e = check_version("1.1.0+rebuild").unwrap_err();
        assert!(e.to_string().contains("build metadata"), "{e}");
        assert!(check_serial(MAX_SERIAL).is_ok());
        assert!(check_serial(MAX_SERIAL + 1).is_err());
        assert!(check_serial(0).is_err());
        let v = serde_json::json!({"metadata": {"owner": "x\u{1b}]8;;http://evil\u{7}", "description": "a\nb"}});
        let e = check_json_text("", &v).unwrap_err();
        assert_eq!(e.status(), 400);
        assert!(e.to_string().starts_with("metadata.owner: control character U+001B"), "{e}");
        assert!(check_json_text("", &serde_json::json!({"description": "two\nlines\tok"})).is_ok());
    }
}
