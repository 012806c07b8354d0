//! The modeller's shapes: product documents with their layout, saves, new products, changes on disk.

use super::*;

/// Where a node sits on the modeller's canvas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasPosition {
    pub x: f64,
    pub y: f64,
}

/// A product definition opened in the modeller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductDocument {
    pub product_id: String,
    /// Identifies the file's content; saves name the revision they build on.
    pub revision: String,
    pub definition: steward_model::ProductDefinition,
    /// Node positions by node id (`entity`, `related:orders`, `reference:country`).
    pub layout: std::collections::BTreeMap<String, CanvasPosition>,
    /// Problems found without reading data (names, references, rules).
    pub issues: Vec<ModelIssue>,
}

impl ProductDocument {
    pub fn from_core(product_id: &str, d: steward_app::ProductDocument) -> Self {
        ProductDocument {
            product_id: product_id.to_string(),
            revision: d.revision,
            issues: steward_model::check(&d.definition),
            definition: d.definition,
            layout: d.layout.into_iter().map(|(k, p)| (k, CanvasPosition { x: p.x, y: p.y })).collect(),
        }
    }
}

/// Arguments of `save_product`: the whole edited definition and the revision it was based on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveProductRequest {
    pub product_id: String,
    pub base_revision: String,
    pub definition: steward_model::ProductDefinition,
}

/// Arguments of `check_draft`: an edited definition of a product, not saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckDraftRequest {
    pub product_id: String,
    pub definition: steward_model::ProductDefinition,
}

impl CheckDraftRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_definition(&self.definition)
    }
}

/// Limits that keep one request from a misbehaving UI from writing an absurd file.
const MAX_TABLES: usize = 200;
const MAX_FIELDS: usize = 5_000;
const MAX_TEXT: usize = 10_000;

/// Checks sizes and characters of a definition sent by the UI; its meaning is checked by
/// `steward_model::check`, whose findings are shown to the steward rather than refused.
pub fn validate_definition(def: &steward_model::ProductDefinition) -> Result<(), IpcError> {
    let tree = def.tree();
    if tree.nodes.len() + tree.lookups.len() > MAX_TABLES {
        return Err(IpcError::invalid_input(format!("definition: more than {MAX_TABLES} tables")));
    }
    let fields = def.entity.fields.len()
        + def.entity.derived.len()
        + tree.nodes.iter().map(|n| n.table.fields.len() + n.table.derived.len()).sum::<usize>()
        + tree.lookups.iter().map(|l| l.reference.fields.len()).sum::<usize>();
    if fields > MAX_FIELDS {
        return Err(IpcError::invalid_input(format!("definition: more than {MAX_FIELDS} fields")));
    }
    let text = serde_json::to_string(def).map_err(|e| IpcError::invalid_input(format!("definition: {e}")))?;
    if text.len() > MAX_FIELDS * MAX_TEXT / 10 {
        return Err(IpcError::invalid_input("definition: larger than 5 MB"));
    }
    let derived = def.entity.derived.iter().chain(tree.nodes.iter().flat_map(|n| n.table.derived.iter()));
    for d in derived {
        if d.sql.len() > MAX_TEXT {
            return Err(IpcError::invalid_input(format!(
                "derived field `{}`: SQL longer than {MAX_TEXT} bytes",
                d.name
            )));
        }
    }
    if text.contains("\\u0000") {
        return Err(IpcError::invalid_input("definition: contains a NUL character"));
    }
    Ok(())
}

impl SaveProductRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if self.base_revision.len() != 16 || !self.base_revision.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(IpcError::invalid_input("baseRevision: not a revision"));
        }
        validate_definition(&self.definition)
    }
}

/// What a save answers: the new revision and the problems found without reading data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedProduct {
    pub revision: String,
    pub issues: Vec<ModelIssue>,
}

/// Arguments of `save_layout`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveLayoutRequest {
    pub product_id: String,
    pub layout: std::collections::BTreeMap<String, CanvasPosition>,
}

impl SaveLayoutRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if self.layout.len() > MAX_TABLES + 1 {
            return Err(IpcError::invalid_input("layout: too many nodes"));
        }
        for (id, p) in &self.layout {
            if id.len() > 200 || id.chars().any(char::is_control) || !p.x.is_finite() || !p.y.is_finite() {
                return Err(IpcError::invalid_input(format!("layout: bad position of `{}`", id.escape_debug())));
            }
        }
        Ok(())
    }

    pub fn into_core(self) -> steward_app::Layout {
        self.layout.into_iter().map(|(k, p)| (k, steward_app::Position { x: p.x, y: p.y })).collect()
    }
}

/// Arguments of `create_product`: a new product over one root source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateProductRequest {
    /// File stem and product name: lowercase letters, digits, `-` and `_`.
    pub product_id: String,
    /// Business name of the entity (`Customer`).
    pub entity: String,
    pub source_id: String,
    /// Column(s) of the source that identify one entity.
    pub key: Vec<String>,
    /// Who answers for the product (a team or an address).
    pub owner: String,
}

impl CreateProductRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if !self.product_id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err(IpcError::invalid_input("productId: use lowercase letters, digits, `-` and `_`"));
        }
        validate_source_id(&self.source_id)?;
        check_text("entity", Some(&self.entity), 100)?;
        if self.entity.trim().is_empty() {
            return Err(IpcError::invalid_input("entity: give the entity a name"));
        }
        check_text("owner", Some(&self.owner), 200)?;
        if self.owner.trim().is_empty() {
            return Err(IpcError::invalid_input("owner: say who answers for the product"));
        }
        if self.key.is_empty() || self.key.len() > 8 {
            return Err(IpcError::invalid_input("key: choose 1-8 key columns"));
        }
        for k in &self.key {
            check_text("key", Some(k), 200)?;
        }
        Ok(())
    }

    /// What the steward asked for, as the use case takes it.
    pub fn into_core(self) -> steward_app::NewProduct {
        steward_app::NewProduct {
            id: self.product_id,
            entity: self.entity,
            source_id: self.source_id,
            key: self.key,
            owner: self.owner,
        }
    }
}

/// Sent on the `watch_products` channel when definition files change on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductsChanged {
    /// Ids of the products added, edited or removed.
    pub changed: Vec<String>,
    /// The current revision of every product.
    pub revisions: std::collections::BTreeMap<String, String>,
}
