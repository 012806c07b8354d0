//! Realistic people: names with the letters of their locale, addresses, phones, cards.

use fake::faker::address::raw::{BuildingNumber, CityName, StreetName};
use fake::faker::name::raw::{FirstName, LastName};
use fake::locales::{Data, DE_DE, EN, FR_FR, IT_IT, NL_NL, PT_BR};
use fake::Fake;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The markets the demo company sells in; each customer belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Market {
    Us,
    Fr,
    De,
    Br,
    It,
    Nl,
}

impl Market {
    /// Weighted pick: 35% US, 20% FR, 20% DE, 10% BR, 10% IT, 5% NL.
    pub fn pick(rng: &mut ChaCha8Rng) -> Market {
        match rng.random_range(0..100u32) {
            0..35 => Market::Us,
            35..55 => Market::Fr,
            55..75 => Market::De,
            75..85 => Market::Br,
            85..95 => Market::It,
            _ => Market::Nl,
        }
    }

    pub fn country_code(self) -> &'static str {
        match self {
            Market::Us => "US",
            Market::Fr => "FR",
            Market::De => "DE",
            Market::Br => "BR",
            Market::It => "IT",
            Market::Nl => "NL",
        }
    }

    pub fn currency(self) -> &'static str {
        match self {
            Market::Us => "USD",
            Market::Br => "BRL",
            _ => "EUR",
        }
    }

    fn email_providers(self) -> &'static [&'static str] {
        match self {
            Market::Us => &["gmail.com", "yahoo.com", "outlook.com", "icloud.com"],
            Market::Fr => &["orange.fr", "free.fr", "gmail.com", "laposte.net"],
            Market::De => &["web.de", "gmx.de", "t-online.de", "gmail.com"],
            Market::Br => &["uol.com.br", "gmail.com", "bol.com.br"],
            Market::It => &["libero.it", "gmail.com", "tiscali.it"],
            Market::Nl => &["ziggo.nl", "kpnmail.nl", "gmail.com"],
        }
    }

    /// A postal code in the market's format (`75011`, `01310-100`, `1012 AB`).
    pub fn postal_code(self, rng: &mut ChaCha8Rng) -> String {
        let n = |rng: &mut ChaCha8Rng, lo: u32, hi: u32| rng.random_range(lo..=hi);
        match self {
            Market::Us | Market::It => format!("{:05}", n(rng, 1001, 99_950)),
            Market::Fr => format!("{:02}{:03}", n(rng, 1, 95), n(rng, 0, 999)),
            Market::De => format!("{:05}", n(rng, 1067, 99_998)),
            Market::Br => format!("{:05}-{:03}", n(rng, 1000, 99_999), n(rng, 0, 999)),
            Market::Nl => {
                let a = char::from(b'A' + rng.random_range(0..26u8));
                let b = char::from(b'A' + rng.random_range(0..26u8));
                format!("{} {a}{b}", n(rng, 1011, 9999))
            }
        }
    }

    /// A well-formed international phone number in the market's usual layout.
    pub fn phone(self, rng: &mut ChaCha8Rng) -> String {
        let mut d = |n: usize| -> String { (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect() };
        match self {
            Market::Us => format!(
                "+1 {}-555-{}",
                ["212", "415", "312", "617", "512"][d(1).parse::<usize>().unwrap_or(0) % 5],
                d(4)
            ),
            Market::Fr => format!("+33 6 {} {} {} {}", d(2), d(2), d(2), d(2)),
            Market::De => format!("+49 151 {}", d(8)),
            Market::Br => format!("+55 11 9{}-{}", d(4), d(4)),
            Market::It => format!("+39 3{} {} {}", d(2), d(3), d(4)),
            Market::Nl => format!("+31 6 {}", d(8)),
        }
    }
}

/// One generated person.
#[derive(Debug, Clone)]
pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub street: String,
    pub city: String,
    pub postal_code: String,
}

fn person_in<L: Data + Copy + fake::faker::impls::address::CityNameGenFn>(
    loc: L,
    rng: &mut ChaCha8Rng,
    street_first: bool,
) -> Person {
    let first_name: String = FirstName(loc).fake_with_rng(rng);
    let last_name: String = LastName(loc).fake_with_rng(rng);
    let number: String = BuildingNumber(loc).fake_with_rng(rng);
    let street_name: String = StreetName(loc).fake_with_rng(rng);
    let city: String = CityName(loc).fake_with_rng(rng);
    let street = if street_first { format!("{street_name} {number}") } else { format!("{number} {street_name}") };
    Person { first_name, last_name, street, city, postal_code: String::new() }
}

pub fn person(market: Market, rng: &mut ChaCha8Rng) -> Person {
    let mut p = match market {
        Market::Us => person_in(EN, rng, false),
        Market::Fr => person_in(FR_FR, rng, false),
        Market::De => person_in(DE_DE, rng, true),
        Market::Br => person_in(PT_BR, rng, true),
        Market::It => person_in(IT_IT, rng, true),
        Market::Nl => person_in(NL_NL, rng, true),
    };
    p.postal_code = market.postal_code(rng);
    p
}

/// `first.last42@provider`, transliterated to ASCII as mail systems do.
pub fn email(p: &Person, market: Market, rng: &mut ChaCha8Rng) -> String {
    let clean = |s: &str| -> String {
        deunicode::deunicode(s).to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
    };
    let providers = market.email_providers();
    let provider = providers[rng.random_range(0..providers.len())];
    let (f, l) = (clean(&p.first_name), clean(&p.last_name));
    match rng.random_range(0..4u8) {
        0 => format!("{f}.{l}@{provider}"),
        1 => format!("{}{l}@{provider}", f.chars().next().unwrap_or('x')),
        2 => format!("{f}.{l}{}@{provider}", rng.random_range(1..100u32)),
        _ => format!("{f}_{l}@{provider}"),
    }
}

/// A malformed phone of the kinds CRM systems collect: too short, letters, placeholders.
pub fn malformed_phone(rng: &mut ChaCha8Rng) -> String {
    let bad = ["06-12", "n/a", "+33 6 12 34 5x 78", "000", "call after 6pm", "+49 (0) 151", "12345678901234567"];
    bad[rng.random_range(0..bad.len())].to_string()
}

/// A 16-digit Visa or Mastercard number with a valid Luhn check digit.
pub fn card_number(rng: &mut ChaCha8Rng) -> String {
    let mut digits: Vec<u8> = if rng.random_bool(0.5) { vec![4] } else { vec![5, rng.random_range(1..=5u8)] };
    while digits.len() < 15 {
        digits.push(rng.random_range(0..10u8));
    }
    let payload: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    let check = steward_classify::luhn_check_digit(&payload);
    format!("{payload}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use steward_classify::luhn_valid;

    #[test]
    fn luhn_matches_known_numbers() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("5500005555555559"));
        assert!(!luhn_valid("4111111111111112"));
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..1000 {
            assert!(luhn_valid(&card_number(&mut rng)));
        }
    }
}
