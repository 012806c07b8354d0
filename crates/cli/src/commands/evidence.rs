//! How the CLI shows a publish's evidence and what the central policy finds missing in it.

use steward_app::registry::{Evidence, Shortfall};

use crate::render::clean;

/// The evidence as a few lines: over how many entities and when, validation, quality, and k,
/// leaks and uncovered personal data per profile.
pub fn evidence_text(e: &Evidence) -> String {
    let mut t = format!(
        "evidence: measured {} over {} entities by Steward {}\n  validation: {} errors, {} warnings\n  quality: {} of {} rules pass{}\n",
        clean(&e.measured_at),
        e.entities,
        clean(&e.steward),
        e.validation.errors,
        e.validation.warnings,
        e.quality.passed,
        e.quality.rules,
        if e.quality.failed.is_empty() {
            String::new()
        } else {
            format!(" (failing: {})", e.quality.failed.iter().map(|f| clean(f)).collect::<Vec<_>>().join(", "))
        }
    );
    if e.profiles.is_empty() {
        t.push_str("  no masking profile\n");
    }
    for p in &e.profiles {
        let k = match p.k {
            Some(k) => {
                format!("k = {k} over {}", p.quasi_identifiers.iter().map(|q| clean(q)).collect::<Vec<_>>().join(", "))
            }
            None => "k unmeasured (no quasi-identifiers)".into(),
        };
        t.push_str(&format!(
            "  profile {}: {} rules, {k}, {} leaks, {} uncovered{}\n",
            clean(&p.name),
            p.masked.len(),
            p.leaks,
            p.uncovered.len(),
            if p.uncovered.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.uncovered.iter().map(|u| clean(u)).collect::<Vec<_>>().join(", "))
            }
        ));
    }
    t
}

/// Each shortfall on its own line with its fix.
pub fn shortfalls_text(s: &[Shortfall]) -> String {
    if s.is_empty() {
        return "meets the central policy of its domain\n".into();
    }
    let mut t = format!("misses the central policy of its domain ({} requirements):\n", s.len());
    for x in s {
        t.push_str(&format!("  {}: {}\n    fix: {}\n", clean(&x.requirement), clean(&x.message), clean(&x.fix)));
    }
    t
}
