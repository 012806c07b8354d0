//! Value checks and column-name hints for each kind of personal data.

use std::sync::LazyLock;

use regex::Regex;

use crate::PiiTag;

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file; a typo fails every test at once.
    Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in pattern {pattern}: {e}"))
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$"));
static EMAIL_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"));
static PHONE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| re(r"\+?\(?\d[\d \-.()]{5,}\d"));
static CARD_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?:\d[ \-]?){13,19}\b"));
static IBAN_IN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"));
static SSN: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{3})-(\d{2})-(\d{4})$"));
static SSN_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{3}-\d{2}-\d{4}\b"));
static NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^\p{Lu}[\p{L}'’\-\.]*(?:[ \-]\p{L}[\p{L}'’\-\.]*){0,3}$"));
static POSTAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:\d{5}(?:-\d{3,4})?|\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{4}|[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{3}-\d{4})$",
    )
});
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d+\w?\s+.*\b(street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|square|crossroad|junction|rue|allée|chemin|impasse|via|viale|piazza|rua|avenida|travessa|laan|straat|weg|gracht)\b)|(\b(rue|via|avenida|rua)\b.*\d)|((straße|strasse|gasse|weg|allee|platz|ufer|ring|damm|steig|steg|pfad|str\.)\s*\d+)",
    )
});
static DATE: LazyLock<Regex> = LazyLock::new(|| re(r"^(\d{4})-(\d{2})-(\d{2})"));

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The digit that makes `payload` (its digits; separators ignored) followed by it pass the Luhn
/// check. Card generators (sample data, synthetic substitution) and the detector share it.
pub fn luhn_check_digit(payload: &str) -> u8 {
    let sum: u32 = digits(payload)
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = v * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                v
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Luhn check over the digits of `s` (separators ignored).
pub fn luhn_valid(s: &str) -> bool {
    let d = digits(s);
    if d.len() < 12 {
        return false;
    }
    let (payload, check) = d.split_at(d.len() - 1);
    luhn_check_digit(payload) == check.as_bytes()[0] - b'0'
}

fn card(s: &str) -> bool {
    if !s.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-') {
        return false;
    }
    let d = digits(s);
    let known_prefix = d.starts_with('4')
        || matches!(d.get(..2), Some("51" | "52" | "53" | "54" | "55" | "34" | "37" | "36" | "65"))
        || d.get(..4).and_then(|p| p.parse::<u32>().ok()).is_some_and(|p| (2221..=2720).contains(&p) || p == 6011);
    (13..=19).contains(&d.len()) && known_prefix && luhn_valid(&d)
}

/// ISO 13616 IBAN check: country letters, check digits, mod-97 of the rearranged number is 1.
pub fn iban_valid(s: &str) -> bool {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !compact.is_ascii()
        || !(15..=34).contains(&compact.len())
        || !compact[..2].chars().all(|c| c.is_ascii_uppercase())
        || !compact[2..4].chars().all(|c| c.is_ascii_digit())
        || !compact.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return false;
    }
    mod97(&format!("{}{}", &compact[4..], &compact[..4])) == 1
}

/// The remainder mod 97 of an IBAN-style alphanumeric string (letters count as 10-35).
fn mod97(s: &str) -> u32 {
    let mut rem: u32 = 0;
    for c in s.chars() {
        let v =
            if c.is_ascii_digit() { c as u32 - '0' as u32 } else { c.to_ascii_uppercase() as u32 - 'A' as u32 + 10 };
        let width = if v >= 10 { 100 } else { 10 };
        rem = (rem * width + v) % 97;
    }
    rem
}

/// The two check digits of an IBAN with `country` (two letters) and `bban`.
pub fn iban_check_digits(country: &str, bban: &str) -> u8 {
    (98 - mod97(&format!("{bban}{country}00"))) as u8
}

/// US social security number with the SSA's rules: no 000, 666 or 9xx area, no 00 group, no 0000 serial.
pub fn ssn_valid(s: &str) -> bool {
    let Some(c) = SSN.captures(s.trim()) else { return false };
    let (area, group, serial) = (&c[1], &c[2], &c[3]);
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

fn phone(s: &str) -> bool {
    let s = s.trim();
    if !s.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return false;
    }
    let d = digits(s).len();
    (7..=15).contains(&d) && (s.starts_with('+') || s.starts_with('(') || d >= 9 || s.contains(['-', ' ', '.']))
}

fn ip(s: &str) -> bool {
    s.trim().parse::<std::net::IpAddr>().is_ok()
}

fn birth_date(s: &str) -> bool {
    DATE.captures(s).is_some_and(|c| {
        let y: i32 = c[1].parse().unwrap_or(0);
        let m: u32 = c[2].parse().unwrap_or(0);
        let d: u32 = c[3].parse().unwrap_or(0);
        (1900..=2026).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
    })
}

fn free_text_pii(s: &str) -> bool {
    if s.len() < 20 || !s.contains(' ') {
        return false;
    }
    EMAIL_IN_TEXT.is_match(s)
        || CARD_IN_TEXT.find_iter(s).any(|m| card(m.as_str().trim()))
        || IBAN_IN_TEXT.find_iter(s).any(|m| iban_valid(m.as_str()))
        || SSN_IN_TEXT.find_iter(s).any(|m| ssn_valid(m.as_str()))
        || PHONE_IN_TEXT.find_iter(s).any(|m| {
            let t = m.as_str();
            let n = digits(t).len();
            (9..=15).contains(&n) && (t.starts_with('+') || t.contains(' ') || t.contains('-')) && !card(t)
        })
}

/// Loosely address-shaped: a number and words, as street addresses are in any language. Only
/// used when the column's name already says "address".
fn address_like(v: &str) -> bool {
    let v = v.trim();
    let words = v.split_whitespace().count();
    (5..=120).contains(&v.len())
        && (2..=10).contains(&words)
        && !v.contains('@')
        && v.split_whitespace().any(|w| w.chars().any(|c| c.is_ascii_digit()))
        && v.split_whitespace().any(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
}

/// Matches counted for `tag` when the column's name agrees: some kinds are then judged loosely.
pub(crate) fn count_matches_with_hint(tag: PiiTag, values: &[&str], is_date: bool) -> usize {
    match tag {
        PiiTag::StreetAddress => values.iter().filter(|v| address_like(v)).count(),
        _ => count_matches(tag, values, is_date),
    }
}

fn matches(tag: PiiTag, v: &str, is_date: bool) -> bool {
    match tag {
        PiiTag::Email => EMAIL.is_match(v.trim()),
        PiiTag::Phone => phone(v),
        PiiTag::PersonName => NAME.is_match(v.trim()) && v.chars().count() <= 60,
        PiiTag::StreetAddress => STREET.is_match(v),
        PiiTag::PostalCode => POSTAL.is_match(v.trim()),
        PiiTag::BirthDate => (is_date || DATE.is_match(v)) && birth_date(v),
        PiiTag::NationalId => ssn_valid(v),
        PiiTag::PaymentCard => card(v.trim()),
        PiiTag::Iban => iban_valid(v),
        PiiTag::IpAddress => ip(v),
        PiiTag::FreeTextPii => free_text_pii(v),
    }
}

pub(crate) fn count_matches(tag: PiiTag, values: &[&str], is_date: bool) -> usize {
    values.iter().filter(|v| matches(tag, v, is_date)).count()
}

/// Whether matching values alone are strong evidence (without the column's name agreeing).
pub(crate) fn values_are_enough(tag: PiiTag) -> bool {
    matches!(
        tag,
        PiiTag::Email
            | PiiTag::Phone
            | PiiTag::NationalId
            | PiiTag::PaymentCard
            | PiiTag::Iban
            | PiiTag::IpAddress
            | PiiTag::StreetAddress
            | PiiTag::FreeTextPii
    )
}

fn words(name: &str) -> Vec<String> {
    // snake_case, kebab-case, camelCase and spaces all split into lowercase words.
    let mut out = vec![];
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether the column's name says it holds `tag`.
pub(crate) fn name_hint(tag: PiiTag, name: &str) -> bool {
    let w = words(name);
    let has = |x: &str| w.iter().any(|v| v == x);
    let joined = w.join("_");
    match tag {
        PiiTag::Email => has("email") || has("mail") || has("emailaddress") || joined.contains("e_mail"),
        PiiTag::Phone => {
            ["phone", "tel", "telephone", "mobile", "cell", "msisdn", "fax", "phonenumber"].iter().any(|x| has(x))
        }
        PiiTag::PersonName => {
            ["firstname", "lastname", "surname", "forename", "fullname", "givenname", "familyname", "maiden"]
                .iter()
                .any(|x| has(x))
                || (has("name")
                    && [
                        "first", "last", "full", "given", "family", "middle", "person", "customer", "contact", "holder",
                    ]
                    .iter()
                    .any(|x| has(x)))
                || joined == "name"
        }
        PiiTag::StreetAddress => has("street") || has("address") || has("addr") || joined.contains("address_line"),
        PiiTag::PostalCode => {
            has("zip") && !has("archive")
                || has("postal")
                || has("postcode")
                || has("plz")
                || joined.contains("post_code")
                || has("zipcode")
        }
        PiiTag::BirthDate => has("birth") || has("dob") || has("born") || has("birthday") || has("birthdate"),
        PiiTag::NationalId => {
            has("ssn")
                || has("nino")
                || joined.contains("social_security")
                || joined.contains("national_id")
                || has("tin")
        }
        PiiTag::PaymentCard => {
            (has("card") && !has("type")) || has("cc") || has("pan") || joined.contains("credit_card")
        }
        PiiTag::Iban => has("iban") || has("bank") && has("account"),
        PiiTag::IpAddress => has("ip") || has("ipv4") || has("ipv6") || joined.contains("ip_address"),
        PiiTag::FreeTextPii => {
            ["body", "note", "notes", "comment", "comments", "description", "message", "text", "remarks"]
                .iter()
                .any(|x| has(x))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_algorithms() {
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(!iban_valid("DE89370400440532013001"));
        assert!(ssn_valid("078-05-1120"));
        assert!(
            !ssn_valid("000-12-3456")
                && !ssn_valid("666-12-3456")
                && !ssn_valid("912-12-3456")
                && !ssn_valid("123-00-4567")
        );
    }

    #[test]
    fn no_value_makes_a_check_panic() {
        let odd = [
            "MüLLER-SCHWARZENBERG-ÅÄÖ",
            "ÄÄ12345678901234567",
            "€€€€€€€€€€€€€€€€",
            "１２３-４５-６７８９",
            "",
            " ",
            "🦀🦀🦀🦀@🦀.🦀",
            "\u{0}\u{7f}",
        ];
        for tag in PiiTag::ALL {
            for v in odd {
                let _ = matches(tag, v, false);
                let _ = matches(tag, v, true);
            }
        }
    }

    #[test]
    fn names_split_every_way() {
        assert_eq!(words("emailAddress"), ["email", "address"]);
        assert_eq!(words("FIRST_NAME"), ["first", "name"]);
        assert!(name_hint(PiiTag::PersonName, "firstName"));
        assert!(!name_hint(PiiTag::PersonName, "product_name"));
        assert!(name_hint(PiiTag::IpAddress, "client_ip"));
        assert!(!name_hint(PiiTag::IpAddress, "zip"));
    }
}
