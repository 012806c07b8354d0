//! The rule catalog: parsing a rule from its name and parameters, and the properties a privacy
//! officer checks before trusting it. Applying rules to columns is in `mask`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::fakes::{FakeKind, LOCALES};
use crate::PrivacyError;

/// How values are generalised.
#[derive(Debug, Clone, PartialEq)]
pub enum Generalise {
    /// Dates and times to `YYYY-MM`.
    Month,
    /// Dates and times to `YYYY`.
    Year,
    /// Numbers to a band label (`30-39`).
    Band { width: f64 },
    /// Birth dates to an age band at `as_of` (`30-39`).
    AgeBand { width: i64, as_of: NaiveDate },
    /// Text to its first `keep` characters, the rest starred (`75***`).
    Prefix { keep: usize },
    /// Numbers down to a multiple of `width`, keeping the type.
    Bucket { width: f64 },
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    Null,
    Redact {
        with: String,
    },
    Constant {
        value: String,
    },
    Partial {
        keep_first: usize,
        keep_last: usize,
        keep_domain: bool,
        mask: char,
    },
    Pseudonym {
        prefix: String,
        length: usize,
    },
    Fpe,
    KeyRemap,
    Generalise(Generalise),
    Noise {
        pct: f64,
        days: i64,
    },
    Shuffle,
    Fake {
        kind: FakeKind,
        locale: String,
    },
    /// Street, city, postal code or country of one fake address drawn from the row's original
    /// address columns (`from`), so the parts of a masked address belong together.
    LinkedAddress {
        part: AddressPart,
        locale: String,
        from: Vec<String>,
    },
}

/// A part of a linked fake address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPart {
    Street,
    City,
    PostalCode,
    Country,
}

/// A parsed rule: its catalog kind, and the id and version its outputs derive from.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Same id, same outputs: rules with the same name and parameters share an id (so a tag rule
    /// masks `email` alike in every table), unless `params.id` separates them.
    pub id: String,
    pub version: u32,
    pub kind: RuleKind,
}

/// Catalog entries: name, what it does, and its parameters.
pub const CATALOG: &[(&str, &str)] = &[
    ("null", "replace with null"),
    ("redact", "replace text with a marker (`with`, default [redacted])"),
    ("constant", "replace with `value`"),
    ("partial", "keep `keep_last`/`keep_first` digits or characters, or the email domain (`keep_domain`)"),
    ("keyed_pseudonym", "keyed BLAKE3 token (`prefix`, `length`)"),
    ("fpe", "FF1 format-preserving encryption of the digits, reversible by key holders"),
    ("key_remap", "bijective remapping of instance and join keys: no collisions, joins still join"),
    ("generalise", "`to`: month, year, band (`width`), age_band (`width`, `as_of`), prefix (`keep`), bucket (`width`)"),
    ("noise", "numbers ±`pct`%, dates shifted up to ±`days`, one offset per entity"),
    ("shuffle", "keyed shuffle of the values within the column"),
    ("fake", "synthetic `kind` in `locale`: name, first_name, last_name, email, phone, street_address, city, postal_code, company, iban, card"),
    ("linked_address", "`part` (street_address, city, postal_code, country) of one fake address from the row's `from` columns"),
];

/// What a rule guarantees, shown per rule in the privacy officer's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleProperties {
    pub deterministic: bool,
    pub reversible: bool,
    pub format_preserving: bool,
    pub unique_preserving: bool,
    pub locale_aware: bool,
}

pub fn properties(kind: &RuleKind) -> RuleProperties {
    let p = |deterministic, reversible, format_preserving, unique_preserving, locale_aware| RuleProperties {
        deterministic,
        reversible,
        format_preserving,
        unique_preserving,
        locale_aware,
    };
    match kind {
        RuleKind::Null | RuleKind::Redact { .. } | RuleKind::Constant { .. } => p(true, false, false, false, false),
        RuleKind::Partial { .. } => p(true, false, true, false, false),
        RuleKind::Pseudonym { .. } => p(true, false, false, true, false),
        RuleKind::Fpe => p(true, true, true, true, false),
        RuleKind::KeyRemap => p(true, false, true, true, false),
        RuleKind::Generalise(_) => p(true, false, false, false, false),
        RuleKind::Noise { .. } => p(true, false, true, false, false),
        RuleKind::Shuffle => p(true, false, true, false, false),
        RuleKind::Fake { .. } | RuleKind::LinkedAddress { .. } => p(true, false, true, false, true),
    }
}

fn param_str<'a>(params: &'a BTreeMap<String, serde_json::Value>, name: &str) -> Option<&'a str> {
    params.get(name).and_then(|v| v.as_str())
}

fn param_num(params: &BTreeMap<String, serde_json::Value>, name: &str) -> Option<f64> {
    params.get(name).and_then(|v| v.as_f64())
}

impl Rule {
    /// Parses catalog rule `name` with `params`; `at` names the rule in errors.
    pub fn parse(
        name: &str,
        params: &BTreeMap<String, serde_json::Value>,
        version: u32,
        at: &str,
    ) -> Result<Rule, PrivacyError> {
        let bad = |message: String| PrivacyError::Rule { at: at.to_string(), message };
        let usize_param = |n: &str, default: usize| -> Result<usize, PrivacyError> {
            match params.get(n) {
                None => Ok(default),
                Some(v) => v.as_u64().map(|x| x as usize).ok_or_else(|| bad(format!("`{n}` must be a whole number"))),
            }
        };
        let locale = || -> Result<String, PrivacyError> {
            let l = param_str(params, "locale").unwrap_or("en").to_lowercase();
            if LOCALES.contains(&l.as_str()) {
                Ok(l)
            } else {
                Err(bad(format!("locale `{l}` is not one of {}", LOCALES.join(", "))))
            }
        };
        // A parameter the rule does not know is a mistake (`keep` for `keep_last`), not a no-op.
        let known: &[&str] = match name {
            "redact" => &["with"],
            "constant" => &["value"],
            "partial" => &["keep_first", "keep_last", "keep_domain", "mask"],
            "keyed_pseudonym" => &["prefix", "length"],
            "generalise" | "generalize" => &["to", "width", "keep", "as_of"],
            "noise" => &["pct", "days"],
            "fake" => &["kind", "locale"],
            "linked_address" => &["part", "locale", "from"],
            _ => &[],
        };
        if CATALOG.iter().any(|(n, _)| *n == name) || name == "generalize" {
            if let Some(unknown) = params.keys().find(|k| *k != "id" && !known.contains(&k.as_str())) {
                return Err(bad(format!(
                    "`{name}` has no parameter `{unknown}`{}",
                    if known.is_empty() { String::new() } else { format!("; it takes: {}", known.join(", ")) }
                )));
            }
        }
        let kind = match name {
            "null" => RuleKind::Null,
            "redact" => RuleKind::Redact { with: param_str(params, "with").unwrap_or("[redacted]").to_string() },
            "constant" => RuleKind::Constant {
                value: match params.get("value") {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) if !v.is_null() => v.to_string(),
                    _ => return Err(bad("`constant` needs a `value`".into())),
                },
            },
            "partial" => {
                let keep_domain = params.get("keep_domain").and_then(|v| v.as_bool()).unwrap_or(false);
                let keep_last = usize_param("keep_last", if keep_domain { 0 } else { 4 })?;
                let keep_first = usize_param("keep_first", 0)?;
                let mask = param_str(params, "mask").and_then(|m| m.chars().next()).unwrap_or('*');
                RuleKind::Partial { keep_first, keep_last, keep_domain, mask }
            }
            "keyed_pseudonym" => {
                let length = usize_param("length", 16)?;
                if !(8..=52).contains(&length) {
                    return Err(bad("`length` must be 8-52 characters".into()));
                }
                RuleKind::Pseudonym { prefix: param_str(params, "prefix").unwrap_or("").to_string(), length }
            }
            "fpe" => RuleKind::Fpe,
            "key_remap" => RuleKind::KeyRemap,
            "generalise" | "generalize" => {
                let to = param_str(params, "to").ok_or_else(|| bad("`generalise` needs `to`".into()))?;
                let width = || {
                    param_num(params, "width")
                        .filter(|w| *w > 0.0)
                        .ok_or_else(|| bad(format!("`to: {to}` needs a positive `width`")))
                };
                RuleKind::Generalise(match to {
                    "month" => Generalise::Month,
                    "year" => Generalise::Year,
                    "band" => Generalise::Band { width: width()? },
                    "bucket" => Generalise::Bucket { width: width()? },
                    "prefix" => Generalise::Prefix { keep: usize_param("keep", 2)? },
                    "age_band" => Generalise::AgeBand {
                        width: width()? as i64,
                        as_of: match param_str(params, "as_of") {
                            None => NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
                            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                                .map_err(|_| bad(format!("`as_of` must be a date like 2026-01-01, not `{d}`")))?,
                        },
                    },
                    other => {
                        return Err(bad(format!(
                            "`to: {other}` is not one of month, year, band, age_band, prefix, bucket"
                        )))
                    }
                })
            }
            "noise" => {
                let pct = param_num(params, "pct").unwrap_or(0.0);
                let days = param_num(params, "days").unwrap_or(0.0) as i64;
                if pct <= 0.0 && days <= 0 {
                    return Err(bad("`noise` needs `pct` (numbers) or `days` (dates), above zero".into()));
                }
                RuleKind::Noise { pct, days }
            }
            "shuffle" => RuleKind::Shuffle,
            "fake" => {
                let k = param_str(params, "kind").ok_or_else(|| bad("`fake` needs a `kind`".into()))?;
                let kind = FakeKind::parse(k).ok_or_else(|| {
                    let kinds: Vec<&str> = FakeKind::ALL.iter().map(|(n, _)| *n).collect();
                    bad(format!("kind `{k}` is not one of {}", kinds.join(", ")))
                })?;
                RuleKind::Fake { kind, locale: locale()? }
            }
            "linked_address" => {
                let p = param_str(params, "part").unwrap_or("");
                let part = match p {
                    "street_address" => AddressPart::Street,
                    "city" => AddressPart::City,
                    "postal_code" => AddressPart::PostalCode,
                    "country" => AddressPart::Country,
                    other => {
                        return Err(bad(format!(
                            "part `{other}` is not one of street_address, city, postal_code, country"
                        )))
                    }
                };
                let from: Vec<String> = params
                    .get("from")
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                if from.is_empty() {
                    return Err(bad("`linked_address` needs `from`: the original address columns".into()));
                }
                RuleKind::LinkedAddress { part, locale: locale()?, from }
            }
            other => {
                let names: Vec<&str> = CATALOG.iter().map(|(n, _)| *n).collect();
                return Err(bad(format!("`{other}` is not a masking rule; the catalog has: {}", names.join(", "))));
            }
        };
        let id = match param_str(params, "id") {
            Some(id) => id.to_string(),
            None => {
                let rest: BTreeMap<&String, &serde_json::Value> = params.iter().filter(|(k, _)| *k != "id").collect();
                format!("{name}:{}", serde_json::to_string(&rest).unwrap_or_default())
            }
        };
        Ok(Rule { id, version, kind })
    }
}
