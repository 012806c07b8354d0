//! The app's own code path for the product preview: the first page of 100 entities and one
//! entity's 360 view, on an assembled product held the way the desktop shell holds it (sources
//! read once, plans reused). Workspace: `STEWARD_BENCH_WORKSPACE` (default: the demo), product
//! `products/customer360.yaml` in it. `bench/run-product.sh` runs it on 1M customers.
//!
//! Also the Privacy tab's report after an edit: the definition changes (one rule's parameter),
//! and the report — masking of the whole tree, leak check, uncovered columns, risk — is made
//! again by the session the desktop keeps, as the tab does on every save.

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
    // Before the index exists (the first page after opening the product): straight from the sources.
    g.bench_function("first page of 100 entities", |b| b.iter(|| a.product_page(0, 100).expect("page")));
    // The desktop keeps an index beside the assembled product (built on the first 360 view or
    // privacy report), and serves pages from it from then on.
    let lookup = steward_assembly::Lookup::build(&a).expect("lookup");
    g.bench_function("first page of 100 entities (indexed)", |b| {
        b.iter(|| lookup.product_page(&a, 0, 100).expect("page"))
    });
    g.bench_function("one entity's 360 view", |b| b.iter(|| lookup.entity_360(&key).expect("360")));
    g.finish();
}

fn privacy_after_edit(c: &mut Criterion) {
    let root = std::env::var_os("STEWARD_BENCH_WORKSPACE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"));
    let ws = Workspace::open(&root).expect("workspace");
    let file = root.join("products/customer360.yaml");
    let original = std::fs::read_to_string(&file).expect("product file");
    let rule = "{ field: orders.amount, rule: noise, params: { pct: 5 } }";
    assert!(original.contains(rule), "the bench edits the analytics profile's noise on orders.amount");
    let edited = original.replace(rule, "{ field: orders.amount, rule: noise, params: { pct: 6 } }");
    // The file is put back however the bench ends.
    struct Restore<'a>(&'a std::path::Path, &'a str);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            let _ = std::fs::write(self.0, self.1);
        }
    }
    let _restore = Restore(&file, &original);
    let session = steward_app::ProductSession::new();
    let secrets = MemoryStore::default();
    // The tab was open before the edit: the sources are read and the product assembled once.
    session.privacy_report(&ws, "customer360", "analytics", None, None, &secrets).expect("first report");
    let entities = session.assembled(&ws, "customer360", &secrets).expect("assembled").count().expect("count");
    let mut g = c.benchmark_group(format!("customer360/{entities}"));
    g.sample_size(10);
    let mut flip = false;
    g.bench_function("privacy report after an edit", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                flip = !flip;
                std::fs::write(&file, if flip { &edited } else { &original }).expect("edit");
                let t = std::time::Instant::now();
                let r = session.privacy_report(&ws, "customer360", "analytics", None, None, &secrets).expect("report");
                total += t.elapsed();
                assert_eq!(r.total_leaks, 0, "the analytics profile passes its leak check");
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, product, privacy_after_edit);
criterion_main!(benches);
