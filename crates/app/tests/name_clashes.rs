//! Found on Chinook as Django lays it out (every table's key is `id`): a product modelled by
//! clicking the suggested joins validated clean, then either failed in the product table (a
//! track's `unit_price` looked up onto lines that have one) or, worse, assembled invoices that
//! all read as their customer's id, with their lines joined to other invoices. Validation now
//! names each clash where the steward can fix it, and the renamed product assembles right.

use std::path::Path;

use steward_model::Severity;
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn music() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "customer.csv", "id,firstname\n1,Luís\n2,Leonie\n");
    write(d, "invoice.csv", "id,customer_id,total\n98,1,3.98\n121,1,3.96\n1,2,1.98\n");
    write(
        d,
        "invoiceline.csv",
        "id,invoice_id,track_id,unit_price\n1,1,2,0.99\n2,1,4,0.99\n3,98,2,0.99\n4,121,6,1.99\n",
    );
    write(
        d,
        "track.csv",
        "id,name,unit_price\n2,Balls to the Wall,0.99\n4,Restless and Wild,0.99\n6,Put The Finger On You,1.99\n",
    );
    let sources: String = ["customer", "invoice", "invoiceline", "track"]
        .iter()
        .map(|s| format!("- id: {s}\n  name: {s}\n  kind: csv\n  path: {s}.csv\n"))
        .collect();
    write(d, "steward.yaml", &format!("version: 1\nname: music\nsources:\n{sources}"));
    std::fs::create_dir(d.join("products")).unwrap();
    let ws = Workspace::open(d).unwrap();
    (dir, ws)
}

/// The product as the canvas saved it: three suggested joins clicked, no field listed.
const CLICKED: &str = "steward: steward.product/v1
metadata: { name: music, domain: customer, owner: a@example.com, version: 0.1.0 }
entity: { name: Customer, source: customer, key: id }
related:
  - name: invoice
    source: invoice
    join:
      - { parent: id, child: customer_id }
    cardinality: one_to_many
    related:
      - name: invoiceline
        source: invoiceline
        join:
          - { parent: id, child: invoice_id }
        cardinality: one_to_many
        reference:
          - name: track
            source: track
            join:
              - { parent: track_id, child: id }
";

fn errors(ws: &Workspace, text: &str) -> Vec<(String, String, String)> {
    let def = steward_model::parse(text, Path::new("music.yaml")).unwrap();
    steward_app::validate_product(ws, &def, &MemoryStore::new())
        .unwrap()
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| (i.path.clone(), i.code.to_string(), i.message.clone()))
        .collect()
}

#[test]
fn every_clash_is_named_where_it_can_be_fixed() {
    let (_dir, ws) = music();
    let found = errors(&ws, CLICKED);
    let at: Vec<(&str, &str)> = found.iter().map(|(p, c, _)| (p.as_str(), c.as_str())).collect();
    assert_eq!(
        at,
        [
            ("related[invoice].fields", "model.key_name_taken"),
            ("related[invoice].related[invoiceline].fields", "model.key_name_taken"),
            ("related[invoice].related[invoiceline].reference[track].fields", "model.duplicate_field"),
        ],
        "{found:#?}"
    );
    assert!(found[0].2.contains("`invoice` has its own `id`") && found[0].2.contains("invoice_id"), "{}", found[0].2);
    assert!(found[2].2.contains("`unit_price`") && found[2].2.contains("track_unit_price"), "{}", found[2].2);
}

#[test]
fn renamed_as_the_canvas_renames_it_validates_and_assembles_the_right_invoices() {
    let (_dir, ws) = music();
    // What the canvas writes when it adds these tables (see `avoidNameClashes` in the UI).
    let fixed = CLICKED
        .replace(
            "    join:\n      - { parent: id, child: customer_id }\n",
            "    fields:\n      - { column: id, as: invoice_id, type: i64 }\n      - { column: customer_id, type: i64 }\n      - { column: total, type: f64 }\n    join:\n      - { parent: id, child: customer_id }\n",
        )
        .replace(
            "        join:\n          - { parent: id, child: invoice_id }\n",
            "        fields:\n          - { column: id, as: invoiceline_id, type: i64 }\n          - { column: invoice_id, type: i64 }\n          - { column: track_id, type: i64 }\n          - { column: unit_price, type: f64 }\n        join:\n          - { parent: invoice_id, child: invoice_id }\n",
        )
        .replace(
            "            join:\n              - { parent: track_id, child: id }\n",
            "            fields:\n              - { column: id }\n              - { column: name }\n              - { column: unit_price, as: track_unit_price }\n            join:\n              - { parent: track_id, child: id }\n",
        );
    assert_eq!(errors(&ws, &fixed), vec![], "{fixed}");
    let def = steward_model::parse(&fixed, Path::new("music.yaml")).unwrap();
    let a = steward_app::assemble_product(&ws, &def, &MemoryStore::new()).unwrap();
    let view = a.entity_360(&["1".into()]).unwrap();
    let (_, invoices) = view.related.iter().find(|(n, _)| n == "invoice").unwrap();
    let ids: Vec<Option<i64>> = invoices.column("invoice_id").unwrap().i64().unwrap().iter().collect();
    assert_eq!(ids, [Some(98), Some(121)], "customer 1's own invoices, by their own ids");
    let (_, lines) = view.related.iter().find(|(n, _)| n == "invoice.invoiceline").unwrap();
    let of: Vec<Option<i64>> = lines.column("invoice_id").unwrap().i64().unwrap().iter().collect();
    assert_eq!(of, [Some(98), Some(121)], "only the lines of those invoices");
    let looked: Vec<Option<&str>> = lines.column("name").unwrap().str().unwrap().iter().collect();
    assert_eq!(looked, [Some("Balls to the Wall"), Some("Put The Finger On You")]);
}
