//! Products nested to any depth: the format, its paths and its checks.

use std::path::Path;

const THREE_LEVELS: &str = r#"steward: steward.product/v1
metadata:
  name: music
  domain: sales
  owner: sales@example.com
  version: 1.0.0
entity:
  name: Customer
  source: crm
  key: customer_id
  fields:
    - { column: customer_id }
    - { column: email }
related:
  - name: invoices
    source: billing
    join:
      - { parent: customer_id, child: customer_id }
    cardinality: one_to_many
    fields:
      - { column: invoice_id }
      - { column: customer_id }
      - { column: billing_address }
    related:
      - name: lines
        source: lines
        join:
          - { parent: invoice_id, child: invoice_id }
        cardinality: one_to_many
        fields:
          - { column: line_id }
          - { column: invoice_id }
          - { column: track_id }
          - { column: unit_price }
        reference:
          - name: track
            source: tracks
            join:
              - { parent: track_id, child: track_id }
            fields:
              - { column: track_id }
              - { column: track_name }
quality:
  - { rule: not_null, table: invoices.lines, column: unit_price }
"#;

fn parse(text: &str) -> steward_model::ProductDefinition {
    steward_model::parse(text, Path::new("music.yaml")).expect("parses")
}

#[test]
fn a_three_level_tree_parses_checks_clean_and_resaves_byte_for_byte() {
    let def = parse(THREE_LEVELS);
    let tree = def.tree();
    assert_eq!(tree.paths, ["invoices", "invoices.lines"]);
    assert_eq!(tree.ats, ["related[invoices]", "related[invoices].related[lines]"]);
    assert_eq!(tree.nodes[1].parent, Some(0));
    assert_eq!(tree.nodes[1].depth, 1);
    assert_eq!(tree.lookups[0].at, "related[invoices].related[lines].reference[track]");
    assert_eq!(tree.lookups[0].owner, Some(1));
    assert_eq!(tree.chain(1), [0, 1]);
    assert!(steward_model::check(&def).is_empty(), "{:?}", steward_model::check(&def));
    assert_eq!(steward_model::to_yaml(&def), steward_model::to_yaml(&parse(&steward_model::to_yaml(&def))));
    assert_eq!(steward_model::split_field_path("invoices.lines.unit_price"), ("invoices.lines", "unit_price"));
    assert_eq!(steward_model::split_field_path("email"), ("entity", "email"));
}

#[test]
fn a_child_joins_on_fields_of_its_own_parent_with_a_precise_path() {
    let bad = THREE_LEVELS
        .replace("- { parent: invoice_id, child: invoice_id }", "- { parent: customer_email, child: invoice_id }");
    let issues: Vec<String> = steward_model::check(&parse(&bad)).iter().map(|i| i.to_string()).collect();
    assert_eq!(
        issues,
        ["related[invoices].related[lines].join[0].parent: `customer_email` is not a field of `invoices`"]
    );
    // The lookup on the grandchild joins on the grandchild's fields, not the root's.
    let bad = THREE_LEVELS.replace("- { parent: track_id, child: track_id }", "- { parent: email, child: track_id }");
    let issues: Vec<String> = steward_model::check(&parse(&bad)).iter().map(|i| i.to_string()).collect();
    assert_eq!(
        issues,
        ["related[invoices].related[lines].reference[track].join[0].parent: `email` is not a field of `invoices.lines`"]
    );
}

#[test]
fn quality_rules_name_nested_tables_by_path() {
    let bad = THREE_LEVELS.replace("table: invoices.lines, column: unit_price", "table: lines, column: unit_price");
    let issues: Vec<String> = steward_model::check(&parse(&bad)).iter().map(|i| i.to_string()).collect();
    assert_eq!(
        issues,
        ["quality[0].table: `lines` is not a related table of this product; it has: invoices, invoices.lines"]
    );
    let bad = THREE_LEVELS.replace("table: invoices.lines, column: unit_price", "table: invoices.lines, column: price");
    let issues: Vec<String> = steward_model::check(&parse(&bad)).iter().map(|i| i.to_string()).collect();
    assert_eq!(issues, ["quality[0].column: `price` is not a field of `invoices.lines`"]);
}

#[test]
fn sibling_names_repeat_only_under_different_parents() {
    // `lines` under invoices and `lines` under orders are two tables.
    let two = THREE_LEVELS.replace(
        "quality:",
        "  - name: orders\n    source: orders\n    join:\n      - { parent: customer_id, child: customer_id }\n    cardinality: one_to_many\n    fields:\n      - { column: order_id }\n      - { column: customer_id }\n    related:\n      - name: lines\n        source: order_lines\n        join:\n          - { parent: order_id, child: order_id }\n        cardinality: one_to_many\n        fields:\n          - { column: order_id }\n          - { column: sku }\nquality:",
    );
    let def = parse(&two);
    assert_eq!(def.tree().paths, ["invoices", "invoices.lines", "orders", "orders.lines"]);
    assert!(steward_model::check(&def).is_empty(), "{:?}", steward_model::check(&def));
}

#[test]
fn a_field_named_like_the_root_key_must_be_the_key() {
    // Lines carry the customer's key already; their own `customer_id` would be ambiguous.
    let bad = THREE_LEVELS.replace(
        "          - { column: line_id }",
        "          - { column: line_id }\n          - { column: customer_id }",
    );
    let issues = steward_model::check(&parse(&bad));
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].code, "model.key_name_taken");
    assert_eq!(issues[0].path, "related[invoices].related[lines].fields");
}

#[test]
fn nesting_deeper_than_steward_reads_is_refused_not_overflowed() {
    let mut related = String::new();
    for d in 0..steward_model::MAX_DEPTH + 1 {
        let pad = "  ".repeat(2 * d);
        related.push_str(&format!(
            "{pad}related:\n{pad}  - name: t{d}\n{pad}    source: s\n{pad}    join:\n{pad}      - {{ parent: customer_id, child: customer_id }}\n{pad}    cardinality: one_to_many\n"
        ));
    }
    let text = format!(
        "steward: steward.product/v1\nmetadata: {{ name: deep, domain: d, owner: o, version: 1.0.0 }}\nentity: {{ name: C, source: crm, key: customer_id }}\n{related}"
    );
    let def = parse(&text);
    let issues = steward_model::check(&def);
    assert!(issues.iter().any(|i| i.code == "model.too_deep"), "{issues:?}");
    // A file nested far beyond that is a parse error, never a stack overflow.
    let mut deep = String::from("steward: x\nentity:\n");
    for d in 0..5000 {
        deep.push_str(&format!("{}- related:\n", "  ".repeat(d + 1)));
    }
    assert!(steward_model::parse(&deep, Path::new("deep.yaml")).is_err());
}
