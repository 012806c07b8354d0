//! The leak check against the masking it checks (issue 12: at 1M customers the check may cost
//! no more than the masking itself). On the product `products/customer360.yaml` of
//! `STEWARD_BENCH_WORKSPACE` (default: the demo), profile `analytics`, with its tables collected
//! once as the desktop's session holds them:
//!
//! - masking every table of the tree (`mask_collected`);
//! - the whole leak check of the masked tables, from scratch (`leak_check`): every masked
//!   field's originals in its own column and in every column left in clear of every table.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

fn leaks_vs_masking(c: &mut Criterion) {
    let root = std::env::var_os("STEWARD_BENCH_WORKSPACE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"));
    let ws = Workspace::open(&root).expect("workspace");
    let def = steward_model::load(&root.join("products/customer360.yaml")).expect("product");
    let secrets = MemoryStore::default();
    let a = steward_app::assemble_product(&ws, &def, &secrets).expect("assemble");
    let originals = steward_app::original_tables(&a).expect("tables");
    let rows: usize = originals.iter().map(|(_, df)| df.height()).sum();
    let key = steward_app::masking_key(&secrets, &def.metadata.name, 1).expect("masking key");
    let mask = || steward_app::mask_collected(&ws, &def, &a, originals.clone(), "analytics", &key).expect("masked");
    let masked = mask();
    let (same_row, elsewhere) = steward_app::leak_check(&masked).expect("leak check");
    let found: u64 = same_row.iter().flat_map(|t| t.columns.iter()).map(|c| c.total()).sum::<u64>()
        + elsewhere.iter().map(|f| f.rows).sum::<u64>();
    assert_eq!(found, 0, "the analytics profile passes its leak check");
    let entities = originals[0].1.height();
    let mut g = c.benchmark_group(format!("customer360/{entities} ({rows} rows in all tables)"));
    g.sample_size(10);
    g.bench_function("mask every table (analytics)", |b| b.iter(mask));
    g.bench_function("leak check of the masked tables", |b| {
        b.iter(|| steward_app::leak_check(&masked).expect("leak check"))
    });
    g.finish();
}

criterion_group!(benches, leaks_vs_masking);
criterion_main!(benches);
