//! Validating the sample product against the demo workspace's sources and data.

use std::path::Path;

use steward_app::validate_product;
use steward_model::{Cardinality, Columns, FieldType, Issue, Severity};
use steward_secrets::MemoryStore;
use steward_workspace::Workspace;

fn setup() -> (Workspace, steward_model::ProductDefinition) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let ws = Workspace::open(&root).unwrap();
    let def = steward_model::load(&root.join("products/customer360.yaml")).unwrap();
    (ws, def)
}

fn lines(issues: &[Issue]) -> Vec<String> {
    issues.iter().map(|i| format!("{:?} {i}", i.severity)).collect()
}

#[test]
fn the_sample_product_validates_with_only_orphan_warnings() {
    let (ws, def) = setup();
    let issues = validate_product(&ws, &def, &MemoryStore::default()).unwrap();
    assert!(issues.iter().all(|i| i.severity == Severity::Warning), "{:#?}", lines(&issues));
    let orphans: Vec<&Issue> = issues.iter().filter(|i| i.code == "model.orphans").collect();
    assert_eq!(
        orphans.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(),
        ["related[orders].join", "related[invoices].join"]
    );
    assert!(orphans[0].message.contains("rows (1.3%) have no matching Customer"), "{}", orphans[0].message);
}

#[test]
fn type_key_and_cardinality_problems_are_found_in_the_data() {
    let (ws, mut def) = setup();
    // Join on a text column, declare a 1:n relationship as 1:1, mistype a field, misname another.
    def.related[0].join[0].child = "currency".into();
    def.related[0].fields.push(steward_model::Field {
        column: "currency".into(),
        rename: Some("cur".into()),
        field_type: None,
        description: None,
    });
    def.related[2].cardinality = Cardinality::OneToOne;
    def.entity.fields[9].field_type = Some(FieldType::Str);
    def.related[1].fields[0].column = "invoice_no".into();
    let issues = validate_product(&ws, &def, &MemoryStore::default()).unwrap();
    let l = lines(&issues);
    let has = |want: &str| l.iter().any(|x| x == want);
    assert!(has("Error related[orders].join[0]: customer_id is i64, orders.currency is str"), "{l:#?}");
    assert!(
        l.iter().any(|x| x.starts_with("Error related[tickets].cardinality: declared one_to_one, but ")
            && x.ends_with("use one_to_many")),
        "{l:#?}"
    );
    assert!(has("Error entity.fields[9].type: declared str, but crm.birth_date is date"), "{l:#?}");
    assert!(l.iter().any(|x| x.starts_with("Error related[invoices].fields[0].column: `invoice_no` is not a column of source `invoices`; it has: invoice_id,")), "{l:#?}");
}

#[test]
fn duplicate_instance_keys_and_unknown_sources_are_errors() {
    let (ws, mut def) = setup();
    def.entity.source = "orders".into();
    def.entity.fields.clear();
    def.entity.derived.clear();
    def.entity.key = Columns::One("customer_id".into());
    def.reference.clear();
    def.quality.clear();
    def.related[1].source = "billing".into();
    let issues = validate_product(&ws, &def, &MemoryStore::default()).unwrap();
    let l = lines(&issues);
    assert!(
        l.iter().any(|x| x.starts_with("Error entity.key: ") && x.contains("instance keys appear more than once")),
        "{l:#?}"
    );
    assert!(
        l.iter().any(|x| x
            .starts_with("Error related[invoices].source: no source `billing` in the workspace; it has: crm, orders")),
        "{l:#?}"
    );
}

#[test]
fn a_column_of_a_source_or_of_the_product_is_profiled_on_demand() {
    let (ws, def) = setup();
    let secrets = MemoryStore::default();
    let status = steward_app::profile_column(&ws, "orders", "status", &secrets).unwrap();
    assert_eq!(status.name, "status");
    assert!(status.top.iter().any(|t| t.value == "delivered"), "{:?}", status.top);

    let a = steward_app::assemble_product(&ws, &def, &secrets).unwrap();
    let customers = steward_app::profile_product_column(&a, "entity", "customer_since").unwrap();
    assert_eq!(customers.nulls, 0);
    let amount = steward_app::profile_product_column(&a, "orders", "amount").unwrap();
    assert!(amount.histogram.is_some());

    let e = steward_app::profile_product_column(&a, "shipments", "x").unwrap_err();
    assert!(e.to_string().contains("customer360: no table `shipments`; it has: entity, orders"), "{e}");
    let e = steward_app::profile_product_column(&a, "orders", "amout").unwrap_err();
    assert!(e.to_string().starts_with("customer360.orders: no column `amout`; it has: order_id"), "{e}");
    let e = steward_app::profile_column(&ws, "orders", "amout", &secrets).unwrap_err();
    assert!(e.to_string().starts_with("orders: no column `amout`"), "{e}");
}

#[test]
fn masking_rules_are_checked_with_their_paths_before_any_data_is_read() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let scrambled = text.replacen("rule: key_remap", "rule: scramble", 1);
    let line = scrambled.lines().position(|l| l.contains("rule: scramble")).unwrap() + 1;
    let e = steward_model::parse(&scrambled, &path).unwrap_err().to_string();
    // The file and the line of the rule, and where in the definition it is.
    assert!(
        e.contains(&format!(
            "customer360.yaml:{line}: masking.analytics.rules: the rule on `customer_id`: `scramble` is not a masking rule"
        )),
        "{e}"
    );
    let horoscope = text.replacen("kind: first_name", "kind: horoscope", 1);
    let e = steward_model::parse(&horoscope, &path).unwrap_err().to_string();
    assert!(e.contains("masking.analytics.rules: the rule on `first_name`: kind `horoscope` is not one of"), "{e}");
}
