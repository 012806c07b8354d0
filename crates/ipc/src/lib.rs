//! # steward-ipc
//!
//! Owns the shapes that cross the desktop IPC boundary: request and response types, the
//! `{code, message}` error every command returns with the union of every code, and the command
//! table — each command's name, arguments and answer, written once ([`with_commands!`]). The
//! TypeScript in `ui/src/bindings.ts` and `ui/src/commands.ts` is generated from these
//! ([`typescript_bindings`], [`typescript_commands`]); tests fail when it is stale. Where a core
//! type is the shape (an inspection, a profile, a privacy report…) it is re-exported, not mirrored.
//!
//! It converts core results into these shapes and nothing more: no I/O, no Tauri, no Polars
//! calls of its own. Binary previews (Arrow IPC bytes) do not pass through here.

use serde::{Deserialize, Serialize};
use steward_error::ErrorCode;
use ts_rs::TS;

mod commands;
mod modeller;
mod privacy;
mod registry;
mod sources;

pub use commands::{commands, typescript_commands, CommandSig};
pub use modeller::*;
pub use privacy::*;
pub use registry::*;
pub use sources::*;

/// Every failed command resolves to this, as JSON `{"code": "...", "message": "..."}`.
/// `code` is stable and machine-readable (`source.not_found`); `message` is for people and
/// names the file, table, row or field involved. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    #[ts(type = "ErrorCode")]
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        IpcError { code: code.into(), message: message.into() }
    }

    /// A request the shell refused before calling the core (bad argument shape or range).
    pub fn invalid_input(message: impl Into<String>) -> Self {
        IpcError::new("ipc.invalid_input", message)
    }
}

/// Codes the IPC layer and the desktop shell produce themselves.
pub const IPC_CODES: &[&str] = &["app.no_node", "app.state", "app.task", "ipc.invalid_input", "workspace.none"];

/// Codes the UI gives failures that never reached Steward (a crashed call, a lost window).
pub const UI_CODES: &[&str] = &["ui.unexpected"];

/// Every code an `IpcError` may carry, sorted: the TypeScript union the UI matches on.
pub fn error_codes() -> Vec<&'static str> {
    let mut all = steward_app::error_codes();
    all.extend(IPC_CODES);
    all.extend(UI_CODES);
    all.sort_unstable();
    all.dedup();
    all
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<steward_workspace::WorkspaceError> for IpcError {
    fn from(e: steward_workspace::WorkspaceError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<steward_app::AppError> for IpcError {
    fn from(e: steward_app::AppError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<steward_sources::SourceError> for IpcError {
    fn from(e: steward_sources::SourceError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

/// A product definition in the workspace's `products/` folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProductSummary {
    /// File stem, used to address the product in commands.
    pub id: String,
    pub name: String,
    pub version: String,
    pub entity: String,
    pub key: Vec<String>,
    pub related: Vec<String>,
    /// Why the file could not be read, if it could not.
    pub error: Option<IpcError>,
}

impl ProductSummary {
    /// One entry of `products/`: the definition's summary, or why it could not be read.
    pub fn from_listing(id: String, def: Result<steward_model::ProductDefinition, steward_model::ModelError>) -> Self {
        match def {
            Ok(d) => ProductSummary {
                id,
                name: d.metadata.name.clone(),
                version: d.metadata.version.clone(),
                entity: d.entity.name.clone(),
                key: d.entity.key.names().iter().map(|s| s.to_string()).collect(),
                related: d.tree().paths,
                error: None,
            },
            Err(e) => ProductSummary {
                name: id.clone(),
                id,
                version: String::new(),
                entity: String::new(),
                key: vec![],
                related: vec![],
                error: Some(IpcError::new(e.code(), e.to_string())),
            },
        }
    }
}

/// A validation finding at a precise place in the definition: the model's own type.
pub use steward_model::Issue as ModelIssue;

/// A quality rule's result: the assembly's own type.
pub use steward_assembly::RuleResult as QualityResult;

/// Arguments of `product_rows`: a page of the product table, or one entity's rows of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductRowsRequest {
    pub product_id: String,
    /// One value per key field: that entity's rows of `table`. Absent: a page of the product table.
    pub key: Option<Vec<String>>,
    /// `entity` or a related table's name (with `key`).
    pub table: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

impl ProductRowsRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        validate_product_id(&self.product_id)?;
        if self.limit == 0 || self.limit > 10_000 {
            return Err(IpcError::invalid_input("limit: must be 1-10,000"));
        }
        if let Some(k) = &self.key {
            if k.is_empty() || k.len() > 8 || k.iter().any(|v| v.len() > 256 || v.chars().any(char::is_control)) {
                return Err(IpcError::invalid_input("key: 1-8 values of at most 256 characters"));
            }
        }
        check_text("table", self.table.as_deref(), 64)
    }
}

/// Product ids are file stems of `products/*.yaml`: short slugs, never paths.
pub fn validate_product_id(id: &str) -> Result<(), IpcError> {
    validate_source_id(id)
        .map_err(|_| IpcError::invalid_input(format!("productId: `{}` is not a product id", id.escape_debug())))
}

/// Arguments of `profile_column`: one column of a source, or of a product's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ColumnProfileRequest {
    pub source_id: Option<String>,
    pub product_id: Option<String>,
    /// With `productId`: `entity` (default) or a related table's name.
    pub table: Option<String>,
    pub column: String,
}

impl ColumnProfileRequest {
    pub fn validate(&self) -> Result<(), IpcError> {
        match (&self.source_id, &self.product_id) {
            (Some(s), None) => validate_source_id(s)?,
            (None, Some(p)) => validate_product_id(p)?,
            _ => return Err(IpcError::invalid_input("give either sourceId or productId")),
        }
        check_text("table", self.table.as_deref(), 64)?;
        check_text("column", Some(&self.column), 256)?;
        if self.column.is_empty() {
            return Err(IpcError::invalid_input("column: empty"));
        }
        Ok(())
    }
}

/// Declares each named type once, after walking every type it names. Kept by name: the order
/// ts-rs visits a type's fields in changes from build to build, the names do not.
struct Declarations {
    cfg: ts_rs::Config,
    seen: std::collections::HashSet<std::any::TypeId>,
    names: std::collections::BTreeMap<String, String>,
}

impl ts_rs::TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(std::any::TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            let decl = T::decl(&self.cfg);
            match self.names.get(&T::ident(&self.cfg)) {
                // The same TypeScript reached through two Rust paths (`serde_json::Value` and its alias).
                Some(earlier) if *earlier == decl => {}
                Some(_) => panic!("two different types are both named `{}` in TypeScript", T::ident(&self.cfg)),
                None => {
                    self.names.insert(T::ident(&self.cfg), decl);
                }
            }
        } else {
            // A primitive or a wrapper (`Vec<T>`, `Option<T>`): declare what it wraps.
            T::visit_generics(self);
        }
        T::visit_dependencies(self);
    }
}

/// Visits the arguments and answer of every command of the table.
macro_rules! visit_command_types {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        fn visit_command_types(d: &mut Declarations) {
            use ts_rs::TypeVisitor;
            use commands::{ArrowBytes, Channel};
            $( $( d.visit::<$ty>(); )* d.visit::<$ret>(); )*
        }
    };
}
with_commands!(visit_command_types);

/// The whole generated TypeScript module for the UI: the error and every type the commands name,
/// each declared once, sorted by name. Nothing is listed by hand: a type a command names is
/// declared because the command names it.
pub fn typescript_bindings() -> String {
    use ts_rs::TypeVisitor;
    let mut d = Declarations {
        cfg: ts_rs::Config::new().with_large_int("number"),
        seen: Default::default(),
        names: Default::default(),
    };
    d.visit::<IpcError>();
    visit_command_types(&mut d);
    let decls = d.names.into_values();
    let mut out = String::from(
        "// Generated from crates/ipc by `make bindings`. Do not edit: a test fails when this is stale.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str(&masking_catalog());
    let codes: Vec<String> = error_codes().iter().map(|c| format!("\"{c}\"")).collect();
    out.push_str(&format!(
        "/** Every code a failed command can carry: match on these, never on messages. */\nexport type ErrorCode = {};\n\n",
        codes.join(" | ")
    ));
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The masking-rule catalog for the UI's rule picker: the rule names as a type, and every rule
/// with what it does and the parameters it takes.
fn masking_catalog() -> String {
    let names: Vec<String> = steward_model::MASKING_CATALOG
        .iter()
        .map(|r| r.name)
        .chain(["generalize"])
        .map(|n| format!("\"{n}\""))
        .collect();
    let catalog = serde_json::to_string_pretty(steward_model::MASKING_CATALOG).unwrap_or_else(|_| "[]".into());
    format!(
        "/** Every rule name a definition may use (`generalize` is read as `generalise`). */\n\
         export type MaskingRuleName = {};\n\n\
         /** The masking-rule catalog: what each rule does, its parameters and their types. */\n\
         export const MASKING_CATALOG = {catalog} as const;\n\n",
        names.join(" | ")
    )
}

#[cfg(test)]
mod tests;
