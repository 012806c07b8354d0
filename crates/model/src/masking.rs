//! The masking-rule catalog, defined once: every rule a definition may name, with its typed
//! parameters ([`Masking`]), what it is for and how strong it is ([`CATALOG`], [`Masking::strength`],
//! [`Masking::looser_than`]). A definition naming an unknown rule, an unknown parameter or a
//! parameter of the wrong type does not parse — so `model validate`, `publish` and the registry
//! all refuse it without reading any data. How rules are applied to columns is
//! `steward-privacy`'s; the UI's rule picker is generated from [`CATALOG`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A rule and its parameters, as a definition writes them:
/// `{ field: email, rule: partial, params: { keep_domain: true } }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", content = "params", rename_all = "snake_case")]
pub enum Masking {
    /// Replace with null.
    Null {},
    /// Replace text with a marker.
    Redact(RedactParams),
    /// Replace with one value.
    Constant(ConstantParams),
    /// Keep the first or last characters, or an email's domain.
    Partial(PartialParams),
    /// A keyed BLAKE3 token.
    KeyedPseudonym(PseudonymParams),
    /// FF1 format-preserving encryption of the digits, reversible by key holders.
    Fpe {},
    /// Bijective remapping of instance and join keys: no collisions, joins still join.
    KeyRemap {},
    /// Months, years, bands, age bands, prefixes or buckets instead of values.
    #[serde(alias = "generalize")]
    Generalise(GeneraliseParams),
    /// Numbers ±`pct`%, dates shifted up to ±`days`: one offset per entity.
    Noise(NoiseParams),
    /// A keyed shuffle of the values within the column.
    Shuffle {},
    /// A synthetic value of one kind, in a locale.
    Fake(FakeParams),
    /// One part of a fake address drawn from the row's original address columns.
    LinkedAddress(LinkedAddressParams),
}

/// Text-valued numbers keep their form (`10` stays `10`, `0.5` stays `0.5`) when a definition
/// is saved again.
pub type Number = serde_json::Number;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactParams {
    /// The marker (default `[redacted]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConstantParams {
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_first: Option<u32>,
    /// Default 4, or 0 with `keep_domain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_domain: Option<bool>,
    /// The masking character (default `*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mask: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// 8-52 characters (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
}

/// What values are generalised to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneraliseTo {
    Month,
    Year,
    Band,
    AgeBand,
    Prefix,
    Bucket,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneraliseParams {
    pub to: GeneraliseTo,
    /// Band, bucket and age band width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<Number>,
    /// Characters a prefix keeps (default 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep: Option<u32>,
    /// The date ages are counted at (`2026-01-01`, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pct: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Number>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FakeParams {
    /// One of [`FAKE_KINDS`].
    pub kind: String,
    /// One of [`LOCALES`] (default `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedAddressParams {
    /// One of [`ADDRESS_PARTS`].
    pub part: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The row's original address columns the fake address is drawn from.
    pub from: Vec<String>,
}

/// Kinds of synthetic values `fake` makes.
pub const FAKE_KINDS: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "city",
    "postal_code",
    "company",
    "iban",
    "card",
];

/// Locales of synthetic values.
pub const LOCALES: &[&str] = &["en", "fr_fr", "de_de", "it_it", "nl_nl", "pt_br"];

/// Parts of a linked fake address.
pub const ADDRESS_PARTS: &[&str] = &["street_address", "city", "postal_code", "country"];

/// What a parameter holds, for the rule picker and for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
pub enum ParamKind {
    Text,
    WholeNumber,
    Number,
    Flag,
    Date,
    /// Text, a number or a flag.
    Scalar,
    OneOf(&'static [&'static str]),
    Columns,
}

/// One parameter of a catalog rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

/// One rule of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub params: &'static [ParamSpec],
    /// How much of the original it leaves: 1 (a coarser original) to 4 (nothing of it).
    pub strength: u8,
}

const fn opt(name: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec { name, kind, required: false }
}

const fn req(name: &'static str, kind: ParamKind) -> ParamSpec {
    ParamSpec { name, kind, required: true }
}

const TO: &[&str] = &["month", "year", "band", "age_band", "prefix", "bucket"];

/// The catalog, in the order the rule picker lists it.
pub const CATALOG: &[RuleSpec] = &[
    RuleSpec { name: "null", doc: "replace with null", params: &[], strength: 4 },
    RuleSpec {
        name: "redact",
        doc: "replace text with a marker (`with`, default [redacted])",
        params: &[opt("with", ParamKind::Text)],
        strength: 4,
    },
    RuleSpec {
        name: "constant",
        doc: "replace with `value`",
        params: &[req("value", ParamKind::Scalar)],
        strength: 4,
    },
    RuleSpec {
        name: "partial",
        doc: "keep `keep_last`/`keep_first` digits or characters, or the email domain (`keep_domain`)",
        params: &[
            opt("keep_first", ParamKind::WholeNumber),
            opt("keep_last", ParamKind::WholeNumber),
            opt("keep_domain", ParamKind::Flag),
            opt("mask", ParamKind::Text),
        ],
        strength: 1,
    },
    RuleSpec {
        name: "keyed_pseudonym",
        doc: "keyed BLAKE3 token (`prefix`, `length`)",
        params: &[opt("prefix", ParamKind::Text), opt("length", ParamKind::WholeNumber)],
        strength: 3,
    },
    RuleSpec {
        name: "fpe",
        doc: "FF1 format-preserving encryption of the digits, reversible by key holders",
        params: &[],
        strength: 2,
    },
    RuleSpec {
        name: "key_remap",
        doc: "bijective remapping of instance and join keys: no collisions, joins still join",
        params: &[],
        strength: 3,
    },
    RuleSpec {
        name: "generalise",
        doc: "`to`: month, year, band (`width`), age_band (`width`, `as_of`), prefix (`keep`), bucket (`width`)",
        params: &[
            req("to", ParamKind::OneOf(TO)),
            opt("width", ParamKind::Number),
            opt("keep", ParamKind::WholeNumber),
            opt("as_of", ParamKind::Date),
        ],
        strength: 1,
    },
    RuleSpec {
        name: "noise",
        doc: "numbers ±`pct`%, dates shifted up to ±`days`, one offset per entity",
        params: &[opt("pct", ParamKind::Number), opt("days", ParamKind::Number)],
        strength: 1,
    },
    RuleSpec { name: "shuffle", doc: "keyed shuffle of the values within the column", params: &[], strength: 2 },
    RuleSpec {
        name: "fake",
        doc: "synthetic `kind` in `locale`: name, first_name, last_name, email, phone, street_address, city, postal_code, company, iban, card",
        params: &[req("kind", ParamKind::OneOf(FAKE_KINDS)), opt("locale", ParamKind::OneOf(LOCALES))],
        strength: 3,
    },
    RuleSpec {
        name: "linked_address",
        doc: "`part` (street_address, city, postal_code, country) of one fake address from the row's `from` columns",
        params: &[
            req("part", ParamKind::OneOf(ADDRESS_PARTS)),
            opt("locale", ParamKind::OneOf(LOCALES)),
            req("from", ParamKind::Columns),
        ],
        strength: 3,
    },
];

/// Every rule may carry `id`: rules with the same id share outputs.
pub const ID_PARAM: &str = "id";

/// The `id` among a rule's written parameters, which must be text when present.
pub fn rule_id(params: &BTreeMap<String, serde_json::Value>) -> Result<Option<String>, String> {
    match params.get(ID_PARAM) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("`id` must be text, not {other}")),
    }
}

impl Masking {
    /// The rule's catalog name.
    pub fn name(&self) -> &'static str {
        match self {
            Masking::Null {} => "null",
            Masking::Redact(_) => "redact",
            Masking::Constant(_) => "constant",
            Masking::Partial(_) => "partial",
            Masking::KeyedPseudonym(_) => "keyed_pseudonym",
            Masking::Fpe {} => "fpe",
            Masking::KeyRemap {} => "key_remap",
            Masking::Generalise(_) => "generalise",
            Masking::Noise(_) => "noise",
            Masking::Shuffle {} => "shuffle",
            Masking::Fake(_) => "fake",
            Masking::LinkedAddress(_) => "linked_address",
        }
    }

    /// The rule's catalog entry.
    pub fn spec(&self) -> &'static RuleSpec {
        let name = self.name();
        CATALOG.iter().find(|s| s.name == name).unwrap_or(&CATALOG[0])
    }

    /// How much of the original the rule leaves: 1 (a coarser original) to 4 (nothing of it).
    pub fn strength(&self) -> u8 {
        self.spec().strength
    }

    /// Whether `self` keeps more of the original than `old` under the same rule: more characters
    /// kept, a smaller noise or a narrower generalisation.
    pub fn looser_than(&self, old: &Masking) -> bool {
        let num = |n: &Option<Number>| n.as_ref().and_then(Number::as_f64);
        let more = |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(a), Some(b)) if b > a);
        let less = |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(a), Some(b)) if b < a);
        let whole = |n: Option<u32>| n.map(f64::from);
        match (old, self) {
            (Masking::Partial(o), Masking::Partial(n)) => {
                more(whole(o.keep_last), whole(n.keep_last)) || more(whole(o.keep_first), whole(n.keep_first))
            }
            (Masking::Noise(o), Masking::Noise(n)) => {
                less(num(&o.pct), num(&n.pct)) || less(num(&o.days), num(&n.days))
            }
            (Masking::Generalise(o), Masking::Generalise(n)) => {
                less(num(&o.width), num(&n.width)) || more(whole(o.keep), whole(n.keep))
            }
            _ => false,
        }
    }

    /// The rule from its name and parameters as a definition writes them, or why not: an
    /// unknown rule or parameter, a parameter of the wrong type, or a value outside what the
    /// rule accepts. Messages say which rule and which parameter.
    pub fn from_parts(name: &str, params: &BTreeMap<String, serde_json::Value>) -> Result<Masking, String> {
        let canonical = if name == "generalize" { "generalise" } else { name };
        let Some(spec) = CATALOG.iter().find(|s| s.name == canonical) else {
            let names: Vec<&str> = CATALOG.iter().map(|s| s.name).collect();
            return Err(format!("`{name}` is not a masking rule; the catalog has: {}", names.join(", ")));
        };
        let known: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
        if let Some(unknown) = params.keys().find(|k| *k != ID_PARAM && !known.contains(&k.as_str())) {
            return Err(format!(
                "`{canonical}` has no parameter `{unknown}`{}",
                if known.is_empty() { String::new() } else { format!("; it takes: {}", known.join(", ")) }
            ));
        }
        for p in spec.params {
            match (params.get(p.name), p.kind) {
                (None, _) if p.required => return Err(format!("`{canonical}` needs `{}`", p.name)),
                (Some(v), ParamKind::OneOf(allowed)) => match v.as_str() {
                    Some(s) if allowed.contains(&s.to_lowercase().as_str()) => {}
                    _ => {
                        let shown = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                        return Err(format!("{} `{shown}` is not one of {}", p.name, allowed.join(", ")));
                    }
                },
                (Some(v), ParamKind::WholeNumber) if v.as_u64().is_none_or(|n| n > u64::from(u32::MAX)) => {
                    return Err(format!("`{}` must be a whole number, not {v}", p.name));
                }
                (Some(v), ParamKind::Number) if !v.is_number() => {
                    return Err(format!("`{}` must be a number, not {v}", p.name));
                }
                (Some(v), ParamKind::Flag) if !v.is_boolean() => {
                    return Err(format!("`{}` must be true or false, not {v}", p.name));
                }
                (Some(v), ParamKind::Text | ParamKind::Date) if !v.is_string() => {
                    return Err(format!("`{}` must be text, not {v}", p.name));
                }
                (Some(v), ParamKind::Scalar) if !(v.is_string() || v.is_number() || v.is_boolean()) => {
                    return Err(format!("`{}` must be text, a number or true/false, not {v}", p.name));
                }
                (Some(v), ParamKind::Columns)
                    if !v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(|c| c.is_string())) =>
                {
                    return Err(format!("`{}` must be a list of column names", p.name));
                }
                _ => {}
            }
        }
        let rest: serde_json::Map<String, serde_json::Value> =
            params.iter().filter(|(k, _)| *k != ID_PARAM).map(|(k, v)| (k.clone(), v.clone())).collect();
        let m: Masking = serde_json::from_value(serde_json::json!({ "rule": canonical, "params": rest }))
            .map_err(|e| format!("`{canonical}`: {e}"))?;
        m.check()?;
        Ok(m)
    }

    /// The rule's parameters as a definition writes them (without `id`).
    pub fn params(&self) -> BTreeMap<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut o)) => match o.remove("params") {
                Some(serde_json::Value::Object(p)) => p.into_iter().collect(),
                _ => BTreeMap::new(),
            },
            _ => BTreeMap::new(),
        }
    }

    /// Values the types allow but the rule does not.
    fn check(&self) -> Result<(), String> {
        let positive = |n: &Option<Number>| n.as_ref().and_then(Number::as_f64).is_some_and(|w| w > 0.0);
        match self {
            Masking::Partial(p) if p.mask.as_ref().is_some_and(|m| m.chars().count() != 1) => {
                return Err("`mask` must be one character".into());
            }
            Masking::KeyedPseudonym(p) if p.length.is_some_and(|l| !(8..=52).contains(&l)) => {
                return Err("`length` must be 8-52 characters".into());
            }
            Masking::Generalise(g) => {
                let needs_width = matches!(g.to, GeneraliseTo::Band | GeneraliseTo::Bucket | GeneraliseTo::AgeBand);
                if needs_width && !positive(&g.width) {
                    let to = serde_json::to_value(g.to).ok().and_then(|v| v.as_str().map(str::to_string));
                    return Err(format!("`to: {}` needs a positive `width`", to.unwrap_or_default()));
                }
                if let Some(d) = &g.as_of {
                    if !is_iso_date(d) {
                        return Err(format!("`as_of` must be a date like 2026-01-01, not `{d}`"));
                    }
                }
            }
            Masking::Noise(n) if !positive(&n.pct) && !positive(&n.days) => {
                return Err("`noise` needs `pct` (numbers) or `days` (dates), above zero".into());
            }
            _ => {}
        }
        Ok(())
    }
}

/// `YYYY-MM-DD` naming a real day.
fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else { return false };
    if parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
        serde_json::from_value(v).unwrap()
    }

    fn sample(kind: ParamKind) -> serde_json::Value {
        match kind {
            ParamKind::Text => json!("x"),
            ParamKind::WholeNumber => json!(10),
            ParamKind::Number => json!(10),
            ParamKind::Flag => json!(true),
            ParamKind::Date => json!("2026-01-01"),
            ParamKind::Scalar => json!("x"),
            ParamKind::OneOf(v) => json!(v[2.min(v.len() - 1)]),
            ParamKind::Columns => json!(["a", "b"]),
        }
    }

    #[test]
    fn the_catalog_and_the_typed_rules_agree() {
        for spec in CATALOG {
            // Every parameter the catalog lists is a field of the typed rule, of that type.
            let mut all: BTreeMap<String, serde_json::Value> =
                spec.params.iter().map(|p| (p.name.to_string(), sample(p.kind))).collect();
            if spec.name == "partial" {
                all.insert("mask".into(), json!("#"));
            }
            let m = Masking::from_parts(spec.name, &all).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
            assert_eq!(m.name(), spec.name);
            assert_eq!(m.params(), all, "{} round-trips every parameter", spec.name);
            assert_eq!(m.spec(), spec);
        }
    }

    #[test]
    fn mistakes_are_refused_with_what_the_rule_takes() {
        let e = Masking::from_parts("partial", &params(json!({"keep": 4}))).unwrap_err();
        assert_eq!(e, "`partial` has no parameter `keep`; it takes: keep_first, keep_last, keep_domain, mask");
        let e = Masking::from_parts("scramble", &BTreeMap::new()).unwrap_err();
        assert!(e.starts_with("`scramble` is not a masking rule; the catalog has: null, redact"), "{e}");
        let e = Masking::from_parts("partial", &params(json!({"keep_last": "four"}))).unwrap_err();
        assert_eq!(e, "`keep_last` must be a whole number, not \"four\"");
        let e = Masking::from_parts("fake", &params(json!({"kind": "horoscope"}))).unwrap_err();
        assert!(e.starts_with("kind `horoscope` is not one of name, first_name"), "{e}");
        let e = Masking::from_parts("fake", &BTreeMap::new()).unwrap_err();
        assert_eq!(e, "`fake` needs `kind`");
        let e = Masking::from_parts("generalise", &params(json!({"to": "band"}))).unwrap_err();
        assert_eq!(e, "`to: band` needs a positive `width`");
        let e =
            Masking::from_parts("generalise", &params(json!({"to": "age_band", "width": 10, "as_of": "2026-02-30"})))
                .unwrap_err();
        assert!(e.contains("`as_of` must be a date"), "{e}");
        let e = Masking::from_parts("keyed_pseudonym", &params(json!({"length": 4}))).unwrap_err();
        assert_eq!(e, "`length` must be 8-52 characters");
        let e = Masking::from_parts("noise", &BTreeMap::new()).unwrap_err();
        assert!(e.contains("needs `pct`"), "{e}");
        let e = Masking::from_parts("linked_address", &params(json!({"part": "city", "from": []}))).unwrap_err();
        assert_eq!(e, "`from` must be a list of column names");
    }

    #[test]
    fn the_american_spelling_is_the_same_rule_with_the_same_strength() {
        let us = Masking::from_parts("generalize", &params(json!({"to": "year"}))).unwrap();
        assert_eq!(us.name(), "generalise");
        assert_eq!(us.strength(), 1);
    }

    #[test]
    fn numbers_keep_their_written_form() {
        let m = Masking::from_parts("generalise", &params(json!({"to": "band", "width": 10}))).unwrap();
        assert_eq!(m.params()["width"], json!(10));
        let m = Masking::from_parts("noise", &params(json!({"pct": 2.5}))).unwrap();
        assert_eq!(m.params()["pct"], json!(2.5));
    }

    #[test]
    fn looser_and_stronger_are_methods_of_the_rule() {
        let p = |v| Masking::from_parts("partial", &params(v)).unwrap();
        assert!(p(json!({"keep_last": 6})).looser_than(&p(json!({"keep_last": 4}))));
        assert!(!p(json!({"keep_last": 2})).looser_than(&p(json!({"keep_last": 4}))));
        let n = |v| Masking::from_parts("noise", &params(v)).unwrap();
        assert!(n(json!({"pct": 1})).looser_than(&n(json!({"pct": 5}))));
        assert!(Masking::Null {}.strength() > p(json!({})).strength());
    }
}
