//! Profiling, classification and relationship discovery on the committed demo workspace.

use std::path::Path;
use steward_app::ErrorCode;

use steward_app::{classify, decide, profile, relations};
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

static NO_SECRETS: MemoryStore = MemoryStore::new();

fn sample_copy() -> (tempfile::TempDir, Workspace) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    let ws = Workspace::open(dir.path()).unwrap();
    (dir, ws)
}

#[test]
fn classifies_the_crm_pii_and_the_ticket_free_text() {
    let (_dir, ws) = sample_copy();
    let crm = classify(&ws, "crm", &NO_SECRETS).unwrap();
    let tag =
        |col: &str| crm.iter().find(|c| c.column == col).and_then(|c| c.suggestion.as_ref()).map(|s| s.tag.as_str());
    assert_eq!(tag("email"), Some("email"));
    assert_eq!(tag("phone"), Some("phone"));
    assert_eq!(tag("first_name"), Some("person_name"));
    assert_eq!(tag("last_name"), Some("person_name"));
    assert_eq!(tag("street_address"), Some("street_address"));
    assert_eq!(tag("postal_code"), Some("postal_code"));
    assert_eq!(tag("birth_date"), Some("birth_date"));
    assert_eq!(tag("card_number"), Some("payment_card"));
    for plain in ["customer_id", "segment", "country_code", "created_at", "city"] {
        assert_eq!(tag(plain), None, "{plain}");
    }
    let email = crm.iter().find(|c| c.column == "email").unwrap().suggestion.clone().unwrap();
    assert!(email.confidence > 0.95, "{email:?}");
    assert!(email.evidence.contains("sampled values are valid emails; name `email`"), "{}", email.evidence);
    let tickets = classify(&ws, "tickets", &NO_SECRETS).unwrap();
    let body = tickets.iter().find(|c| c.column == "body").unwrap();
    assert_eq!(body.suggestion.as_ref().map(|s| s.tag.as_str()), Some("free_text_pii"));
}

#[test]
fn decisions_are_saved_in_the_workspace() {
    let (dir, mut ws) = sample_copy();
    decide(&mut ws, "crm", "email", "email", true, &NO_SECRETS).unwrap();
    decide(&mut ws, "crm", "city", "street_address", false, &NO_SECRETS).unwrap();
    let reopened = Workspace::open(dir.path()).unwrap();
    let crm = classify(&reopened, "crm", &NO_SECRETS).unwrap();
    assert_eq!(crm.iter().find(|c| c.column == "email").unwrap().accepted, ["email"]);
    assert_eq!(crm.iter().find(|c| c.column == "city").unwrap().rejected, ["street_address"]);
    let e = decide(&mut ws, "crm", "nope", "email", true, &NO_SECRETS).unwrap_err();
    assert!(e.to_string().contains("no column `nope`"), "{e}");
    let e = decide(&mut ws, "crm", "email", "passport", true, &NO_SECRETS).unwrap_err();
    assert_eq!(e.code(), "app.invalid_input");
}

#[test]
fn profiles_a_source_with_progress() {
    let (_dir, ws) = sample_copy();
    let mut calls = 0;
    let p = profile(&ws, "orders", &NO_SECRETS, |_, total| {
        calls += 1;
        assert_eq!(total, 7);
        true
    })
    .unwrap();
    assert_eq!(calls, 7);
    let amount = p.iter().find(|c| c.name == "amount").unwrap();
    assert!(amount.nulls > 0 && amount.histogram.is_some());
    let status = p.iter().find(|c| c.name == "status").unwrap();
    assert_eq!(status.top[0].value, "delivered");
    assert_eq!(status.distinct, 5);
}

#[test]
fn discovers_the_demo_relationships_across_systems() {
    let (_dir, ws) = sample_copy();
    let r = relations(&ws, &NO_SECRETS).unwrap();
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    let find = |parent: &str, pc: &str, child: &str, cc: &str| {
        r.suggestions
            .iter()
            .find(|s| s.parent == parent && s.parent_columns == [pc] && s.child == child && s.child_columns == [cc])
            .unwrap_or_else(|| panic!("{child}.{cc} -> {parent}.{pc} missing from {:#?}", r.suggestions))
    };
    let orders = find("crm", "customer_id", "orders", "customer_id");
    assert_eq!(serde_json::to_value(orders.cardinality).unwrap(), "1:n");
    assert!(orders.orphan_rows > 0 && orders.orphan_share < 0.05, "{orders:?}");
    find("crm", "customer_id", "tickets", "customer_id");
    find("orders", "order_id", "invoices", "order_id");
    let countries = find("countries", "country_code", "crm", "country_code");
    assert_eq!(countries.orphan_rows, 0);
    assert!(!r.suggestions.iter().any(|s| s.child_columns == ["satisfaction"]), "{:#?}", r.suggestions);
    // The order lines hang under their orders; the catalogue is what they look up.
    let lines = find("orders", "order_id", "order_lines", "order_id");
    assert_eq!(lines.role, steward_app::RelationRole::Child);
    let product = find("products", "sku", "order_lines", "sku");
    assert_eq!(product.role, steward_app::RelationRole::Lookup, "{:#?}", r.suggestions);
}
