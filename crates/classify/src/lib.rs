//! # steward-classify
//!
//! Owns sensitive-data discovery: given a column's name and a sample of its values, suggest
//! what kind of personal data it holds (email, phone, person name, street address, postal code,
//! birth date, national id, payment card, IBAN, IP address, or free text containing those), with
//! a confidence score and the evidence a privacy officer can check.
//!
//! It looks at strings only: it must not read sources, hold state, or decide anything for the
//! steward — suggestions are accepted or rejected elsewhere and saved in the workspace.

mod detect;

use serde::{Deserialize, Serialize};

pub use detect::{iban_check_digits, iban_valid, luhn_check_digit, luhn_valid, ssn_valid};

/// Values looked at per column.
pub const SAMPLE_SIZE: usize = 10_000;
/// Suggestions below this confidence are not shown.
pub const MIN_CONFIDENCE: f64 = 0.5;

/// Kinds of personal data Steward recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PiiTag {
    Email,
    Phone,
    PersonName,
    StreetAddress,
    PostalCode,
    BirthDate,
    NationalId,
    PaymentCard,
    Iban,
    IpAddress,
    FreeTextPii,
}

impl PiiTag {
    pub const ALL: [PiiTag; 11] = [
        PiiTag::Email,
        PiiTag::Phone,
        PiiTag::PersonName,
        PiiTag::StreetAddress,
        PiiTag::PostalCode,
        PiiTag::BirthDate,
        PiiTag::NationalId,
        PiiTag::PaymentCard,
        PiiTag::Iban,
        PiiTag::IpAddress,
        PiiTag::FreeTextPii,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PiiTag::Email => "email",
            PiiTag::Phone => "phone",
            PiiTag::PersonName => "person_name",
            PiiTag::StreetAddress => "street_address",
            PiiTag::PostalCode => "postal_code",
            PiiTag::BirthDate => "birth_date",
            PiiTag::NationalId => "national_id",
            PiiTag::PaymentCard => "payment_card",
            PiiTag::Iban => "iban",
            PiiTag::IpAddress => "ip_address",
            PiiTag::FreeTextPii => "free_text_pii",
        }
    }

    /// What a value must be to count, in the words of the evidence line.
    fn noun(self) -> &'static str {
        match self {
            PiiTag::Email => "valid emails",
            PiiTag::Phone => "phone numbers",
            PiiTag::PersonName => "shaped like person names",
            PiiTag::StreetAddress => "street addresses",
            PiiTag::PostalCode => "postal codes",
            PiiTag::BirthDate => "plausible birth dates",
            PiiTag::NationalId => "valid US social security numbers",
            PiiTag::PaymentCard => "Luhn-valid card numbers",
            PiiTag::Iban => "IBANs with a valid mod-97 check",
            PiiTag::IpAddress => "IP addresses",
            PiiTag::FreeTextPii => "texts containing personal data",
        }
    }
}

impl std::str::FromStr for PiiTag {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PiiTag::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = PiiTag::ALL.iter().map(|t| t.as_str()).collect();
            format!("`{s}` is not a classification; use one of {}", all.join(", "))
        })
    }
}

impl std::fmt::Display for PiiTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One suggestion for one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ClassificationSuggestion"))]
pub struct Suggestion {
    pub column: String,
    pub tag: PiiTag,
    /// 0..1.
    pub confidence: f64,
    /// Why, in words: "9,812 of 10,000 sampled values are valid emails; name `email_addr`".
    pub evidence: String,
    pub matched: usize,
    pub sampled: usize,
}

/// `1234567` → `1,234,567`, as Steward writes counts for people.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Classifies one column from its name and a sample of its non-null values (as text).
/// `is_date` says the column is typed as a date or datetime.
pub fn classify_column(name: &str, values: &[&str], is_date: bool) -> Vec<Suggestion> {
    let sampled = values.len();
    let mut out = vec![];
    for tag in PiiTag::ALL {
        let hint = detect::name_hint(tag, name);
        let matched = match (sampled, hint) {
            (0, _) => 0,
            (_, true) => detect::count_matches_with_hint(tag, values, is_date),
            (_, false) => detect::count_matches(tag, values, is_date),
        };
        let share = if sampled == 0 { 0.0 } else { matched as f64 / sampled as f64 };
        // Values alone identify some kinds; others (names, postal codes, birth dates) are too
        // easily confused with other data and need the column's name to agree.
        // In free text a few hits are already a finding: a privacy officer wants to know.
        let confidence = if tag == PiiTag::FreeTextPii {
            if matched == 0 {
                0.0
            } else {
                (0.55 + 0.3 * (share / 0.3).min(1.0) + if hint { 0.1 } else { 0.0 }).min(0.95)
            }
        } else if detect::values_are_enough(tag) {
            if hint {
                (0.85 * share + 0.15).min(1.0)
            } else {
                0.85 * share
            }
        } else if hint {
            0.5 + 0.45 * share
        } else {
            0.0
        };
        let confidence = if share < 0.3 && tag != PiiTag::FreeTextPii { confidence.min(0.45) } else { confidence };
        if confidence < MIN_CONFIDENCE {
            continue;
        }
        let mut evidence =
            format!("{} of {} sampled values are {}", thousands(matched), thousands(sampled), tag.noun());
        if hint {
            evidence.push_str(&format!("; name `{name}`"));
        }
        out.push(Suggestion {
            column: name.to_string(),
            tag,
            confidence: (confidence * 1000.0).round() / 1000.0,
            evidence,
            matched,
            sampled,
        });
    }
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    // A column is one kind of thing: keep the best, and free text alongside only if it is the best.
    out.truncate(1);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(name: &str, values: &[&str]) -> Option<(PiiTag, f64)> {
        classify_column(name, values, false).first().map(|s| (s.tag, s.confidence))
    }

    #[test]
    fn recognises_each_kind_from_values_and_names() {
        let emails = ["ana@example.org", "j.doe@mail.co.uk", "x_y+z@web.de", "not an email"];
        let (tag, conf) = best("contact", &emails).unwrap();
        assert_eq!(tag, PiiTag::Email);
        assert!(conf > 0.6 && conf < 0.7, "{conf}");
        assert!(best("email_addr", &emails).unwrap().1 > conf, "the name adds confidence");
        assert_eq!(
            best("mobile", &["+33 6 12 34 56 78", "+1 415-555-0101", "(212) 555 0199"]).unwrap().0,
            PiiTag::Phone
        );
        assert_eq!(best("card", &["4111 1111 1111 1111", "5500005555555559"]).unwrap().0, PiiTag::PaymentCard);
        assert_eq!(best("x", &["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"]).unwrap().0, PiiTag::Iban);
        assert_eq!(best("ssn", &["123-45-6789", "078-05-1120"]).unwrap().0, PiiTag::NationalId);
        assert_eq!(best("client_ip", &["10.0.0.1", "2001:db8::1"]).unwrap().0, PiiTag::IpAddress);
        assert_eq!(best("first_name", &["Zoë", "Jean-Luc", "O'Brien"]).unwrap().0, PiiTag::PersonName);
        assert_eq!(
            best("street_address", &["12 rue de la Paix", "Hauptstraße 5", "221B Baker Street"]).unwrap().0,
            PiiTag::StreetAddress
        );
        assert_eq!(best("postal_code", &["75011", "1012 AB", "01310-100", "SW1A 1AA"]).unwrap().0, PiiTag::PostalCode);
        assert_eq!(
            classify_column("birth_date", &["1980-02-03", "2001-12-31"], true).first().map(|s| s.tag),
            Some(PiiTag::BirthDate)
        );
        let texts =
            ["Please call me at +33 6 12 34 56 78 tomorrow", "My card 4111 1111 1111 1111 was charged twice", "Thanks"];
        assert_eq!(best("body", &texts).unwrap().0, PiiTag::FreeTextPii);
    }

    #[test]
    fn ordinary_columns_are_left_alone() {
        assert_eq!(best("amount", &["12.50", "3.99", "100"]), None);
        assert_eq!(best("status", &["shipped", "delivered", "placed"]), None);
        assert_eq!(best("order_id", &["100001", "100002"]), None);
        assert_eq!(best("city", &["Paris", "Lyon", "Berlin"]), None, "capitalised words are not names without a name");
        assert_eq!(best("zip_archive", &["a.zip"]), None);
        assert_eq!(best("card_type", &["visa", "mastercard"]), None);
        // Luhn-invalid 16-digit numbers are not cards.
        assert_eq!(best("ref", &["1234567812345678", "1111222233334444"]), None);
    }

    #[test]
    fn evidence_reads_like_a_sentence() {
        let s = &classify_column("email_addr", &["a@b.org", "c@d.org", "bad"], false)[0];
        assert_eq!(s.evidence, "2 of 3 sampled values are valid emails; name `email_addr`");
        assert_eq!((s.matched, s.sampled), (2, 3));
    }

    #[test]
    fn tags_parse_and_print() {
        for t in PiiTag::ALL {
            assert_eq!(t.as_str().parse::<PiiTag>().unwrap(), t);
        }
        assert!("passport".parse::<PiiTag>().unwrap_err().contains("email"));
    }
}
