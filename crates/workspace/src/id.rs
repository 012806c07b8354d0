//! The one rule for the ids a steward gives sources and products: they name files, keychain
//! entries and URL segments, so they are short, lowercase ASCII and safe everywhere.

use std::fmt;

/// Longest id, in bytes.
pub const MAX_ID_LEN: usize = 64;

/// Whether `s` is a valid id: 1-64 of `a-z`, `0-9`, `_` and `-`, starting with a letter or digit.
pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= MAX_ID_LEN
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// An id that passed [`is_valid_id`]: holding one is proof it was checked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Id(String);

/// Why a text is not an id, naming what it was meant to identify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} id `{text}` is not valid: use 1-64 lowercase ASCII letters, digits, `_` and `-`, starting with a letter or digit")]
pub struct InvalidId {
    pub what: &'static str,
    pub text: String,
}

impl Id {
    /// `text` as an id of a `what` (`source`, `product`…), or why not.
    pub fn parse(what: &'static str, text: &str) -> Result<Id, InvalidId> {
        if is_valid_id(text) {
            Ok(Id(text.to_string()))
        } else {
            Err(InvalidId { what, text: text.chars().take(80).collect::<String>().escape_debug().to_string() })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Id {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Id, InvalidId> {
        Id::parse("an", &s)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_every_id() {
        for ok in ["a", "customers", "0day", "crm_2024-01", &"x".repeat(64)] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "_a", "-a", "A", "a b", "a/b", "..", "é", &"x".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
            assert!(Id::parse("source", bad).is_err());
        }
        let e = Id::parse("product", "../etc").expect_err("refused");
        assert!(e.to_string().starts_with("product id `../etc`"), "{e}");
        let id: Id = serde_json::from_str("\"crm\"").expect("valid");
        assert_eq!(id.as_str(), "crm");
        assert!(serde_json::from_str::<Id>("\"C R M\"").is_err());
    }
}
