//! `steward-samplegen`: writes the Customer 360 demo workspace.

use std::path::PathBuf;

use clap::Parser;
use steward_samplegen::{generate, Layout, Options, DEMO_CUSTOMERS, DEMO_SEED};

/// Writes Steward's deterministic Customer 360 demo: CRM customers (SQLite), orders (CSV),
/// invoices (Excel), support tickets (Parquet) and a country reference (CSV), plus the
/// workspace manifest. The same seed gives the same data on every machine.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Folder to write the workspace into (created if missing).
    #[arg(long, default_value = "sample-data")]
    out: PathBuf,
    /// Number of customers; orders (~5 each), invoices and tickets (~2 each) scale with it.
    #[arg(long, default_value_t = DEMO_CUSTOMERS)]
    customers: usize,
    /// Random seed; the committed demo uses the default.
    #[arg(long, default_value_t = DEMO_SEED)]
    seed: u64,
    /// `systems` writes one format per system; `parquet` writes every table as Parquet.
    #[arg(long, value_enum, default_value_t = Layout::Systems)]
    layout: Layout,
    /// Write the small all-types workspace (one column of every type a source can produce)
    /// instead of the demo.
    #[arg(long)]
    all_types: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.all_types {
        steward_samplegen::write_all_types(&args.out)?;
        println!("wrote {}: the all-types workspace", args.out.display());
        return Ok(());
    }
    let s = generate(&args.out, &Options { customers: args.customers, seed: args.seed, layout: args.layout })?;
    println!(
        "wrote {}: {} customers, {} orders ({} orphans), {} order lines, {} invoices, {} tickets, {} countries; {} duplicate emails, {} malformed phones",
        args.out.display(),
        s.customers,
        s.orders,
        s.orphan_orders,
        s.order_lines,
        s.invoices,
        s.tickets,
        s.countries,
        s.duplicate_emails,
        s.malformed_phones
    );
    Ok(())
}
