//! The privacy officer's shapes: privacy reports, masked rows side by side, revealing FF1 values.

use super::*;

/// Arguments of `privacy_report`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrivacyRequest {
    pub product_id: String,
    pub profile: String,
    /// Quasi-identifiers (entity fields); absent: the profile's.
    pub quasi: Option<Vec<String>>,
    pub sensitive: Option<String>,
}

impl PrivacyRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_source_id(&self.profile).map_err(|_| IpcError::invalid_input("profile: not a profile name"))?;
        if self.quasi.as_ref().is_some_and(|q| q.len() > 32) {
            return Err(IpcError::invalid_input("quasi: at most 32 fields"));
        }
        for q in self.quasi.iter().flatten() {
            check_text("quasi", Some(q), 256)?;
        }
        check_text("sensitive", self.sensitive.as_deref(), 256)
    }
}

/// What the privacy officer's view shows for one profile: the same report `steward privacy
/// check --format json` prints.
pub use steward_app::PrivacyReport;

/// Arguments of `masked_rows`: rows of one table of the product (the entity, or a related
/// table), masked or (for revealed columns) original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MaskedRowsRequest {
    pub product_id: String,
    pub profile: String,
    /// `entity` (absent) or a related table's name.
    pub table: Option<String>,
    /// `masked`, or `original` (then only `columns` are sent: originals are revealed per column).
    pub side: String,
    pub columns: Option<Vec<String>>,
    pub limit: u32,
}

impl MaskedRowsRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_source_id(&self.profile).map_err(|_| IpcError::invalid_input("profile: not a profile name"))?;
        if self.side != "masked" && self.side != "original" {
            return Err(IpcError::invalid_input("side: `masked` or `original`"));
        }
        check_text("table", self.table.as_deref(), 256)?;
        if self.side == "original" && self.columns.as_ref().is_none_or(|c| c.is_empty()) {
            return Err(IpcError::invalid_input("columns: name the revealed columns to show originals"));
        }
        for c in self.columns.iter().flatten() {
            check_text("columns", Some(c), 256)?;
        }
        if self.limit == 0 || self.limit > 10_000 {
            return Err(IpcError::invalid_input("limit: must be 1-10,000"));
        }
        Ok(())
    }
}

/// Arguments of `privacy_reveal`: masked values of one field to give back to a key holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevealRequest {
    pub product_id: String,
    pub profile: String,
    /// `card_number` (entity) or `orders.card`.
    pub field: String,
    pub values: Vec<String>,
    /// The key version the values were masked with; absent: the profile's current one.
    pub key_version: Option<u32>,
}

impl RevealRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        validate_source_id(&self.profile).map_err(|_| IpcError::invalid_input("profile: not a profile name"))?;
        check_text("field", Some(&self.field), 256)?;
        if self.field.trim().is_empty() {
            return Err(IpcError::invalid_input("field: name the masked field"));
        }
        if self.values.is_empty() || self.values.len() > 1_000 {
            return Err(IpcError::invalid_input("values: 1-1,000 masked values"));
        }
        for v in &self.values {
            check_text("values", Some(v), 256)?;
        }
        if self.key_version == Some(0) {
            return Err(IpcError::invalid_input("key_version: versions start at 1"));
        }
        Ok(())
    }
}
