//! The rule catalog: parsing a rule from its name and parameters, applying it to a column, and
//! the properties a privacy officer checks before trusting it.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::Serialize;

use crate::crypto::{ff1_decrypt_digits, ff1_encrypt_digits, keyed, keyed_u64, subkey, KeyRemap, MaskingKey};
use crate::fakes::{fake_value, rng, FakeKind, LOCALES};
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

/// What a rule may look at besides the column: the entity each row belongs to (noise), and the
/// row's other original columns (linked addresses).
#[derive(Default)]
pub struct Context<'a> {
    pub entity: Option<&'a Column>,
    pub frame: Option<&'a DataFrame>,
}

const B32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn base32(bytes: &[u8], n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut acc: u64 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u64::from(*b);
        bits += 8;
        while bits >= 5 && out.len() < n {
            bits -= 5;
            out.push(char::from(B32[((acc >> bits) & 31) as usize]));
        }
        if out.len() >= n {
            break;
        }
    }
    out
}

/// Inputs are compared after trimming; addresses with `@` (emails) case-insensitively.
pub(crate) fn normalise(s: &str) -> std::borrow::Cow<'_, str> {
    let t = s.trim();
    if t.contains('@') {
        std::borrow::Cow::Owned(t.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(t)
    }
}

fn partial(v: &str, keep_first: usize, keep_last: usize, keep_domain: bool, mask: char) -> String {
    if keep_domain {
        if let Some((local, domain)) = v.rsplit_once('@') {
            let kept: String = local.chars().take(keep_first).collect();
            let masked = local.chars().count().saturating_sub(keep_first);
            return format!("{kept}{}@{domain}", mask.to_string().repeat(masked));
        }
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    // Digits carry the meaning of phones and cards: mask digits, keep separators.
    let (is_kept, total): (fn(char) -> bool, usize) = if digits >= keep_first + keep_last && digits > 0 {
        (|c: char| c.is_ascii_digit(), digits)
    } else {
        (|c: char| c.is_alphanumeric(), v.chars().filter(|c| c.is_alphanumeric()).count())
    };
    if total <= keep_first + keep_last {
        // Too short to keep anything without keeping it all: mask it all.
        return v.chars().map(|c| if is_kept(c) { mask } else { c }).collect();
    }
    let mut seen = 0;
    v.chars()
        .map(|c| {
            if !is_kept(c) {
                return c;
            }
            seen += 1;
            if seen <= keep_first || seen > total.saturating_sub(keep_last) {
                c
            } else {
                mask
            }
        })
        .collect()
}

fn country_of(locale: &str) -> &'static str {
    match locale {
        "fr_fr" => "France",
        "de_de" => "Germany",
        "it_it" => "Italy",
        "nl_nl" => "Netherlands",
        "pt_br" => "Brazil",
        _ => "United Kingdom",
    }
}

fn strings(c: &Column) -> Result<StringChunked, PrivacyError> {
    match c.dtype() {
        // Bytes are masked as their hex text, so every text rule is deterministic on them too.
        DataType::Binary => {
            let b = c.binary().map_err(|e| col_err(c, e.to_string()))?;
            let hex: StringChunked =
                b.iter().map(|v| v.map(|bytes| bytes.iter().map(|x| format!("{x:02x}")).collect::<String>())).collect();
            return Ok(hex.with_name(c.name().clone()));
        }
        d @ (DataType::List(_) | DataType::Array(..) | DataType::Struct(_)) => {
            return Err(col_err(
                c,
                format!("this rule masks single values, not {d}; mask it with `null`, `redact` or `constant`"),
            ));
        }
        _ => {}
    }
    let s = c
        .cast(&DataType::String)
        .map_err(|e| PrivacyError::Column { column: c.name().to_string(), message: e.to_string() })?;
    Ok(s.str().map_err(|e| PrivacyError::Column { column: c.name().to_string(), message: e.to_string() })?.clone())
}

fn col_err(c: &Column, message: impl Into<String>) -> PrivacyError {
    PrivacyError::Column { column: c.name().to_string(), message: message.into() }
}

/// An offset in [-1, 1] for one entity (or row, without entities), from the rule's subkey.
fn unit_offset(sub: &[u8; 32], entity: Option<&Column>, row: usize) -> f64 {
    let input = match entity.and_then(|e| e.get(row).ok()) {
        Some(v) if !v.is_null() => v.str_value().into_owned(),
        _ => format!("row:{row}"),
    };
    let u = keyed_u64(sub, input.as_bytes()) >> 11; // 53 bits
    (u as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
}

/// A synthetic value that is not the original (a fake drawn from real name lists can meet the
/// very name it replaces): draws again, deterministically, and gives up marking it after 8 tries.
fn distinct_from(original: &str, mut draw: impl FnMut() -> String) -> String {
    let own = normalise(original).to_lowercase();
    for _ in 0..8 {
        let v = draw();
        if normalise(&v).to_lowercase() != own {
            return v;
        }
    }
    format!("{}~", draw())
}

/// FF1 over the digits of `v`, every other character kept in place. The value itself never goes
/// into an error: its shape (`###-####`) is enough.
fn fpe_digits(sub: &[u8; 32], v: &str, encrypt: bool) -> Result<String, String> {
    let digits: Vec<u16> = v.chars().filter_map(|c| c.to_digit(10).map(|d| d as u16)).collect();
    let out = if encrypt { ff1_encrypt_digits(sub, &digits) } else { ff1_decrypt_digits(sub, &digits) };
    match out {
        Ok(done) => {
            let mut it = done.into_iter();
            Ok(v.chars()
                .map(|c| if c.is_ascii_digit() { char::from(b'0' + it.next().unwrap_or(0) as u8) } else { c })
                .collect())
        }
        Err(e) => {
            let shape: String = v.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
            Err(format!("`{shape}`: {e}"))
        }
    }
}

/// The original of `masked`, a value that `rule` produced under `key` — for key holders, and only
/// for reversible rules (FF1). `field` names the value in errors.
pub fn reveal(rule: &Rule, key: &MaskingKey, field: &str, masked: &str) -> Result<String, PrivacyError> {
    match rule.kind {
        RuleKind::Fpe => fpe_digits(&subkey(key, &rule.id, rule.version), masked, false)
            .map_err(|message| PrivacyError::Column { column: field.to_string(), message }),
        _ => Err(PrivacyError::Column {
            column: field.to_string(),
            message: format!("rule `{}` is not reversible; only `fpe` gives originals back to key holders", rule.id),
        }),
    }
}

/// Masks `column` with `rule` under `key`. Nulls stay null (a null is not personal data).
pub fn apply_rule(rule: &Rule, key: &MaskingKey, column: &Column, ctx: &Context<'_>) -> Result<Column, PrivacyError> {
    let sub = subkey(key, &rule.id, rule.version);
    let name = column.name().clone();
    let len = column.len();
    let dtype = column.dtype().clone();
    let out: Column = match &rule.kind {
        RuleKind::Null => Column::full_null(name.clone(), len, &dtype),
        RuleKind::Redact { with } => {
            if dtype == DataType::String {
                let s = strings(column)?;
                s.apply_values(|_| with.as_str().into()).into_column()
            } else {
                Column::full_null(name.clone(), len, &dtype)
            }
        }
        RuleKind::Constant { value } => {
            let s = strings(column)?;
            let c = s.apply_values(|_| value.as_str().into()).into_column();
            c.cast(&dtype).unwrap_or(c)
        }
        RuleKind::Partial { keep_first, keep_last, keep_domain, mask } => strings(column)?
            .apply_values(|v| partial(v, *keep_first, *keep_last, *keep_domain, *mask).into())
            .into_column(),
        RuleKind::Pseudonym { prefix, length } => {
            if dtype.is_integer() {
                let i = column.cast(&DataType::Int64).map_err(|e| col_err(column, e.to_string()))?;
                let i = i.i64().map_err(|e| col_err(column, e.to_string()))?;
                i.apply_values(|v| (keyed_u64(&sub, &v.to_le_bytes()) >> 1) as i64).into_column()
            } else {
                strings(column)?
                    .apply_values(|v| {
                        format!("{prefix}{}", base32(&keyed(&sub, normalise(v).as_bytes()), *length)).into()
                    })
                    .into_column()
            }
        }
        RuleKind::Fpe => {
            if dtype != DataType::String {
                return Err(col_err(
                    column,
                    "format-preserving encryption masks text of digits (phones, cards); use key_remap for integer keys",
                ));
            }
            let s = strings(column)?;
            let mut failure = None;
            let out: StringChunked = s
                .iter()
                .map(|v| {
                    v.map(|v| {
                        fpe_digits(&sub, v, true).unwrap_or_else(|e| {
                            failure.get_or_insert(e);
                            String::new()
                        })
                    })
                })
                .collect();
            if let Some(f) = failure {
                return Err(col_err(column, f));
            }
            out.into_column()
        }
        RuleKind::KeyRemap => {
            if dtype.is_integer() {
                let i = column.cast(&DataType::Int64).map_err(|e| col_err(column, e.to_string()))?;
                let i = i.i64().map_err(|e| col_err(column, e.to_string()))?;
                let remap = KeyRemap::new(&sub);
                i.apply_values(|v| remap.remap(v)).into_column()
            } else if dtype == DataType::String {
                strings(column)?
                    .apply_values(|v| format!("k{}", base32(&keyed(&sub, normalise(v).as_bytes()), 26)).into())
                    .into_column()
            } else {
                return Err(col_err(column, format!("key_remap maps integer or text keys, not {dtype}")));
            }
        }
        RuleKind::Generalise(g) => generalise(g, column)?,
        RuleKind::Noise { pct, days } => {
            let entity = ctx.entity;
            match &dtype {
                d if (d.is_primitive_numeric() || d.is_decimal()) && *pct > 0.0 => {
                    let f = column.cast(&DataType::Float64).map_err(|e| col_err(column, e.to_string()))?;
                    let f = f.f64().map_err(|e| col_err(column, e.to_string()))?;
                    let noisy: Float64Chunked = f
                        .iter()
                        .enumerate()
                        .map(|(i, v)| v.map(|x| x * (1.0 + unit_offset(&sub, entity, i) * pct / 100.0)))
                        .collect();
                    let c = noisy.with_name(name.clone()).into_column();
                    if d.is_integer() {
                        let rounded =
                            c.f64().map_err(|e| col_err(column, e.to_string()))?.apply_values(f64::round).into_column();
                        rounded.cast(d).map_err(|e| col_err(column, e.to_string()))?
                    } else if let DataType::Decimal(_, scale) = d {
                        // Money stays money: the noisy amount keeps the column's scale, and an
                        // amount that no longer fits its precision is an error, never a null.
                        let unit = 10f64.powi(*scale as i32);
                        let f = c.f64().map_err(|e| col_err(column, e.to_string()))?;
                        let rounded = f.apply_values(|x| (x * unit).round() / unit).into_column();
                        // A value near the top of its precision may outgrow it: widen, never null.
                        rounded
                            .strict_cast(d)
                            .or_else(|_| rounded.strict_cast(&DataType::Decimal(38, *scale)))
                            .map_err(|e| col_err(column, e.to_string()))?
                    } else {
                        c.cast(d).map_err(|e| col_err(column, e.to_string()))?
                    }
                }
                DataType::Date | DataType::Datetime(_, _) if *days > 0 => {
                    let shift = |i: usize| (unit_offset(&sub, entity, i) * (*days as f64 + 0.5)).round() as i64;
                    if dtype == DataType::Date {
                        let d = column.cast(&DataType::Int32).map_err(|e| col_err(column, e.to_string()))?;
                        let d = d.i32().map_err(|e| col_err(column, e.to_string()))?;
                        let shifted: Int32Chunked =
                            d.iter().enumerate().map(|(i, v)| v.map(|x| x + shift(i) as i32)).collect();
                        shifted
                            .with_name(name.clone())
                            .into_column()
                            .cast(&DataType::Date)
                            .map_err(|e| col_err(column, e.to_string()))?
                    } else {
                        let DataType::Datetime(unit, _) = &dtype else { unreachable!() };
                        let per_day: i64 = match unit {
                            TimeUnit::Nanoseconds => 86_400_000_000_000,
                            TimeUnit::Microseconds => 86_400_000_000,
                            TimeUnit::Milliseconds => 86_400_000,
                        };
                        let d = column.cast(&DataType::Int64).map_err(|e| col_err(column, e.to_string()))?;
                        let d = d.i64().map_err(|e| col_err(column, e.to_string()))?;
                        let shifted: Int64Chunked =
                            d.iter().enumerate().map(|(i, v)| v.map(|x| x + shift(i) * per_day)).collect();
                        shifted
                            .with_name(name.clone())
                            .into_column()
                            .cast(&dtype)
                            .map_err(|e| col_err(column, e.to_string()))?
                    }
                }
                _ => {
                    return Err(col_err(
                        column,
                        format!("noise needs numbers (`pct`) or dates (`days`); this column is {dtype}"),
                    ))
                }
            }
        }
        RuleKind::Shuffle => {
            let mut order: Vec<(u64, IdxSize)> =
                (0..len).map(|i| (keyed_u64(&sub, &(i as u64).to_le_bytes()), i as IdxSize)).collect();
            order.sort_unstable();
            let idx = IdxCa::from_vec("idx".into(), order.into_iter().map(|(_, i)| i).collect());
            column.take(&idx).map_err(|e| col_err(column, e.to_string()))?
        }
        RuleKind::Fake { kind, locale } => strings(column)?
            .apply_values(|v| {
                let mut r = rng(keyed(&sub, normalise(v).as_bytes()));
                distinct_from(v, || fake_value(*kind, locale, &mut r)).into()
            })
            .into_column(),
        RuleKind::LinkedAddress { part, locale, from } => {
            let frame = ctx.frame.ok_or_else(|| col_err(column, "linked_address needs the row's address columns"))?;
            let sources: Vec<StringChunked> = from
                .iter()
                .map(|f| {
                    frame
                        .column(f)
                        .map_err(|_| col_err(column, format!("linked_address: no column `{f}` in this table")))
                        .and_then(strings)
                })
                .collect::<Result<_, _>>()?;
            let s = strings(column)?;
            let out: StringChunked = s
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.map(|_| {
                        let seed: Vec<String> = sources
                            .iter()
                            .map(|c| c.get(i).map(|x| normalise(x).into_owned()).unwrap_or_default())
                            .collect();
                        let mut r = rng(keyed(&sub, seed.join("\u{1f}").as_bytes()));
                        // One address per row: draw every part in a fixed order, keep the asked one.
                        let street = fake_value(FakeKind::StreetAddress, locale, &mut r);
                        let city = fake_value(FakeKind::City, locale, &mut r);
                        let postal = fake_value(FakeKind::PostalCode, locale, &mut r);
                        let own = v.unwrap_or_default();
                        match part {
                            AddressPart::Street => distinct_from(own, || street.clone()),
                            AddressPart::City => distinct_from(own, || city.clone()),
                            AddressPart::PostalCode => distinct_from(own, || postal.clone()),
                            AddressPart::Country => country_of(locale).to_string(),
                        }
                    })
                })
                .collect();
            out.into_column()
        }
    };
    Ok(out.with_name(name))
}

fn generalise(g: &Generalise, column: &Column) -> Result<Column, PrivacyError> {
    let dtype = column.dtype().clone();
    let dates = || -> Result<Vec<Option<NaiveDate>>, PrivacyError> {
        let d = column.cast(&DataType::Date).map_err(|e| col_err(column, e.to_string()))?;
        let d = d.date().map_err(|_| col_err(column, format!("needs dates, not {dtype}")))?;
        Ok(d.as_date_iter().collect())
    };
    let band = |lo: f64, width: f64| -> String {
        // Whole bands read as whole numbers while floats hold them exactly (|x| < 2^53).
        if width.fract() == 0.0 && (lo + width).abs() < 9.0e15 && lo.abs() < 9.0e15 {
            format!("{}-{}", lo as i64, (lo + width) as i64 - 1)
        } else {
            format!("{lo}-{}", lo + width)
        }
    };
    Ok(match g {
        Generalise::Month | Generalise::Year => {
            if !matches!(dtype, DataType::Date | DataType::Datetime(_, _)) {
                return Err(col_err(column, format!("generalising to a month or year needs dates, not {dtype}")));
            }
            let out: StringChunked = dates()?
                .into_iter()
                .map(|d| {
                    d.map(|d| match g {
                        Generalise::Month => format!("{:04}-{:02}", d.year(), d.month()),
                        _ => format!("{:04}", d.year()),
                    })
                })
                .collect();
            out.into_column()
        }
        Generalise::AgeBand { width, as_of } => {
            let out: StringChunked = dates()?
                .into_iter()
                .map(|d| {
                    d.map(|d| {
                        let mut age = as_of.year() - d.year();
                        if (as_of.month(), as_of.day()) < (d.month(), d.day()) {
                            age -= 1;
                        }
                        let lo = (i64::from(age).max(0) / width) * width;
                        format!("{lo}-{}", lo + width - 1)
                    })
                })
                .collect();
            out.into_column()
        }
        Generalise::Band { width } | Generalise::Bucket { width } => {
            if !dtype.is_primitive_numeric() && !dtype.is_decimal() {
                return Err(col_err(column, format!("bands and buckets need numbers, not {dtype}")));
            }
            let f = column.cast(&DataType::Float64).map_err(|e| col_err(column, e.to_string()))?;
            let f = f.f64().map_err(|e| col_err(column, e.to_string()))?;
            if matches!(g, Generalise::Band { .. }) {
                let out: StringChunked =
                    f.iter().map(|v| v.map(|x| band((x / width).floor() * width, *width))).collect();
                out.into_column()
            } else {
                let out = f.apply_values(|x| (x / width).floor() * width).into_column();
                out.cast(&dtype).map_err(|e| col_err(column, e.to_string()))?
            }
        }
        Generalise::Prefix { keep } => strings(column)?
            .apply_values(|v| {
                let n = v.chars().count();
                let kept: String = v.chars().take(*keep).collect();
                format!("{kept}{}", "*".repeat(n.saturating_sub(*keep))).into()
            })
            .into_column(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_keeps_the_digits_and_domains_asked_for() {
        assert_eq!(partial("+33 6 12 34 56 78", 0, 4, false, '*'), "+** * ** ** 56 78");
        assert_eq!(partial("4111-1111-1111-1234", 0, 4, false, '*'), "****-****-****-1234");
        assert_eq!(partial("zoe.ax@example.fr", 1, 0, true, '*'), "z*****@example.fr");
        assert_eq!(partial("Zoë", 1, 0, false, '•'), "Z••");
    }

    #[test]
    fn base32_tokens_have_the_asked_length() {
        assert_eq!(base32(&[0xff; 32], 16).len(), 16);
        assert_eq!(base32(&[0; 32], 8), "aaaaaaaa");
    }
}

/// Masks several columns of `df` at once, one rule per column, spread over the machine's cores.
/// `entity` names the column identifying each row's entity (noise offsets), if any.
pub fn apply_rules(
    df: &DataFrame,
    rules: &[(&str, &Rule)],
    key: &MaskingKey,
    entity: Option<&str>,
) -> Result<DataFrame, PrivacyError> {
    let ctx = Context { entity: entity.and_then(|c| df.column(c).ok()), frame: Some(df) };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 16).min(rules.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Vec<(usize, Result<Column, PrivacyError>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = vec![];
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((column, rule)) = rules.get(i) else { break };
                        let r = df
                            .column(column)
                            .map_err(|_| PrivacyError::Column {
                                column: column.to_string(),
                                message: "not in the table".into(),
                            })
                            .and_then(|c| apply_rule(rule, key, c, &ctx));
                        mine.push((i, r));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut masked: Vec<(usize, Column)> = vec![];
    for (i, r) in results.into_iter().flatten() {
        masked.push((i, r?));
    }
    if masked.len() != rules.len() {
        return Err(PrivacyError::Polars { at: "masking".into(), message: "a masking worker stopped".into() });
    }
    masked.sort_by_key(|(i, _)| *i);
    let mut out = df.clone();
    for (_, c) in masked {
        out.with_column(c).map_err(|e| PrivacyError::Polars { at: "masking".into(), message: e.to_string() })?;
    }
    Ok(out)
}
