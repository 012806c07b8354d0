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

/// `s` has a control character (C0, DEL, C1); `multiline` lets `\n` and `\t` through.
fn control(s: &str, multiline: bool) -> Option<char> {
    s.chars().find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t')))
}

/// Refuses `s` (the field `what`) if it holds a control character, such as the escape that
/// starts an ANSI or OSC sequence.
pub fn check_text(what: &str, s: &str, multiline: bool) -> Result<(), RegistryError> {
    match control(s, multiline) {
        None => Ok(()),
        Some(c) => {
            Err(RegistryError::BadRequest(format!("{what}: control character U+{:04X} is not allowed", c as u32)))
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
