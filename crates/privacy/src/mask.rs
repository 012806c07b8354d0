//! Applying the catalog's rules to columns: one rule to one column, or several at once.

use polars::prelude::*;

use crate::catalog::{AddressPart, Rule, RuleKind};
use crate::crypto::{ff1_decrypt_digits, ff1_encrypt_digits, keyed, keyed_u64, subkey, KeyRemap, MaskingKey};
use crate::fakes::{fake_value, rng, FakeKind};
use crate::generalise::{below, generalise, int_range};
use crate::PrivacyError;

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

pub(crate) fn strings(c: &Column) -> Result<StringChunked, PrivacyError> {
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
    cast_text(c)
}

/// `c` cast to text in bulk (no string per value), a failure said with the column's name.
pub(crate) fn cast_text(c: &Column) -> Result<StringChunked, PrivacyError> {
    let err = |e: PolarsError| col_err(c, steward_display::engine_message(&e));
    Ok(c.cast(&DataType::String).map_err(err)?.str().map_err(err)?.clone())
}

pub(crate) fn col_err(c: &Column, message: impl Into<String>) -> PrivacyError {
    PrivacyError::Column { column: c.name().to_string(), message: message.into() }
}

/// An offset in [-1, 1] for one entity (or row, without entities), from the rule's subkey.
/// [`unit_offset`] of every row, computed once per entity: rows of one entity share it, and an
/// order line's table holds many rows per customer.
fn unit_offsets(sub: &[u8; 32], entity: Option<&Column>, len: usize) -> Vec<f64> {
    let of = |input: &str| {
        let u = keyed_u64(sub, input.as_bytes()) >> 11; // 53 bits
        (u as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    let texts = entity
        .filter(|e| e.len() == len && (e.dtype().is_integer() || e.dtype() == &DataType::String))
        .and_then(|e| e.cast(&DataType::String).ok());
    match texts.as_ref().and_then(|t| t.str().ok()) {
        Some(keys) => {
            let mut seen: PlHashMap<&str, f64> = PlHashMap::new();
            keys.iter()
                .enumerate()
                .map(|(row, k)| match k {
                    Some(k) => *seen.entry(k).or_insert_with(|| of(k)),
                    None => of(&format!("row:{row}")),
                })
                .collect()
        }
        None => (0..len).map(|row| unit_offset(sub, entity, row)).collect(),
    }
}

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
            if steward_display::fits_i64(&dtype) {
                let i = column.cast(&DataType::Int64).map_err(|e| col_err(column, e.to_string()))?;
                let i = i.i64().map_err(|e| col_err(column, e.to_string()))?;
                i.apply_values(|v| (keyed_u64(&sub, &v.to_le_bytes()) >> 1) as i64).into_column()
            } else if dtype == DataType::UInt64 {
                // The whole u64 range, kept as u64: no value is lost to an i64 cast.
                let u = column.u64().map_err(|e| col_err(column, e.to_string()))?;
                u.apply_values(|v| keyed_u64(&sub, &v.to_le_bytes())).into_column()
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
                let i = column.strict_cast(&DataType::Int64).map_err(|_| {
                    col_err(
                        column,
                        format!("key_remap maps integer keys up to 2^63-1, and this {dtype} column holds larger ones; use keyed_pseudonym"),
                    )
                })?;
                let i = i.i64().map_err(|e| col_err(column, e.to_string()))?;
                let remap = KeyRemap::new(&sub);
                // A key repeats on every row of its entity (an order's lines carry the
                // customer's): each distinct key is remapped once.
                let mut seen: PlHashMap<i64, i64> = PlHashMap::new();
                Int64Chunked::from_iter_options(
                    i.name().clone(),
                    i.iter().map(|v| v.map(|v| *seen.entry(v).or_insert_with(|| remap.remap(v)))),
                )
                .into_column()
            } else if dtype == DataType::String {
                let s = strings(column)?;
                let mut seen: PlHashMap<&str, String> = PlHashMap::new();
                StringChunked::from_iter_options(
                    s.name().clone(),
                    s.iter().map(|v| {
                        v.map(|v| {
                            seen.entry(v)
                                .or_insert_with(|| format!("k{}", base32(&keyed(&sub, normalise(v).as_bytes()), 26)))
                                .clone()
                        })
                    }),
                )
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
                    // The smallest step the column writes (1 for integers, a cent for money):
                    // noisy values land on it, and one that lands back on its original moves one
                    // step, so noise never leaves an original in place.
                    let step = match d {
                        d if d.is_integer() => Some(1.0),
                        DataType::Decimal(_, scale) => Some(10f64.powi(-(*scale as i32))),
                        _ => decimal_places(f).map(|p| 10f64.powi(-(p as i32))),
                    };
                    let offsets = unit_offsets(&sub, entity, f.len());
                    let noisy: Float64Chunked = f
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            v.map(|x| {
                                let o = offsets[i];
                                let y = x * (1.0 + o * pct / 100.0);
                                match step {
                                    Some(q) => {
                                        // Counted in steps, so that float error cannot hide a
                                        // value landing back on its original.
                                        let (n, own) = ((y / q).round(), (x / q).round());
                                        let n = if n == own && own != 0.0 {
                                            own + if o < 0.0 { -1.0 } else { 1.0 }
                                        } else {
                                            n
                                        };
                                        n * q
                                    }
                                    None => y,
                                }
                            })
                        })
                        .collect();
                    let c = noisy.with_name(name.clone()).into_column();
                    if d.is_integer() {
                        // Noise never leaves the type's range: an edge value stays at the edge.
                        let (lo, hi) = int_range(d);
                        let rounded = c
                            .f64()
                            .map_err(|e| col_err(column, e.to_string()))?
                            .apply_values(|x| x.round().clamp(lo, hi))
                            .into_column();
                        rounded.strict_cast(d).map_err(|e| col_err(column, e.to_string()))?
                    } else if let DataType::Decimal(_, scale) = d {
                        // Money stays money: the noisy amount keeps the column's scale, and an
                        // amount that no longer fits its precision is an error, never a null.
                        let unit = 10f64.powi(*scale as i32);
                        let f = c.f64().map_err(|e| col_err(column, e.to_string()))?;
                        // A value near the top of its precision may outgrow it: the column widens
                        // to 38 digits, and beyond those the value stays at the largest one.
                        let top = below(10f64.powi(38 - (*scale).min(38) as i32));
                        let rounded = f.apply_values(|x| ((x * unit).round() / unit).clamp(-top, top)).into_column();
                        rounded
                            .strict_cast(d)
                            .or_else(|_| rounded.strict_cast(&DataType::Decimal(38, *scale)))
                            .map_err(|e| col_err(column, e.to_string()))?
                    } else if let Some(places) = decimal_places(f) {
                        // Floats that hold amounts with a fixed number of decimals (money kept as
                        // f64: 12.95) keep that number: noise is format-preserving.
                        let unit = 10f64.powi(places as i32);
                        c.f64()
                            .map_err(|e| col_err(column, e.to_string()))?
                            .apply_values(|x| (x * unit).round() / unit)
                            .into_column()
                            .cast(d)
                            .map_err(|e| col_err(column, e.to_string()))?
                    } else {
                        c.cast(d).map_err(|e| col_err(column, e.to_string()))?
                    }
                }
                DataType::Date | DataType::Datetime(_, _) if *days > 0 => {
                    let offsets = unit_offsets(&sub, entity, column.len());
                    let shift = |i: usize| (offsets[i] * (*days as f64 + 0.5)).round() as i64;
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
        RuleKind::Fake { kind, locale } => {
            // The row's other text, so that a substitute never shows one of its own record's
            // values ("Casper" drawn as the first name of Mr Casper). Only a draw that collides
            // is replaced; every other output depends on the input alone.
            let others: Vec<StringChunked> = ctx
                .frame
                .map(|f| {
                    f.columns()
                        .iter()
                        .filter(|c| c.name() != column.name() && c.dtype() == &DataType::String)
                        .filter_map(|c| c.str().ok().cloned())
                        .collect()
                })
                .unwrap_or_default();
            let s = strings(column)?;
            let out: StringChunked = s
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.map(|v| {
                        let mut r = rng(keyed(&sub, normalise(v).as_bytes()));
                        let taken = |x: &str| {
                            let x = normalise(x).to_lowercase();
                            others.iter().any(|o| o.get(i).is_some_and(|y| normalise(y).to_lowercase() == x))
                        };
                        let first = distinct_from(v, || fake_value(*kind, locale, &mut r));
                        if !taken(&first) {
                            return first;
                        }
                        (0..8)
                            .map(|_| distinct_from(v, || fake_value(*kind, locale, &mut r)))
                            .find(|x| !taken(x))
                            .unwrap_or_else(|| format!("{first}~"))
                    })
                })
                .collect();
            out.into_column()
        }
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

pub fn apply_rules(
    df: &DataFrame,
    rules: &[(&str, &Rule)],
    key: &MaskingKey,
    entity: Option<&str>,
) -> Result<DataFrame, PrivacyError> {
    let ctx = Context { entity: entity.and_then(|c| df.column(c).ok()), frame: Some(df) };
    let masked = crate::par::map(rules, |(column, rule)| {
        df.column(column)
            .map_err(|_| PrivacyError::Column { column: column.to_string(), message: "not in the table".into() })
            .and_then(|c| apply_rule(rule, key, c, &ctx))
    })
    .ok_or_else(|| PrivacyError::Polars { at: "masking".into(), message: "a masking worker stopped".into() })?;
    let mut out = df.clone();
    for c in masked {
        let c = c?;
        out.with_column(c)
            .map_err(|e| PrivacyError::Polars { at: "masking".into(), message: steward_display::engine_message(&e) })?;
    }
    Ok(out)
}

/// The number of decimals every value of a float column is written with, when it is at most six
/// (amounts kept as f64: `12.95` → 2); `None` for measurements with more. Looks at the first
/// 10,000 values, which is plenty to tell money from measurements.
fn decimal_places(f: &Float64Chunked) -> Option<u32> {
    let mut places = 0u32;
    for x in f.iter().flatten().take(10_000) {
        if !x.is_finite() {
            continue;
        }
        let fits = |p: u32| {
            let scaled = x * 10f64.powi(p as i32);
            (scaled - scaled.round()).abs() <= 8.0 * f64::EPSILON * scaled.abs().max(1.0)
        };
        places = (places..=6).find(|&p| fits(p))?;
    }
    Some(places)
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
