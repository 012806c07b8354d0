//! The app's own code path for the product preview: the first page of 100 entities and one
//! entity's 360 view, on an assembled product held the way the desktop shell holds it (sources
//! read once, plans reused). Workspace: `STEWARD_BENCH_WORKSPACE` (default: the demo), product
//! `products/customer360.yaml` in it. `bench/run-product.sh` runs it on 1M customers.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

fn product(c: &mut Criterion) {
    let root = std::env::var_os("STEWARD_BENCH_WORKSPACE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"));
    let ws = Workspace::open(&root).expect("workspace");
    let def = steward_model::load(&root.join("products/customer360.yaml")).expect("product");
    let a = steward_app::assemble_product(&ws, &def, &MemoryStore::default()).expect("assemble");
    let entities = a.count().expect("count");
    let key = vec![(entities / 2).to_string()];
    let mut g = c.benchmark_group(format!("customer360/{entities}"));
    g.sample_size(20);
    g.bench_function("first page of 100 entities", |b| b.iter(|| a.product_page(0, 100).expect("page")));
    // The desktop keeps an index beside the assembled product (built on the first 360 view).
    let lookup = steward_assembly::Lookup::build(&a).expect("lookup");
    g.bench_function("one entity's 360 view", |b| b.iter(|| lookup.entity_360(&key).expect("360")));
    g.finish();
}

criterion_group!(benches, product);
criterion_main!(benches);
