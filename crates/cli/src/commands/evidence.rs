//! How the CLI shows a publish's evidence and what the central policy finds missing in it.

use steward_app::registry::{Evidence, Requirements, Shortfall};

use crate::render::clean;

/// The evidence as a few lines: over how many entities and when, validation, quality, and k,
/// leaks and uncovered personal data per profile.
pub fn evidence_text(e: &Evidence) -> String {
    let mut t = format!(
        "evidence: measured {} over {} by Steward {}\n  validation: {}, {}\n  quality: {} of {} rules pass{}\n",
        clean(&e.measured_at),
        steward_app::display::count(e.entities, "entity", "entities"),
        clean(&e.steward),
        steward_app::display::count(u64::from(e.validation.errors), "error", "errors"),
        steward_app::display::count(u64::from(e.validation.warnings), "warning", "warnings"),
        e.quality.passed,
        e.quality.rules,
        if e.quality.failed.is_empty() {
            String::new()
        } else {
            format!(" (failing: {})", e.quality.failed.iter().map(|f| clean(f)).collect::<Vec<_>>().join(", "))
        }
    );
    if !e.dismissed.is_empty() {
        let list: Vec<String> =
            e.dismissed.iter().map(|f| format!("{} ({})", clean(&f.field), clean(&f.tag))).collect();
        t.push_str(&format!("  personal data the steward dismissed: {}\n", list.join(", ")));
    }
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
    let mut t = format!("misses the central policy of its domain ({}):\n", requirements_count(s));
    for x in s {
        t.push_str(&format!("  {}: {}\n    fix: {}\n", clean(&x.requirement), clean(&x.message), clean(&x.fix)));
    }
    t
}

/// `1 requirement`, `3 requirements`.
pub fn requirements_count(s: &[Shortfall]) -> String {
    format!("{} requirement{}", s.len(), if s.len() == 1 { "" } else { "s" })
}

/// What an officer's override waives, and whose it is; nothing without one.
pub fn waived_text(waived: &[Shortfall], officer: Option<&str>) -> String {
    let Some(officer) = officer else { return String::new() };
    let mut t = format!("override co-signed by {}:\n", clean(officer));
    if waived.is_empty() {
        t.push_str("  it waives nothing this draft misses\n");
    }
    for x in waived {
        t.push_str(&format!("  waived {}: {}\n", clean(&x.requirement), clean(&x.message)));
    }
    t
}

/// The central policy's requirements, one block per group of domains.
pub fn requirements_text(list: &[Requirements]) -> String {
    if list.is_empty() {
        return "no central requirements: evidence is recorded but not judged\n".into();
    }
    let mut t = String::new();
    for r in list {
        let mut asks = vec![];
        if let Some(n) = r.max_validation_errors {
            asks.push(format!("validation errors <= {n}"));
        }
        if let Some(n) = r.min_quality_pct {
            asks.push(format!("quality >= {n}%"));
        }
        if let Some(n) = r.max_leaks {
            asks.push(format!("leaks <= {n}"));
        }
        if let Some(n) = r.min_k {
            asks.push(format!("k >= {n}"));
        }
        if let Some(n) = r.max_uncovered {
            asks.push(format!("uncovered <= {n}"));
        }
        for m in &r.masked {
            let how = if m.rules.is_empty() { "any rule".to_string() } else { m.rules.join(" or ") };
            asks.push(format!("{} masked by {how}{}", m.tag, if m.irreversible { ", irreversibly" } else { "" }));
        }
        t.push_str(&format!(
            "requirements for {}: {}\n  officers: {}\n",
            clean(&r.domains.join(", ")),
            clean(&asks.join("; ")),
            if r.officers.is_empty() {
                "none (no override possible)".to_string()
            } else {
                r.officers.iter().map(|k| k.fingerprint()).collect::<Vec<_>>().join(", ")
            }
        ));
    }
    t
}
