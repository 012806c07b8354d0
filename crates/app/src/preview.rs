//! One-shot product use cases for a definition file — preview (a page or one entity's 360 view,
//! masked or not), quality, reveal, key rotation — and making a new product, shared by the CLI
//! and the desktop. The desktop's repeated views go through [`crate::ProductSession`] instead.

use std::path::Path;

use polars::prelude::DataFrame;
use steward_assembly::{Entity360, RuleResult};
use steward_model::{Columns, Entity, Metadata, ProductDefinition, FORMAT};
use steward_secrets::SecretStore;
use steward_workspace::Workspace;

use crate::AppError;

/// An instance key as a person types it: one value per key field, comma-separated.
pub fn parse_entity_key(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).collect()
}

/// What a preview shows.
pub enum Preview {
    /// A page of the product table, related tables nested.
    Page(DataFrame),
    /// One entity: its root row and its related rows, per table.
    Entity(Entity360),
}

/// The product of `def` — masked with `profile` when given — as a page or, with `entity` (its
/// original key), one entity's 360 view. An unknown entity is an error naming the key.
#[allow(clippy::too_many_arguments)]
pub fn preview_product(
    ws: &Workspace,
    def: &ProductDefinition,
    entity: Option<&[String]>,
    offset: u32,
    limit: u32,
    profile: Option<&str>,
    secrets: &dyn SecretStore,
) -> Result<Preview, AppError> {
    let mut a = crate::assemble_product(ws, def, secrets)?;
    let mut key = entity.map(<[String]>::to_vec);
    let unknown = |k: &[String]| {
        AppError::UnknownEntity(format!("{}: no {} with key {}", def.metadata.name, def.entity.name, k.join(",")))
    };
    if let Some(name) = profile {
        let version = crate::masking_profile(def, name)?.key_version.unwrap_or(1);
        let masking_key = crate::masking_key(secrets, &def.metadata.name, version)?;
        let masked = crate::mask_tables(ws, def, &a, name, &masking_key)?;
        // The steward names an entity by its original key; the masked product knows it by its
        // masked one.
        if let Some(original) = key.take() {
            key = Some(crate::masked_key(&masked, &a.key, &original).ok_or_else(|| unknown(&original))?);
        }
        a = crate::masked_assembled(&a, &masked);
    }
    match key {
        None => Ok(Preview::Page(a.product_page(i64::from(offset), limit.clamp(1, 100_000))?)),
        Some(k) => {
            let view = a.entity_360(&k)?;
            if view.entity.height() == 0 {
                return Err(unknown(&k));
            }
            Ok(Preview::Entity(view))
        }
    }
}

/// The quality rules of `def` evaluated on its assembled product.
pub fn product_quality(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
) -> Result<Vec<RuleResult>, AppError> {
    let a = crate::assemble_product(ws, def, secrets)?;
    Ok(a.evaluate_quality(&def.quality)?)
}

/// The product of `def` masked with `profile` and measured: leaks, collisions, risk, and the
/// profile's thresholds broken (`violations`).
pub fn check_privacy(
    ws: &Workspace,
    def: &ProductDefinition,
    profile: &str,
    quasi: Option<&[String]>,
    sensitive: Option<&str>,
    secrets: &dyn SecretStore,
) -> Result<crate::PrivacyReport, AppError> {
    let a = crate::assemble_product(ws, def, secrets)?;
    Ok(crate::privacy_report(ws, def, &a, profile, secrets, quasi, sensitive)?.0)
}

/// The originals of `values` masked in `field` by `profile` with a reversible rule.
pub fn reveal(
    ws: &Workspace,
    def: &ProductDefinition,
    profile: &str,
    field: &str,
    values: &[String],
    key_version: Option<u32>,
    secrets: &dyn SecretStore,
) -> Result<Vec<String>, AppError> {
    let a = crate::assemble_product_scanned(ws, def, secrets)?;
    crate::reveal_values(ws, def, &a, profile, field, values, secrets, key_version)
}

/// Moves `profile` of the definition in `file` to a new masking key and saves the file
/// atomically, keeping its comments. Returns the definition and the new key version.
pub fn rotate_key_in_file(
    file: &Path,
    profile: &str,
    secrets: &dyn SecretStore,
) -> Result<(ProductDefinition, u32), AppError> {
    let previous = std::fs::read_to_string(file)
        .map_err(|source| steward_model::ModelError::Io { path: file.to_path_buf(), source })?;
    let mut def = steward_model::parse(&previous, file)?;
    let version = crate::rotate_masking_key(&mut def, profile, secrets)?;
    steward_workspace::write_atomic(file, steward_model::to_yaml_replacing(&def, &previous).as_bytes())?;
    Ok((def, version))
}

/// What a steward says to start a product: an id, the entity's business name, its root source
/// and the column(s) identifying one entity, and who answers for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub id: String,
    pub entity: String,
    pub source_id: String,
    pub key: Vec<String>,
    pub owner: String,
}

impl NewProduct {
    /// The new product's definition: the root source with all its columns, no related tables.
    pub fn definition(&self) -> ProductDefinition {
        ProductDefinition {
            steward: FORMAT.into(),
            metadata: Metadata {
                name: self.id.clone(),
                domain: domain_of(&self.entity),
                owner: self.owner.trim().to_string(),
                description: None,
                version: "0.1.0".into(),
                tags: vec![],
            },
            entity: Entity {
                name: self.entity.trim().to_string(),
                source: self.source_id.clone(),
                key: if self.key.len() == 1 {
                    Columns::One(self.key[0].clone())
                } else {
                    Columns::Many(self.key.clone())
                },
                fields: vec![],
                derived: vec![],
            },
            related: vec![],
            reference: vec![],
            quality: vec![],
            masking: Default::default(),
        }
    }
}

/// A registry domain from an entity's business name: `Customer Account` → `customer-account`.
fn domain_of(entity: &str) -> String {
    let mut out = String::new();
    for c in entity.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Creates a product over one root source: the id must be new, the source must exist and read,
/// and the key columns must be columns of it. Nothing is written when any of that fails.
pub fn new_product(ws: &Workspace, req: &NewProduct, secrets: &dyn SecretStore) -> Result<String, AppError> {
    crate::check_id("product", &req.id)?;
    // The id is also the product's name, which the registry and key names use.
    steward_model::check_product_name(&req.id).map_err(AppError::InvalidInput)?;
    crate::check_id("source", &req.source_id)?;
    if req.entity.trim().is_empty() {
        return Err(AppError::InvalidInput("entity: give the entity a name".into()));
    }
    if req.owner.trim().is_empty() {
        return Err(AppError::InvalidInput("owner: say who answers for the product".into()));
    }
    if req.key.is_empty() || req.key.len() > 8 {
        return Err(AppError::InvalidInput("key: choose 1-8 key columns".into()));
    }
    let columns: Vec<String> =
        crate::target(ws, &req.source_id, secrets)?.inspect()?.columns.into_iter().map(|c| c.name).collect();
    for k in &req.key {
        if !columns.contains(k) {
            return Err(AppError::InvalidInput(format!(
                "key: `{k}` is not a column of source `{}`; it has: {}",
                req.source_id,
                columns.join(", ")
            )));
        }
    }
    crate::create_product(ws, &req.id, &req.definition())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_registry_names() {
        assert_eq!(domain_of("Customer"), "customer");
        assert_eq!(domain_of(" Customer  Account "), "customer-account");
        assert_eq!(domain_of("Café/Order"), "caf-order");
        assert_eq!(parse_entity_key("C-1, 7"), vec!["C-1".to_string(), "7".to_string()]);
    }
}
