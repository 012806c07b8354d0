//! Synthetic values with `fake`, drawn from a generator seeded by the keyed hash of the input:
//! the same input and key give the same fake value in every table, run and machine.

use fake::faker::address::raw::{BuildingNumber, CityName, StreetName, ZipCode};
use fake::faker::company::raw::CompanyName;
use fake::faker::name::raw::{FirstName, LastName};
use fake::faker::phone_number::raw::PhoneNumber;
use fake::locales::{Data, DE_DE, EN, FR_FR, IT_IT, NL_NL, PT_BR};
use fake::Fake;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steward_classify::{iban_check_digits, luhn_check_digit};

/// What a `fake` rule substitutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeKind {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    StreetAddress,
    City,
    PostalCode,
    Company,
    Iban,
    Card,
}

impl FakeKind {
    pub const ALL: &'static [(&'static str, FakeKind)] = &[
        ("name", FakeKind::Name),
        ("first_name", FakeKind::FirstName),
        ("last_name", FakeKind::LastName),
        ("email", FakeKind::Email),
        ("phone", FakeKind::Phone),
        ("street_address", FakeKind::StreetAddress),
        ("city", FakeKind::City),
        ("postal_code", FakeKind::PostalCode),
        ("company", FakeKind::Company),
        ("iban", FakeKind::Iban),
        ("card", FakeKind::Card),
    ];

    pub fn parse(s: &str) -> Option<FakeKind> {
        FakeKind::ALL.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }
}

/// The locales fakes are made in: the catalog's.
pub use steward_model::masking::LOCALES;

/// A generator for one value, seeded by 32 bytes of keyed hash.
pub(crate) fn rng(seed: [u8; 32]) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(seed)
}

trait Locale: Data + Copy + fake::faker::impls::address::CityNameGenFn {}
impl<T: Data + Copy + fake::faker::impls::address::CityNameGenFn> Locale for T {}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

fn ascii(s: &str) -> String {
    deunicode::deunicode(s).to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

fn iban(rng: &mut ChaCha8Rng, country: &str) -> String {
    let bban = digits(rng, 18);
    format!("{country}{:02}{bban}", iban_check_digits(country, &bban))
}

fn generate<L: Locale>(loc: L, country: &str, kind: FakeKind, rng: &mut ChaCha8Rng) -> String {
    match kind {
        FakeKind::Name => {
            let first: String = FirstName(loc).fake_with_rng(rng);
            let last: String = LastName(loc).fake_with_rng(rng);
            format!("{first} {last}")
        }
        FakeKind::FirstName => FirstName(loc).fake_with_rng(rng),
        FakeKind::LastName => LastName(loc).fake_with_rng(rng),
        FakeKind::Email => {
            let first: String = FirstName(loc).fake_with_rng(rng);
            let last: String = LastName(loc).fake_with_rng(rng);
            let domain = ["example.com", "example.org", "example.net"][rng.random_range(0..3usize)];
            format!("{}.{}{}@{domain}", ascii(&first), ascii(&last), rng.random_range(1..100u32))
        }
        FakeKind::Phone => PhoneNumber(loc).fake_with_rng(rng),
        FakeKind::StreetAddress => {
            let number: String = BuildingNumber(loc).fake_with_rng(rng);
            let street: String = StreetName(loc).fake_with_rng(rng);
            format!("{number} {street}")
        }
        FakeKind::City => CityName(loc).fake_with_rng(rng),
        FakeKind::PostalCode => ZipCode(loc).fake_with_rng(rng),
        FakeKind::Company => CompanyName(loc).fake_with_rng(rng),
        FakeKind::Iban => iban(rng, country),
        FakeKind::Card => {
            let payload = format!("4{}", digits(rng, 14));
            format!("{payload}{}", luhn_check_digit(&payload))
        }
    }
}

/// One fake value of `kind` in `locale`, from `rng`.
pub(crate) fn fake_value(kind: FakeKind, locale: &str, rng: &mut ChaCha8Rng) -> String {
    match locale {
        "fr_fr" => generate(FR_FR, "FR", kind, rng),
        "de_de" => generate(DE_DE, "DE", kind, rng),
        "it_it" => generate(IT_IT, "IT", kind, rng),
        "nl_nl" => generate(NL_NL, "NL", kind, rng),
        "pt_br" => generate(PT_BR, "BR", kind, rng),
        _ => generate(EN, "GB", kind, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_pass_luhn_and_ibans_pass_mod_97() {
        for seed in 0..50u8 {
            let mut r = rng([seed; 32]);
            let card = fake_value(FakeKind::Card, "en", &mut r);
            assert_eq!(card.len(), 16);
            assert!(steward_classify::luhn_valid(&card), "{card}");
            let iban = fake_value(FakeKind::Iban, "de_de", &mut r);
            assert!(steward_classify::iban_valid(&iban), "{iban}");
        }
    }
}
