//! The central policy's requirements of a domain's products, and the one judgement of evidence
//! against them ([`judge`]) that the registry, the CLI, the desktop and offline verification share.

use serde::{Deserialize, Serialize};
use steward_signing::PublicKey;

use crate::evidence::Evidence;
use crate::RegistryError;

/// What the central policy asks of every product of some domains. Every field is optional: a
/// policy asks only what it names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Domains held to these requirements; `*` for every domain.
    pub domains: Vec<String>,
    /// Original values found in any profile's masked product, at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub max_leaks: Option<u64>,
    /// Every profile: k over its quasi-identifiers at least this (a profile without
    /// quasi-identifiers fails).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub min_k: Option<u64>,
    /// Personal-data fields left uncovered by any profile, at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub max_uncovered: Option<u64>,
    /// Quality rules passed, in percent of the product's rules, at least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_quality_pct: Option<u32>,
    /// Data-level validation errors, at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_validation_errors: Option<u32>,
    /// Classifications every profile must mask, and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masked: Vec<TagRequirement>,
    /// Privacy officers who may co-sign an override of these requirements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(type = "string[]"))]
    pub officers: Vec<PublicKey>,
}

/// Every field classified `tag` is masked, in every profile, by a rule of `rules` (any rule when
/// empty) — and by a non-reversible one when `irreversible`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TagRequirement {
    pub tag: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    #[serde(default)]
    pub irreversible: bool,
}

/// Names of the requirements a shortfall (and an override) names, before any `[…]` qualifier.
pub const REQUIREMENT_NAMES: [&str; 7] =
    ["max_validation_errors", "min_quality_pct", "profiles", "max_leaks", "min_k", "max_uncovered", "masked"];

/// Whether an override listing `waives` waives the shortfall `requirement`: named exactly
/// (`min_k[analytics]`), or by a prefix that ends where a qualifier starts (`min_k` waives it in
/// every profile, `masked[phone]` waives the phone requirement in every profile).
pub fn waives(waives: &[String], requirement: &str) -> bool {
    waives
        .iter()
        .any(|w| requirement == w || (requirement.starts_with(w.as_str()) && requirement[w.len()..].starts_with('[')))
}

/// Checks one name an override waives: a requirement's name, optionally qualified as shortfalls
/// are (`min_k[analytics]`, `masked[phone][analytics]`).
pub fn check_waived_name(name: &str) -> Result<(), RegistryError> {
    let base = name.split('[').next().unwrap_or_default();
    let rest = &name[base.len()..];
    let mut qualifiers = rest.split_inclusive(']');
    let well_formed =
        qualifiers.all(|q| q.len() > 2 && q.starts_with('[') && q.ends_with(']') && !q[1..].contains('['));
    if !REQUIREMENT_NAMES.contains(&base) || !well_formed {
        return Err(RegistryError::Invalid(format!(
            "`{}` is not a requirement an override can waive: use one of {} as the refused publish listed it \
             (`min_k[analytics]`), or a name alone for every profile",
            name.escape_debug(),
            REQUIREMENT_NAMES.join(", ")
        )));
    }
    crate::check_text("waived requirement", name, false)
}

impl Requirements {
    /// Checks what an admin wrote, naming the requirement (`requirements[0].min_quality_pct`):
    /// a mistake here would otherwise disable a requirement silently or block every publish.
    pub fn check(&self, at: &str) -> Result<(), RegistryError> {
        let bad = |field: &str, m: String| Err(RegistryError::Invalid(format!("{at}.{field}: {m}")));
        if self.domains.is_empty() {
            return bad("domains", "name at least one domain (`*` for every domain)".into());
        }
        for d in &self.domains {
            if d != "*" {
                crate::check_name(&format!("{at}.domains: domain"), d)?;
            }
        }
        if let Some(p) = self.min_quality_pct {
            if p > 100 {
                return bad("min_quality_pct", format!("{p} is not a percentage (0 to 100)"));
            }
        }
        if self.masked.len() > 100 || self.officers.len() > 100 {
            return bad("masked", "at most 100 tag requirements and 100 officers".into());
        }
        for (i, t) in self.masked.iter().enumerate() {
            if !steward_classify::PiiTag::ALL.iter().any(|k| k.as_str() == t.tag) {
                let known: Vec<&str> = steward_classify::PiiTag::ALL.iter().map(|k| k.as_str()).collect();
                return bad(
                    &format!("masked[{i}].tag"),
                    format!(
                        "`{}` is not a personal-data tag Steward knows: {}",
                        t.tag.escape_debug(),
                        known.join(", ")
                    ),
                );
            }
            for r in &t.rules {
                if !steward_model::masking::CATALOG.iter().any(|s| s.name == r) {
                    let known: Vec<&str> = steward_model::masking::CATALOG.iter().map(|s| s.name).collect();
                    return bad(
                        &format!("masked[{i}].rules"),
                        format!("`{}` is not a masking rule: {}", r.escape_debug(), known.join(", ")),
                    );
                }
            }
        }
        Ok(())
    }

    pub fn applies_to(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d == "*" || d == domain)
    }

    /// Whether the requirements ask anything of masking (then a product needs a profile).
    fn asks_privacy(&self) -> bool {
        self.max_leaks.is_some() || self.min_k.is_some() || self.max_uncovered.is_some() || !self.masked.is_empty()
    }
}

/// One requirement the evidence misses: which, what was measured, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shortfall {
    /// `max_leaks`, `min_k`, `masked[email]`…
    pub requirement: String,
    pub message: String,
    pub fix: String,
}

impl std::fmt::Display for Shortfall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} (fix: {})", self.requirement, self.message, self.fix)
    }
}

/// Everything `evidence` misses of `req`, in a stable order; empty when it meets them all.
pub fn judge(req: &Requirements, evidence: &Evidence) -> Vec<Shortfall> {
    let mut out = vec![];
    let mut miss =
        |requirement: String, message: String, fix: String| out.push(Shortfall { requirement, message, fix });
    if let Some(max) = req.max_validation_errors {
        if evidence.validation.errors > max {
            miss(
                "max_validation_errors".into(),
                format!("{} validation errors on the data (at most {max})", evidence.validation.errors),
                "run `steward model validate FILE -w WORKSPACE` and fix the errors it lists".into(),
            );
        }
    }
    if let Some(pct) = req.min_quality_pct {
        let q = &evidence.quality;
        if q.rules == 0 && pct > 0 {
            miss(
                "min_quality_pct".into(),
                format!("the product has no quality rules, so its quality is unmeasured (at least {pct}% required)"),
                "add quality rules (`quality:` in the definition, or the Quality tab)".into(),
            );
        } else if u64::from(q.passed) * 100 < u64::from(pct) * u64::from(q.rules) {
            miss(
                "min_quality_pct".into(),
                format!("{} of {} quality rules pass (at least {pct}% required)", q.passed, q.rules),
                if q.failed.is_empty() {
                    "fix the data or the rules".into()
                } else {
                    format!("fix the data or the rules that fail: {}", q.failed.join(", "))
                },
            );
        }
    }
    if req.asks_privacy() && evidence.profiles.is_empty() {
        miss(
            "profiles".into(),
            "the product has no masking profile, and the policy asks for masking".into(),
            "add a masking profile in the Privacy tab (or `masking:` in the definition)".into(),
        );
    }
    for p in &evidence.profiles {
        if let Some(max) = req.max_leaks {
            if p.leaks > max {
                miss(
                    format!("max_leaks[{}]", p.name),
                    format!("{} original values survive masking in profile `{}` (at most {max})", p.leaks, p.name),
                    "mask the fields the leak check lists, or the copies it found elsewhere".into(),
                );
            }
        }
        if let Some(min) = req.min_k {
            match p.k {
                None => miss(
                    format!("min_k[{}]", p.name),
                    format!(
                        "profile `{}` declares no quasi-identifiers, so k is unmeasured (at least {min} required)",
                        p.name
                    ),
                    format!("name the quasi-identifiers in masking.{}.checks.quasi_identifiers", p.name),
                ),
                Some(k) if k < min => miss(
                    format!("min_k[{}]", p.name),
                    format!(
                        "k = {k} over {} in profile `{}` (at least {min} required)",
                        p.quasi_identifiers.join(", "),
                        p.name
                    ),
                    format!(
                        "generalise {} further (bands, prefixes, coarser dates), or name fewer quasi-identifiers",
                        p.quasi_identifiers.join(", ")
                    ),
                ),
                Some(_) => {}
            }
        }
        if let Some(max) = req.max_uncovered {
            if p.uncovered.len() as u64 > max {
                miss(
                    format!("max_uncovered[{}]", p.name),
                    format!(
                        "{} personal-data fields unmasked in profile `{}` (at most {max}): {}",
                        p.uncovered.len(),
                        p.name,
                        p.uncovered.join(", ")
                    ),
                    "add a rule on each".into(),
                );
            }
        }
        for t in &req.masked {
            // A suggestion the steward dismissed still counts here: only an officer can waive a
            // tag the policy requires masked.
            let dismissed = evidence.dismissed.iter().map(|f| (f, true));
            for (f, was_dismissed) in
                evidence.personal_data.iter().map(|f| (f, false)).chain(dismissed).filter(|(f, _)| f.tag == t.tag)
            {
                let rule = p.masked.iter().find(|m| m.field == f.field);
                let wanted = if t.rules.is_empty() { "a rule".to_string() } else { t.rules.join(" or ") };
                let how = if t.irreversible { format!("{wanted} that cannot be reversed") } else { wanted.clone() };
                let problem = match rule {
                    None if was_dismissed => Some(
                        "is not masked (the steward dismissed Steward's suggestion that it holds this)".to_string(),
                    ),
                    None => Some("is not masked".to_string()),
                    Some(m) if !t.rules.is_empty() && !t.rules.contains(&m.rule) => {
                        Some(format!("is masked by `{}`", m.rule))
                    }
                    Some(m) if t.irreversible && m.reversible => {
                        Some(format!("is masked by `{}`, which the key holder can reverse", m.rule))
                    }
                    Some(_) => None,
                };
                if let Some(problem) = problem {
                    miss(
                        format!("masked[{}][{}]", t.tag, p.name),
                        format!("{} ({}) {problem} in profile `{}`", f.field, t.tag, p.name),
                        format!("mask {} with {how}", f.field),
                    );
                }
            }
        }
    }
    out
}

/// The shortfalls of `evidence` against every requirement of `policy` for `domain`.
pub fn judge_all(policy: &[Requirements], domain: &str, evidence: &Evidence) -> Vec<Shortfall> {
    policy.iter().filter(|r| r.applies_to(domain)).flat_map(|r| judge(r, evidence)).collect()
}
