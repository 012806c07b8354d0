//! The rule catalog: parsing a rule from its name and parameters, and the properties a privacy
//! officer checks before trusting it. Applying rules to columns is in `mask`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use steward_model::masking::GeneraliseTo;
use steward_model::{Masking, MaskingRule};

use crate::fakes::FakeKind;
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

/// What a rule guarantees, shown per rule in the privacy officer's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleProperties {
    pub deterministic: bool,
    pub reversible: bool,
    pub format_preserving: bool,
    pub unique_preserving: bool,
    pub locale_aware: bool,
}

/// [`properties`] of the rule on a column of `dtype`: a rule that writes text where numbers or
/// dates were (`partial` on an integer card number: `****1234`; a fake name over ids) does not
/// preserve its format.
pub fn properties_on(kind: &RuleKind, dtype: &polars::prelude::DataType) -> RuleProperties {
    let mut p = properties(kind);
    let writes_text = matches!(kind, RuleKind::Partial { .. } | RuleKind::Fake { .. } | RuleKind::LinkedAddress { .. });
    if writes_text && !matches!(dtype, polars::prelude::DataType::String) {
        p.format_preserving = false;
    }
    p
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

impl Rule {
    /// Parses catalog rule `name` with `params` as a definition writes them; `at` names the rule
    /// in errors.
    pub fn parse(
        name: &str,
        params: &BTreeMap<String, serde_json::Value>,
        version: u32,
        at: &str,
    ) -> Result<Rule, PrivacyError> {
        let bad = |message: String| PrivacyError::Rule { at: at.to_string(), message };
        let masking = Masking::from_parts(name, params).map_err(bad)?;
        let id = steward_model::masking::rule_id(params).map_err(bad)?;
        Ok(Rule::of(&MaskingRule { field: None, tag: None, id, masking }, version))
    }

    /// A definition's rule, ready to apply with key version `version`.
    pub fn of(rule: &MaskingRule, version: u32) -> Rule {
        let id = match &rule.id {
            Some(id) => id.clone(),
            // Same rule, same parameters: same outputs.
            None => format!("{}:{}", rule.rule(), serde_json::to_string(&rule.masking.params()).unwrap_or_default()),
        };
        Rule { id, version, kind: kind_of(&rule.masking) }
    }
}

fn locale(l: &Option<String>) -> String {
    l.as_deref().unwrap_or("en").to_lowercase()
}

fn num(n: &Option<steward_model::masking::Number>) -> Option<f64> {
    n.as_ref().and_then(|n| n.as_f64())
}

/// What a checked rule does. The catalog checked every name and value this reads.
fn kind_of(m: &Masking) -> RuleKind {
    match m {
        Masking::Null {} => RuleKind::Null,
        Masking::Redact(p) => RuleKind::Redact { with: p.with.clone().unwrap_or_else(|| "[redacted]".into()) },
        Masking::Constant(p) => RuleKind::Constant {
            value: match &p.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            },
        },
        Masking::Partial(p) => {
            let keep_domain = p.keep_domain.unwrap_or(false);
            RuleKind::Partial {
                keep_first: p.keep_first.unwrap_or(0) as usize,
                keep_last: p.keep_last.unwrap_or(if keep_domain { 0 } else { 4 }) as usize,
                keep_domain,
                mask: p.mask.as_deref().and_then(|m| m.chars().next()).unwrap_or('*'),
            }
        }
        Masking::KeyedPseudonym(p) => RuleKind::Pseudonym {
            prefix: p.prefix.clone().unwrap_or_default(),
            length: p.length.unwrap_or(16) as usize,
        },
        Masking::Fpe {} => RuleKind::Fpe,
        Masking::KeyRemap {} => RuleKind::KeyRemap,
        Masking::Generalise(g) => {
            let width = num(&g.width).unwrap_or(1.0);
            RuleKind::Generalise(match g.to {
                GeneraliseTo::Month => Generalise::Month,
                GeneraliseTo::Year => Generalise::Year,
                GeneraliseTo::Band => Generalise::Band { width },
                GeneraliseTo::Bucket => Generalise::Bucket { width },
                GeneraliseTo::Prefix => Generalise::Prefix { keep: g.keep.unwrap_or(2) as usize },
                GeneraliseTo::AgeBand => Generalise::AgeBand {
                    width: width as i64,
                    as_of: g
                        .as_of
                        .as_deref()
                        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                        .or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1))
                        .unwrap_or_default(),
                },
            })
        }
        Masking::Noise(n) => {
            RuleKind::Noise { pct: num(&n.pct).unwrap_or(0.0), days: num(&n.days).unwrap_or(0.0) as i64 }
        }
        Masking::Shuffle {} => RuleKind::Shuffle,
        Masking::Fake(f) => RuleKind::Fake {
            kind: FakeKind::parse(&f.kind.to_lowercase()).unwrap_or(FakeKind::Name),
            locale: locale(&f.locale),
        },
        Masking::LinkedAddress(a) => RuleKind::LinkedAddress {
            part: match a.part.to_lowercase().as_str() {
                "street_address" => AddressPart::Street,
                "city" => AddressPart::City,
                "postal_code" => AddressPart::PostalCode,
                _ => AddressPart::Country,
            },
            locale: locale(&a.locale),
            from: a.from.clone(),
        },
    }
}
