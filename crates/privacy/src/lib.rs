//! # steward-privacy
//!
//! Owns masking and its measurement: applying the rules of the catalog `steward-model` defines
//! (null, redact, constant, partial, keyed pseudonym, format-preserving encryption, key
//! remapping, generalisation, noise, shuffle, synthetic substitution with `fake`, linked fake
//! addresses) to columns, what each guarantees, the determinism contract —
//! every output is a function of (key, rule id, rule version, normalised input) — and the
//! measures a privacy officer reads before data leaves: leaks of original values (in their own
//! rows, and anywhere else in the product, free text included), collisions of
//! remapped keys, and re-identification risk (k-anonymity, l-diversity, prosecutor risk).
//!
//! It works on Polars frames and a 32-byte key handed to it. It must not read sources, know
//! about workspaces or IPC, or fetch keys: keys come from the OS keychain through the caller,
//! and no mapping from original to masked values is ever stored.

mod catalog;
mod crypto;
mod fakes;
mod generalise;
mod mask;
mod par;
mod risk;
mod spread;

pub use catalog::{properties, properties_on, AddressPart, Generalise, Rule, RuleKind, RuleProperties};
pub use crypto::{ff1_decrypt_digits, ff1_encrypt_digits, remap_i64, subkey, KeyRemap, MaskingKey};
pub use fakes::{FakeKind, LOCALES};
pub use mask::{apply_rule, apply_rules, reveal, Context};
pub use risk::{collisions, leaks, reidentification, ColumnLeaks, Reidentification};
pub use spread::{found_elsewhere, Clear, FoundElsewhere, Masked, MIN_FREE_TEXT_CHARS};
/// The masking-rule catalog, defined once in `steward-model`.
pub use steward_model::MASKING_CATALOG as CATALOG;

#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// A rule's parameters are wrong; `at` names the rule (`masking.analytics.rules[2]`).
    #[error("{at}: {message}")]
    Rule { at: String, message: String },
    /// A rule cannot mask this column (wrong type, domain too small…).
    #[error("{column}: {message}")]
    Column { column: String, message: String },
    #[error("{at}: {message}")]
    Polars { at: String, message: String },
}

steward_error::error_codes!(PrivacyError {
    Self::Rule { .. } => "privacy.rule",
    Self::Column { .. } => "privacy.column",
    Self::Polars { .. } => "privacy.polars",
});

#[cfg(test)]
mod tests;
