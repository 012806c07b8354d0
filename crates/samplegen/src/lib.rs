//! # steward-samplegen
//!
//! Owns Steward's demo data: a deterministic Customer 360 spread over several "systems" — CRM
//! customers in SQLite, orders and their lines in CSV, invoices in an Excel workbook (with
//! billing's own copy of each customer's address), support tickets in Parquet, a product
//! catalogue in Parquet and a country reference table — with realistic PII and realistic dirt (nulls, orphan orders,
//! duplicate emails, malformed phones). The same seed gives the same data on every machine; the
//! committed `sample-data/` is the default size, and any scale can be generated for benchmarks.
//!
//! It writes files and the workspace manifest only. It must not be used by the app at run time.

mod all_types;
mod people;
mod tables;
mod write;

pub use all_types::{all_types_child_frame, all_types_frame, write_all_types, ALL_TYPES_ROWS};
pub use people::{card_number, Market};
pub use steward_classify::luhn_valid;
pub use tables::{generate_tables, Tables, PRODUCTS};

use std::path::Path;

/// Customers in the committed demo.
pub const DEMO_CUSTOMERS: usize = 500;
/// Seed of the committed demo.
pub const DEMO_SEED: u64 = 20_240_917;
/// Excel's hard limit on rows per sheet (including the header).
pub const EXCEL_MAX_ROWS: usize = 1_048_576;

/// How the tables are laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// One format per system, as in the committed demo (SQLite, CSV, Excel, Parquet).
    Systems,
    /// Every table as Parquet, for benchmarks at scale.
    Parquet,
    /// Every table as CSV, for benchmarks of text inputs.
    Csv,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub customers: usize,
    pub seed: u64,
    pub layout: Layout,
}

impl Default for Options {
    fn default() -> Self {
        Options { customers: DEMO_CUSTOMERS, seed: DEMO_SEED, layout: Layout::Systems }
    }
}

/// What was written, and the dirt that was planted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub customers: usize,
    pub orders: usize,
    pub invoices: usize,
    pub order_lines: usize,
    pub tickets: usize,
    pub countries: usize,
    pub orphan_orders: usize,
    pub duplicate_emails: usize,
    pub malformed_phones: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("{path}: {message}")]
    Write { path: std::path::PathBuf, message: String },
    #[error("--customers must be at least 1")]
    NoCustomers,
    #[error("{invoices} invoices exceed Excel's limit of {EXCEL_MAX_ROWS} rows per sheet; use --layout parquet at this scale")]
    TooBigForExcel { invoices: usize },
    #[error(transparent)]
    Workspace(#[from] steward_workspace::WorkspaceError),
}

/// Generates the demo into `out` (created if missing) and writes its `steward.yaml`.
pub fn generate(out: &Path, opts: &Options) -> Result<Summary, GenError> {
    if opts.customers == 0 {
        return Err(GenError::NoCustomers);
    }
    std::fs::create_dir_all(out).map_err(|e| GenError::Write { path: out.to_path_buf(), message: e.to_string() })?;
    let tables = generate_tables(opts.customers, opts.seed);
    if opts.layout == Layout::Systems && tables.invoices.len() + 1 > EXCEL_MAX_ROWS {
        return Err(GenError::TooBigForExcel { invoices: tables.invoices.len() });
    }
    tracing::info!(customers = opts.customers, orders = tables.orders.len(), "writing sample data");
    write::write_all(out, &tables, opts.layout)?;
    Ok(tables.summary())
}
