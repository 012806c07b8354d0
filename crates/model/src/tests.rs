use std::path::Path;
use steward_error::ErrorCode;

use super::*;

fn sample_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml")
}

fn sample() -> ProductDefinition {
    load(&sample_path()).unwrap()
}

fn paths(def: &ProductDefinition) -> Vec<String> {
    check(def).into_iter().map(|i| i.to_string()).collect()
}

#[test]
fn the_sample_product_parses_and_checks_clean() {
    let def = sample();
    assert_eq!(def.metadata.name, "customer360");
    assert_eq!(def.related.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["orders", "invoices", "tickets"]);
    assert_eq!(def.entity.fields[12].name(), "customer_since");
    assert!(check(&def).is_empty(), "{:#?}", check(&def));
}

#[test]
fn yaml_round_trips() {
    let def = sample();
    let again = parse(&to_yaml(&def), Path::new("again.yaml")).unwrap();
    assert_eq!(again, def);
}

#[test]
fn saving_the_unchanged_sample_rewrites_it_byte_for_byte() {
    let text = std::fs::read_to_string(sample_path()).unwrap();
    let written = to_yaml_replacing(&sample(), &text);
    assert_eq!(written, text, "the modeller would rewrite lines nobody changed");
}

#[test]
fn an_edit_changes_only_its_own_line() {
    let text = std::fs::read_to_string(sample_path()).unwrap();
    let mut def = sample();
    def.related[0].fields[3].rename = Some("order_status".into());
    let written = to_yaml_replacing(&def, &text);
    let changed: Vec<(&str, &str)> = text.lines().zip(written.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(
        changed,
        [("      - { column: status, type: str }", "      - { column: status, as: order_status, type: str }")]
    );
    assert_eq!(text.lines().count(), written.lines().count());
}

#[test]
fn broken_references_are_reported_with_precise_paths() {
    let mut def = sample();
    def.related[0].join[0].parent = "cust_id".into();
    def.related[1].join[0].child = "client".into();
    def.entity.key = Columns::One("id".into());
    def.quality[4] = QualityRule::AcceptedValues {
        table: Some("shipments".into()),
        column: "status".into(),
        values: vec!["x".into()],
    };
    def.quality[2] = QualityRule::Regex { table: None, column: "email".into(), pattern: "([".into() };
    def.metadata.version = "one".into();
    let p = paths(&def);
    for want in [
        "related[orders].join[0].parent: `cust_id` is not a field of the entity",
        "related[invoices].join[0].child: `client` is not among the selected columns of `invoices`",
        "entity.key: `id` is not a field of the entity",
        "quality[4].table: `shipments` is not a related table of this product; it has: orders, orders.lines, invoices, tickets",
        "metadata.version: `one` is not a semantic version (1.2.0)",
    ] {
        assert!(p.iter().any(|x| x == want), "missing `{want}` in {p:#?}");
    }
    assert!(p.iter().any(|x| x.starts_with("quality[2].pattern: not a valid pattern")), "{p:#?}");
}

#[test]
fn a_related_table_of_only_its_join_key_is_an_error() {
    let mut def = sample();
    def.related[0].fields.retain(|f| f.column == "customer_id");
    def.related[0].derived.clear();
    let p = paths(&def);
    assert!(p.iter().any(|x| x.starts_with("related[orders].fields: `orders` selects only its join key")), "{p:#?}");
}

#[test]
fn duplicates_and_clashes_are_errors() {
    let mut def = sample();
    def.related[2].name = "orders".into();
    def.entity.derived.push(Derived { name: "email".into(), sql: "lower(email)".into(), field_type: None });
    def.reference[0].fields.push(Field {
        column: "region".into(),
        rename: Some("segment".into()),
        field_type: None,
        description: None,
    });
    let p = paths(&def);
    assert!(p.contains(&"related[orders].name: `orders` names another table".to_string()), "{p:#?}");
    assert!(p.contains(&"entity.derived[1].name: `email` is already a field of this table".to_string()), "{p:#?}");
    assert!(
        p.iter().any(|x| x.starts_with("reference[country].fields: `segment` already names a field of the entity")),
        "{p:#?}"
    );
}

#[test]
fn parse_errors_name_file_and_line_and_unknown_keys_are_refused() {
    let e = parse("steward: steward.product/v1\nmetadata: [oops\n", Path::new("p.yaml")).unwrap_err();
    assert_eq!(e.code(), "model.parse");
    assert!(e.to_string().starts_with("p.yaml:"), "{e}");
    let text = std::fs::read_to_string(sample_path()).unwrap().replace("  owner:", "  password: x\n  owner:");
    let e = parse(&text, Path::new("p.yaml")).unwrap_err();
    assert!(e.to_string().contains("unknown field `password`"), "{e}");
}

/// The committed schema must be what the types say. Run `make schemas` to regenerate.
#[test]
fn json_schema_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/product-v1.schema.json");
    let want = json_schema();
    if std::env::var_os("STEWARD_UPDATE_SCHEMAS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "schemas/product-v1.schema.json is stale: run `make schemas` and commit it");
    let v: serde_json::Value = serde_json::from_str(&want).unwrap();
    assert_eq!(v["title"], "ProductDefinition");
    assert!(v["properties"]["related"].is_object());
}

mod semantic_diff {
    use super::*;

    fn kinds(d: &Diff) -> Vec<String> {
        d.changes.iter().map(|c| format!("{} {} {}", c.path, c.kind, c.bump.as_str())).collect()
    }

    #[test]
    fn identical_definitions_differ_in_nothing() {
        let d = diff(&sample(), &sample());
        assert!(d.changes.is_empty());
        assert_eq!(d.suggested, Bump::None);
        assert_eq!(d.actual, None, "same version does not increase");
        assert!(d.under_bumped());
    }

    #[test]
    fn removed_and_retyped_fields_break_added_ones_do_not() {
        let old = sample();
        let mut new = sample();
        let removed = new.entity.fields.remove(1);
        new.entity.fields.push(Field {
            column: "loyalty".into(),
            rename: None,
            field_type: Some(FieldType::I64),
            description: None,
        });
        new.related[0].fields[1].field_type = Some(FieldType::Str);
        new.metadata.version = "1.1.0".into();
        let d = diff(&old, &new);
        let k = kinds(&d);
        assert!(k.contains(&format!("entity.fields[{}] removed major", removed.name())), "{k:?}");
        assert!(k.contains(&"entity.fields[loyalty] added minor".to_string()), "{k:?}");
        assert!(
            k.iter()
                .any(|c| c.starts_with(&format!("related[{}].fields[", old.related[0].name))
                    && c.ends_with("retyped major")),
            "{k:?}"
        );
        assert_eq!(d.suggested, Bump::Major);
        assert_eq!(d.actual, Some(Bump::Minor));
        assert!(d.under_bumped(), "breaking change under a minor bump");
        new.metadata.version = "2.0.0".into();
        assert!(!diff(&old, &new).under_bumped());
    }

    #[test]
    fn keys_joins_and_quality_rules() {
        let old = sample();
        let mut new = sample();
        new.entity.key = Columns::Many(vec!["customer_id".into(), "country_code".into()]);
        new.related[0].join[0].child = "client_id".into();
        new.related[0].cardinality = Cardinality::OneToOne;
        let removed = new.quality.remove(0);
        let k = kinds(&diff(&old, &new));
        assert!(k.contains(&"entity.key changed major".to_string()), "{k:?}");
        assert!(k.contains(&format!("related[{}].join changed major", old.related[0].name)), "{k:?}");
        assert!(k.contains(&format!("related[{}].cardinality changed major", old.related[0].name)), "{k:?}");
        let d = diff(&old, &new);
        let c = d.changes.iter().find(|c| c.path.ends_with(".cardinality")).unwrap();
        assert_eq!(c.message, "cardinality one_to_many → one_to_one");
        let d = diff(&old, &new);
        let q = d.changes.iter().find(|c| c.path == "quality").unwrap();
        assert_eq!((q.kind.as_str(), q.bump), ("removed", Bump::Major));
        assert!(q.message.contains(removed.kind()), "{}", q.message);
    }

    #[test]
    fn masking_weakened_is_flagged_for_privacy_review() {
        let old = sample();
        let mut new = sample();
        let p = new.masking.get_mut("analytics").unwrap();
        // The phone keeps 6 digits instead of 4; the email is no longer masked; a new rule hides tickets.
        let phone = p.rules.iter_mut().find(|r| r.field.as_deref() == Some("phone")).unwrap();
        match &mut phone.masking {
            crate::Masking::Partial(params) => params.keep_last = Some(6),
            other => panic!("the sample masks the phone with partial, not {other:?}"),
        }
        p.rules.retain(|r| r.field.as_deref() != Some("email"));
        p.checks.as_mut().unwrap().min_k = Some(1);
        new.metadata.version = "1.0.1".into();
        let d = diff(&old, &new);
        let k = kinds(&d);
        assert!(k.contains(&"masking[analytics].phone weakened minor".to_string()), "{k:?}");
        assert!(k.contains(&"masking[analytics].email weakened minor".to_string()), "{k:?}");
        assert!(k.contains(&"masking[analytics].checks weakened minor".to_string()), "{k:?}");
        assert!(d.privacy_review);
        assert!(d.under_bumped(), "a patch bump does not carry a minor change");

        // Stronger masking takes values away from consumers.
        let mut strong = sample();
        let p = strong.masking.get_mut("analytics").unwrap();
        p.rules.iter_mut().find(|r| r.field.as_deref() == Some("phone")).unwrap().masking =
            crate::Masking::Redact(Default::default());
        let d = diff(&old, &strong);
        assert_eq!(kinds(&d), vec!["masking[analytics].phone strengthened major".to_string()]);
        assert!(!d.privacy_review);
    }

    #[test]
    fn versions_below_one_may_break_on_a_minor_bump() {
        let mut old = sample();
        old.metadata.version = "0.3.0".into();
        let mut new = old.clone();
        new.entity.fields.remove(1);
        new.metadata.version = "0.4.0".into();
        let d = diff(&old, &new);
        assert_eq!(d.required(), Bump::Minor);
        assert!(!d.under_bumped());
        assert_eq!(bump_between("1.2.3", "1.2.3"), None);
        assert_eq!(bump_between("1.2.3", "1.2.2"), None);
        assert_eq!(bump_between("1.2.3", "1.10.0"), Some(Bump::Minor));
        assert_eq!(bump_between("1.2.3", "not-semver"), None);
    }
}

#[test]
fn every_rule_of_the_catalog_re_saves_byte_for_byte() {
    let text = std::fs::read_to_string(sample_path()).unwrap();
    let rules = "    rules:
      - { field: customer_id, rule: key_remap }
      - { field: a, rule: \"null\" }
      - { field: b, rule: redact, params: { with: \"[gone]\" } }
      - { field: c, rule: constant, params: { value: 0 } }
      - { field: d, rule: partial, params: { keep_domain: true, mask: \"#\" } }
      - { field: e, rule: keyed_pseudonym, params: { id: shared, length: 12, prefix: c- } }
      - { field: f, rule: fpe }
      - { field: g, rule: generalise, params: { as_of: 2025-06-30, to: age_band, width: 10 } }
      - { field: h, rule: generalise, params: { to: band, width: 2.5 } }
      - { field: i, rule: noise, params: { days: 3, pct: 1.5 } }
      - { field: j, rule: shuffle }
      - { field: k, rule: fake, params: { kind: email, locale: fr_fr } }
      - { tag: street_address, rule: linked_address, params: { from: [street_address, city], part: city } }
";
    // The sample with its masking replaced by a profile using every rule of the catalog.
    let edited = format!("{}masking:\n  all:\n{rules}", &text[..text.find("masking:\n").unwrap()]);
    let def = parse(&edited, Path::new("all-rules.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to_yaml_replacing(&def, &edited), edited);
}

#[test]
fn a_parse_error_names_its_line_once() {
    let text = std::fs::read_to_string(sample_path()).unwrap().replacen("rule: key_remap", "rule: scramble", 1);
    let line = text.lines().position(|l| l.contains("rule: scramble")).unwrap() + 1;
    let e = parse(&text, Path::new("p.yaml")).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("p.yaml:{line}: masking.analytics.rules: the rule on `customer_id`: `scramble`")),
        "{e}"
    );
    assert!(!e.contains(" at line "), "the line is said once: {e}");
}
