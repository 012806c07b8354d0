//! The product session's caches and when they go stale, on a copy of the demo workspace.

use std::path::Path;
use std::sync::Arc;
use steward_app::ErrorCode;

use steward_app::{ProductSession, RowsQuery, Side};
use steward_model::TableRef;
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

use steward_testkit::copy_dir;

fn sample() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"), dir.path());
    let ws = Workspace::open(dir.path()).unwrap();
    (dir, ws)
}

#[test]
fn a_masking_is_reused_until_the_definition_or_the_workspace_manifest_changes() {
    let (dir, ws) = sample();
    let secrets = MemoryStore::new();
    let session = ProductSession::new();
    let (_, first) = session.masked(&ws, "customer360", "analytics", &secrets).unwrap();
    let (_, again) = session.masked(&ws, "customer360", "analytics", &secrets).unwrap();
    assert!(Arc::ptr_eq(&first, &again), "an unchanged product is masked once");

    // The steward's accepted tags live in steward.yaml: any change there makes a new masking.
    let manifest = dir.path().join("steward.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}\n# edited outside Steward\n")).unwrap();
    let (_, after_manifest) = session.masked(&ws, "customer360", "analytics", &secrets).unwrap();
    assert!(!Arc::ptr_eq(&first, &after_manifest), "steward.yaml changed: masking is stale");

    // So does an edit of the definition — even one within the same second as the last.
    let def = dir.path().join("products/customer360.yaml");
    let text = std::fs::read_to_string(&def).unwrap();
    std::fs::write(&def, format!("{text}\n# a note\n")).unwrap();
    let (_, after_def) = session.masked(&ws, "customer360", "analytics", &secrets).unwrap();
    assert!(!Arc::ptr_eq(&after_manifest, &after_def), "definition changed: masking is stale");

    let rows =
        session.masked_rows(&ws, "customer360", "analytics", &TableRef::Entity, &Side::Masked, 5, &secrets).unwrap();
    assert_eq!(rows.height(), 5);
    let original = session
        .masked_rows(
            &ws,
            "customer360",
            "analytics",
            &TableRef::Entity,
            &Side::Original { columns: vec!["email".into()] },
            3,
            &secrets,
        )
        .unwrap();
    let names: Vec<String> = original.get_column_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names, vec!["email".to_string()]);
}

#[test]
fn the_360_index_is_rebuilt_when_the_products_structure_changes_and_only_then() {
    let (dir, ws) = sample();
    let secrets = MemoryStore::new();
    let session = ProductSession::new();
    let a = session.lookup(&ws, "customer360", &secrets).unwrap();
    let b = session.lookup(&ws, "customer360", &secrets).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    let def = dir.path().join("products/customer360.yaml");
    let text = std::fs::read_to_string(&def).unwrap();
    // A comment, the metadata or a masking rule's parameter: the same tables, kept.
    let rule = "{ field: orders.amount, rule: noise, params: { pct: 5 } }";
    assert!(text.contains(rule));
    let edited = format!("# header\n{text}")
        .replace(rule, "{ field: orders.amount, rule: noise, params: { pct: 6 } }")
        .replace("  version: 1.0.0\n", "  version: 1.1.0\n");
    std::fs::write(&def, &edited).unwrap();
    let c = session.lookup(&ws, "customer360", &secrets).unwrap();
    assert!(Arc::ptr_eq(&a, &c), "an edit of masking or metadata keeps the collected tables");
    let report = session.privacy_report(&ws, "customer360", "analytics", None, None, &secrets).unwrap();
    // A field more on the entity: rebuilt, and the report sees it.
    let field = "    - { column: segment, type: str }\n";
    assert!(edited.contains(field));
    std::fs::write(&def, edited.replace(field, "")).unwrap();
    let d = session.lookup(&ws, "customer360", &secrets).unwrap();
    assert!(!Arc::ptr_eq(&a, &d));
    assert!(d.tables()[0].1.column("segment").is_err());
    assert_eq!(report.total_leaks, 0);
    // The profile's quasi-identifier is gone with it, and the report says so (it was not served
    // from the tables before the edit).
    let e = session.privacy_report(&ws, "customer360", "analytics", None, None, &secrets).unwrap_err();
    assert!(e.to_string().contains("segment: not in the table"), "{e}");
}

#[test]
fn rows_of_an_unknown_table_name_the_tables_there_are() {
    let (_dir, ws) = sample();
    let secrets = MemoryStore::new();
    let session = ProductSession::new();
    let page = session.rows(&ws, "customer360", &RowsQuery::Page { offset: 0, limit: 3 }, &secrets).unwrap();
    assert_eq!(page.height(), 3);
    let key = page.column("customer_id").unwrap().get(0).unwrap().to_string().trim_matches('"').to_string();
    let one = session
        .rows(&ws, "customer360", &RowsQuery::Entity { key: vec![key.clone()], table: TableRef::Entity }, &secrets)
        .unwrap();
    assert_eq!(one.height(), 1);
    let e = session
        .rows(
            &ws,
            "customer360",
            &RowsQuery::Entity { key: vec![key], table: TableRef::Related("nope".into()) },
            &secrets,
        )
        .unwrap_err();
    assert!(e.to_string().contains("`nope` is not a table of customer360") && e.to_string().contains("entity"), "{e}");
    let missing = session.assembled(&ws, "absent", &secrets).err().expect("no such product");
    assert_eq!(missing.code(), "product.not_found");
}

#[test]
fn the_index_prepared_ahead_is_the_one_later_requests_use() {
    let (_dir, ws) = sample();
    let secrets = MemoryStore::new();
    let session = Arc::new(ProductSession::new());
    let first = session.rows(&ws, "customer360", &RowsQuery::Page { offset: 0, limit: 5 }, &secrets).unwrap();
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (session, ws) = (session.clone(), ws.clone());
            std::thread::spawn(move || session.prepare_lookup(&ws, "customer360", &MemoryStore::new()).unwrap())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let a = session.lookup(&ws, "customer360", &secrets).unwrap();
    let b = session.lookup(&ws, "customer360", &secrets).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    // Pages from the index are the pages from the sources.
    let again = session.rows(&ws, "customer360", &RowsQuery::Page { offset: 0, limit: 5 }, &secrets).unwrap();
    assert!(again.equals_missing(&first));
    assert!(session.prepare_lookup(&ws, "absent", &secrets).is_err());
}
