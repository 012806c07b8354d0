//! # steward-model
//!
//! Owns the *data product definition*: one human-readable YAML file per product, diffable in
//! git, describing a business entity as a tree — its root table and instance key, related tables
//! joined to it or to each other at any depth (customer → invoices → lines), lookup tables at any
//! level ([`Tree`] walks them), selected and renamed fields, derived fields as SQL expressions,
//! quality rules, and masking profiles. It also owns the masking-rule catalog ([`masking`]): every
//! rule a definition may name, as one serde-tagged enum with typed parameters, so a definition
//! with an unknown rule or parameter does not parse. Its JSON Schema (`schemas/product-v1.schema.json`) is
//! generated from these types; a test fails when the committed file is stale.
//!
//! This crate parses and checks a definition on its own (structure, names, references between
//! its parts) and reports problems with precise paths (`related[orders].join[0].parent`). It must
//! not read data or workspaces: checks against the sources' columns and rows live in
//! `steward-app`. Sources are referenced by workspace source id, never by credentials.

mod check;
mod diff;
mod emit;
pub mod masking;
mod odcs;
mod tree;
mod types;

pub use check::{check, check_product_name, is_name, Issue, Severity, MAX_DEPTH};
pub use diff::{bump_between, diff, Bump, Change, Diff};
pub use masking::{Masking, CATALOG as MASKING_CATALOG};
pub use odcs::{to_odcs, ODCS_API_VERSION};
pub use tree::{split_field_path, LookupNode, TableNode, Tree};
pub use types::*;

use std::path::{Path, PathBuf};

/// The format and version written in every definition's `steward:` key.
pub const FORMAT: &str = "steward.product/v1";

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse { path: PathBuf, line: Option<usize>, message: String },
}

steward_error::error_codes!(ModelError {
    Self::Io { .. } => "model.io",
    Self::Parse { .. } => "model.parse",
});

/// Parses a definition from YAML text; `path` only names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<ProductDefinition, ModelError> {
    serde_norway::from_str(text).map_err(|e| {
        // The line is already in `path:line`; the parser's own "at line L column C" would say it twice.
        let mut message = e.to_string();
        if let Some(at) = message.rfind(" at line ") {
            if message[at + 9..].split(" column ").all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())) {
                message.truncate(at);
            }
        }
        ModelError::Parse { path: path.to_path_buf(), line: e.location().map(|l| l.line()), message }
    })
}

/// Reads and parses a definition file.
pub fn load(path: &Path) -> Result<ProductDefinition, ModelError> {
    let text = std::fs::read_to_string(path).map_err(|source| ModelError::Io { path: path.to_path_buf(), source })?;
    parse(&text, path)
}

/// The definition as YAML, in the canonical field order of the types: block structure, one line
/// per field, join pair or rule, strings quoted only where YAML needs it.
pub fn to_yaml(def: &ProductDefinition) -> String {
    to_yaml_after(def, "")
}

/// The definition as YAML replacing `previous` (the file's current text): its leading comment
/// lines are kept, so a steward's header note survives edits made in the modeller.
pub fn to_yaml_replacing(def: &ProductDefinition, previous: &str) -> String {
    let header = emit::header_of(previous);
    match (serde_norway::to_value(def), serde_norway::from_str::<serde_norway::Value>(previous)) {
        // Keys keep the order the file gave them (`max_leaks` before `min_k` if written so): an
        // edit changes its own lines, never the order of its neighbours'.
        (Ok(v), Ok(before)) => emit::emit(&emit::in_order_of(v, &before), &header),
        _ => to_yaml_after(def, &header),
    }
}

fn to_yaml_after(def: &ProductDefinition, header: &str) -> String {
    match serde_norway::to_value(def) {
        Ok(v) => emit::emit(&v, header),
        Err(e) => format!("{header}# could not serialise: {e}\n"),
    }
}

/// The JSON Schema of the format, as committed in `schemas/`. Keys are sorted, so the text does
/// not depend on which features of `serde_json` the build happens to enable.
pub fn json_schema() -> String {
    fn sorted(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut entries: Vec<(String, serde_json::Value)> = m.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let schema = serde_json::to_value(schemars::schema_for!(ProductDefinition)).unwrap_or_default();
    serde_json::to_string_pretty(&sorted(schema)).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod edits;
#[cfg(test)]
mod tests;
