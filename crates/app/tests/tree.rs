//! The demo product is three levels deep (customer → orders → lines → product lookup): the tree
//! validated, assembled, masked at depth and checked for leaks across every table.

use std::path::Path;

use polars::prelude::*;
use steward_model::TableRef;
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

use steward_testkit::copy_dir;

fn sample(edit: impl Fn(String) -> String) -> (tempfile::TempDir, Workspace, steward_model::ProductDefinition) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data"), dir.path());
    let path = dir.path().join("products/customer360.yaml");
    let text = edit(std::fs::read_to_string(&path).unwrap());
    std::fs::write(&path, &text).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let def = steward_model::parse(&text, &path).unwrap();
    (dir, ws, def)
}

#[test]
fn the_demo_is_three_levels_deep_and_validates_clean() {
    let (_dir, ws, def) = sample(|t| t);
    let secrets = MemoryStore::new();
    let issues = steward_app::validate_product(&ws, &def, &secrets).unwrap();
    let errors: Vec<String> =
        issues.iter().filter(|i| i.severity == steward_model::Severity::Error).map(|i| i.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let a = steward_app::assemble_product(&ws, &def, &secrets).unwrap();
    let names: Vec<&str> = a.related.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["orders", "orders.lines", "invoices", "tickets"]);

    // Customer 7's 360 view holds their order lines, with the product looked up on each.
    let lookup = steward_assembly::Lookup::build(&a).unwrap();
    // Pages served from the index are the pages the scan makes, lists inside lists included.
    for (offset, limit) in [(0, 100), (100, 100), (450, 100), (499, 1), (-3, 100), (600, 10)] {
        let want = a.product_page(offset, limit).unwrap();
        let got = lookup.product_page(&a, offset, limit).unwrap();
        assert!(got.equals_missing(&want), "page {offset}+{limit}:\n{got}\n{want}");
    }
    let view = lookup.entity_360(&["7".into()]).unwrap();
    let (_, orders) = view.related.iter().find(|(n, _)| n == "orders").unwrap();
    let (_, lines) = view.related.iter().find(|(n, _)| n == "orders.lines").unwrap();
    assert!(lines.height() > orders.height(), "{} lines, {} orders", lines.height(), orders.height());
    let customer = lines.column("customer_id").unwrap().i64().unwrap();
    assert!(customer.iter().all(|c| c == Some(7)), "every line carries the root's key");
    assert_eq!(lines.column("product_name").unwrap().null_count(), 0, "the grandchild's lookup");
    let order_ids: std::collections::HashSet<i64> =
        orders.column("order_id").unwrap().i64().unwrap().iter().flatten().collect();
    assert!(lines.column("order_id").unwrap().i64().unwrap().iter().flatten().all(|o| order_ids.contains(&o)));
    let scanned = a.entity_360(&["7".into()]).unwrap();
    assert!(view.entity.equals_missing(&scanned.entity));
    for ((n, x), (m, y)) in view.related.iter().zip(&scanned.related) {
        assert_eq!(n, m);
        assert!(x.equals_missing(y), "indexed and scanning views agree on {n}");
    }

    // The product table nests lines inside each order.
    let page = a.product_page(0, 3).unwrap();
    let DataType::List(order) = page.column("orders").unwrap().dtype() else { panic!("orders is a list") };
    let DataType::Struct(fields) = order.as_ref() else { panic!("of structs") };
    assert!(fields.iter().any(|f| f.name() == "lines" && matches!(f.dtype(), DataType::List(_))), "{fields:?}");
}

#[test]
fn masking_reaches_every_depth_and_keys_still_join() {
    let (_dir, ws, def) = sample(|t| t);
    let secrets = MemoryStore::new();
    let session = steward_app::ProductSession::new();
    let report = session.privacy_report(&ws, "customer360", "analytics", None, None, &secrets).unwrap();
    let masked: Vec<String> = report.fields.iter().map(|f| format!("{}.{} {}", f.table, f.field, f.via)).collect();
    assert!(masked.contains(&"orders.lines.unit_price field".to_string()), "{masked:#?}");
    assert!(masked.contains(&"orders.lines.customer_id join key".to_string()), "the carried key is remapped too");
    assert_eq!(report.total_leaks, 0, "{:#?}", report.found_elsewhere);
    assert!(report.uncovered.is_empty(), "{:#?}", report.uncovered);

    let rows = |table: &str| {
        session
            .masked_rows(
                &ws,
                "customer360",
                "analytics",
                &TableRef::parse(Some(table)),
                &steward_app::Side::Masked,
                100_000,
                &secrets,
            )
            .unwrap()
    };
    let (orders, lines) = (rows("orders"), rows("orders.lines"));
    // Remapped keys still join at depth: each line's remapped customer is its order's.
    let by_order: std::collections::HashMap<i64, i64> = orders
        .column("order_id")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .zip(orders.column("customer_id").unwrap().i64().unwrap().iter())
        .filter_map(|(o, c)| Some((o?, c?)))
        .collect();
    let mut checked = 0;
    for (o, c) in lines
        .column("order_id")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .zip(lines.column("customer_id").unwrap().i64().unwrap().iter())
    {
        if let (Some(o), Some(c)) = (o, c) {
            assert_eq!(by_order.get(&o), Some(&c), "line of order {o}");
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
    let original = session
        .masked_rows(
            &ws,
            "customer360",
            "analytics",
            &TableRef::parse(Some("orders.lines")),
            &steward_app::Side::Original { columns: vec!["unit_price".into()] },
            100_000,
            &secrets,
        )
        .unwrap();
    assert_ne!(
        original.column("unit_price").unwrap().as_materialized_series(),
        lines.column("unit_price").unwrap().as_materialized_series(),
        "prices of lines are blurred"
    );
    let _ = def;
}

#[test]
fn the_leak_check_finds_a_copy_in_another_table_and_a_value_in_free_text() {
    // Without the rules on billing's copy of the address and on ticket bodies.
    let (_dir, ws, _def) = sample(|t| {
        t.replace("      - { field: invoices.billing_address, rule: redact }\n", "")
            .replace("      - { field: tickets.body, rule: redact }\n", "")
            .replace("      max_leaks: 0\n", "      max_leaks: 0\n      max_uncovered: 0\n")
    });
    let secrets = MemoryStore::new();
    let session = steward_app::ProductSession::new();
    let report = session.privacy_report(&ws, "customer360", "analytics", None, None, &secrets).unwrap();
    let found = |field: &str, at: &str| {
        report.found_elsewhere.iter().find(|f| f.field == field && format!("{}.{}", f.table, f.column) == at)
    };
    let copy = found("street_address", "invoices.billing_address").expect("the copied address");
    assert!(copy.rows > 1900 && !copy.in_text, "{copy:?}");
    // The report names places and counts; the originals it found never leave in its JSON.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!copy.samples.is_empty() && !copy.samples.iter().any(|s| json.contains(s.as_str())), "{json}");
    let phone = found("phone", "tickets.body").expect("phones pasted in tickets");
    assert!(phone.rows > 50 && phone.in_text, "{phone:?}");
    assert!(found("email", "tickets.body").is_some());
    let elsewhere: u64 = report.found_elsewhere.iter().map(|f| f.rows).sum();
    assert!(report.total_leaks >= elsewhere, "every hit counts toward max_leaks");
    assert!(report.violations.iter().any(|v| v.contains("original values survive masking")), "{:?}", report.violations);

    let uncovered: Vec<String> =
        report.uncovered.iter().map(|u| format!("{}.{} {}", u.table, u.field, u.tag)).collect();
    assert!(uncovered.contains(&"invoices.billing_address street_address".to_string()), "{uncovered:?}");
    assert!(uncovered.contains(&"tickets.body free_text_pii".to_string()), "{uncovered:?}");
    assert!(
        report.violations.iter().any(|v| v.contains("hold personal data no rule covers")),
        "{:?}",
        report.violations
    );
}

/// Found by a new user: opening the product table while a table was still unjoined (just dropped
/// on the canvas) showed Polars' plan dump ("Resolved plan until failure: ---> FAILED HERE
/// RESOLVING 'slice'"). Every engine failure reaches the steward as which table, which field and
/// what to do — an unjoined table, and a join of two fields of different types.
#[test]
fn engine_failures_reach_the_steward_without_a_plan_dump() {
    let secrets = MemoryStore::new();
    let unjoined = |t: String| {
        t.replacen(
            "    join:\n      - { parent: customer_id, child: customer_id }\n    cardinality: one_to_many\n    fields:\n      - { column: ticket_id, type: i64 }",
            "    join: []\n    cardinality: one_to_many\n    fields:\n      - { column: ticket_id, type: i64 }",
            1,
        )
    };
    let mistyped =
        |t: String| t.replacen("- { parent: order_id, child: order_id }", "- { parent: status, child: order_id }", 1);
    for (what, edit) in [("unjoined", &unjoined as &dyn Fn(String) -> String), ("mistyped", &mistyped)] {
        let (_dir, ws, def) = sample(edit);
        let e = match steward_app::preview_product(&ws, &def, None, 0, 100, None, &secrets) {
            Ok(_) => panic!("{what}: the preview must be refused"),
            Err(e) => e.to_string(),
        };
        for dump in ["plan", "FAILED HERE", "RESOLVING", "\n"] {
            assert!(!e.contains(dump), "{what}: {dump} in {e}");
        }
        match what {
            "unjoined" => assert!(e.contains("tickets") && e.contains("draw a join"), "{what}: says what to do: {e}"),
            _ => assert!(
                e.contains("lines") && e.contains("`status` (str)") && e.contains("`order_id` (i64)"),
                "{what}: names the table and both fields: {e}"
            ),
        }
    }
}
