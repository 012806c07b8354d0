//! The evidence a publish carries: the product measured on the steward's data — data-level
//! validation, quality rules, and every masking profile's privacy check — reduced to counts,
//! measures, thresholds and field names. No data value ever enters it.

use steward_model::{ProductDefinition, Severity};
use steward_registry_client::evidence::{
    Evidence, MaskedFieldEvidence, PersonalField, ProfileEvidence, QualityEvidence, ValidationEvidence,
};
use steward_secrets::SecretStore;
use steward_workspace::Workspace;

use crate::coverage::field_path;
use crate::AppError;

/// Measures `def` on the data of `ws`. Validation errors do not stop it (they are counted), but
/// a product whose data cannot be assembled cannot be measured, and says why.
pub fn measure_evidence(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
) -> Result<Evidence, AppError> {
    let issues = crate::validate_product(ws, def, secrets)?;
    let count = |s: Severity| issues.iter().filter(|i| i.severity == s).count() as u32;
    let validation = ValidationEvidence { errors: count(Severity::Error), warnings: count(Severity::Warning) };
    let a = crate::assemble_product(ws, def, secrets)
        .map_err(|e| AppError::InvalidInput(format!("the product cannot be measured for publishing: {e}")))?;
    let entities = a.count()?;
    let results = a.evaluate_quality(&def.quality)?;
    let quality = QualityEvidence {
        rules: results.len() as u32,
        passed: results.iter().filter(|r| r.passed).count() as u32,
        failed: results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| {
                let table =
                    if r.table == steward_model::ENTITY_TABLE { String::new() } else { format!("{}.", r.table) };
                format!("{} {table}{}", r.rule, r.columns.join(","))
            })
            .collect(),
    };
    let mut personal_data = None;
    let mut profiles = vec![];
    for name in def.masking.keys() {
        let (report, masked) = crate::masking::privacy_report(ws, def, &a, name, secrets, None, None)?;
        if personal_data.is_none() {
            personal_data = Some(crate::coverage::personal_data(
                ws,
                def,
                masked.tables.iter().map(|(t, original, _)| (t.as_str(), original)),
            ));
        }
        profiles.push(ProfileEvidence {
            name: name.clone(),
            masked: report
                .fields
                .iter()
                .map(|f| MaskedFieldEvidence {
                    field: field_path(&f.table, &f.field),
                    rule: f.rule.clone(),
                    reversible: f.properties.reversible,
                })
                .collect(),
            k: report.risk.as_ref().map(|r| r.k),
            quasi_identifiers: report.risk.as_ref().map(|r| r.quasi_identifiers.clone()).unwrap_or_default(),
            leaks: report.total_leaks,
            uncovered: report
                .uncovered
                .iter()
                .map(|u| format!("{} {}", field_path(&u.table, &u.field), u.tag))
                .collect(),
            violations: report.violations.clone(),
        });
    }
    let personal_data = match personal_data {
        Some(p) => p,
        // No profile: the product's own tables, as they are.
        None => {
            let tables = crate::masking::original_tables(&a)?;
            crate::coverage::personal_data(ws, def, tables.iter().map(|(t, df)| (t.as_str(), df)))
        }
    };
    Ok(Evidence {
        measured_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        steward: env!("CARGO_PKG_VERSION").to_string(),
        entities,
        validation,
        quality,
        personal_data: fields(personal_data.iter().filter(|u| u.why != crate::coverage::DISMISSED)),
        dismissed: fields(personal_data.iter().filter(|u| u.why == crate::coverage::DISMISSED)),
        profiles,
    })
}

fn fields<'a>(found: impl Iterator<Item = &'a crate::Uncovered>) -> Vec<PersonalField> {
    found.map(|u| PersonalField { field: field_path(&u.table, &u.field), tag: u.tag.clone() }).collect()
}
