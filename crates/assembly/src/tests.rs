use std::collections::HashMap;
use std::path::Path;
use steward_error::ErrorCode;

use super::*;

fn sample() -> (ProductDefinition, HashMap<String, DataFrame>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    let ws = steward_workspace::Workspace::open(&root).unwrap();
    let def = steward_model::load(&root.join("products/customer360.yaml")).unwrap();
    let mut frames = HashMap::new();
    for s in ws.sources() {
        let loc = steward_sources::Location::file(ws.source_path(s)).with_table(s.table.clone());
        frames.insert(s.id.clone(), steward_sources::load(&loc).unwrap());
    }
    (def, frames)
}

fn text(df: &DataFrame, col: &str, row: usize) -> String {
    df.column(col).unwrap().get(row).unwrap().str_value().into_owned()
}

#[test]
fn the_360_view_holds_one_customer_and_all_their_rows() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    let v = a.entity_360(&["7".into()]).unwrap();
    assert_eq!(v.entity.height(), 1);
    let crm = &frames["crm"];
    let row = crm.column("customer_id").unwrap().i64().unwrap().iter().position(|x| x == Some(7)).unwrap();
    let (first, last) = (text(crm, "first_name", row), text(crm, "last_name", row));
    assert_eq!(text(&v.entity, "full_name", 0), format!("{first} {last}"), "derived through Polars SQL");
    assert_eq!(text(&v.entity, "customer_since", 0), text(crm, "created_at", row), "renamed field");
    let country = text(crm, "country_code", row);
    let countries = &frames["countries"];
    let c = countries
        .column("country_code")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .position(|x| x == Some(country.as_str()))
        .unwrap();
    assert_eq!(text(&v.entity, "country_name", 0), text(countries, "country_name", c), "reference lookup");

    let want_orders =
        frames["orders"].column("customer_id").unwrap().i64().unwrap().iter().filter(|x| *x == Some(7)).count();
    let (name, orders) = &v.related[0];
    assert_eq!((name.as_str(), orders.height()), ("orders", want_orders));
    assert!(orders.column("customer_id").unwrap().i64().unwrap().iter().all(|x| x == Some(7)));
    let none = a.entity_360(&["999999".into()]).unwrap();
    assert_eq!(none.entity.height(), 0);
    assert!(none.related.iter().all(|(_, df)| df.height() == 0));
}

#[test]
fn the_product_table_nests_related_rows_and_pages_in_key_order() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    assert_eq!(a.count().unwrap(), 500);
    let page = a.product_page(0, 100).unwrap();
    assert_eq!(page.height(), 100);
    let ids: Vec<i64> = page.column("customer_id").unwrap().i64().unwrap().iter().flatten().collect();
    assert_eq!(ids, (1..=100).collect::<Vec<i64>>());
    assert!(
        matches!(page.column("orders").unwrap().dtype(), DataType::List(inner) if matches!(**inner, DataType::Struct(_)))
    );
    // Each entity's nested orders are exactly its rows in the source.
    let orders = frames["orders"].column("customer_id").unwrap().i64().unwrap().clone();
    for (i, id) in ids.iter().enumerate().take(20) {
        let want = orders.iter().filter(|x| *x == Some(*id)).count();
        let got = match page.column("orders").unwrap().get(i).unwrap() {
            AnyValue::List(s) => s.len(),
            AnyValue::Null => 0,
            other => panic!("{other:?}"),
        };
        assert_eq!(got, want, "customer {id}");
    }
    let next = a.product_page(100, 100).unwrap();
    assert_eq!(next.column("customer_id").unwrap().get(0).unwrap().extract::<i64>(), Some(101));
}

#[test]
fn exports_every_format() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pq = export(&a, ExportFormat::Parquet, dir.path(), &[]).unwrap();
    let back = ParquetReader::new(std::fs::File::open(&pq.files[0]).unwrap()).finish().unwrap();
    assert_eq!((back.height(), pq.entities), (500, 500));
    assert!(back.column("tickets").is_ok());

    let nd = export(&a, ExportFormat::Ndjson, dir.path(), &[]).unwrap();
    let text = std::fs::read_to_string(&nd.files[0]).unwrap();
    assert_eq!(text.lines().count(), 500);
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["customer_id"], 1);
    assert!(first["orders"].is_array() || first["orders"].is_null());

    let csv = export(&a, ExportFormat::Csv, dir.path(), &[]).unwrap();
    let names: Vec<String> = csv.files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
    // One file per table at every depth: the order lines under their orders too.
    assert_eq!(names, ["entity.csv", "orders.csv", "orders.lines.csv", "invoices.csv", "tickets.csv"]);

    let db = export(&a, ExportFormat::Sqlite, dir.path(), &[vec!["7".into()], vec!["8".into()]]).unwrap();
    assert_eq!(db.entities, 2);
    let conn = rusqlite::Connection::open(&db.files[0]).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM entity", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
    let ids: Vec<i64> = conn
        .prepare("SELECT DISTINCT customer_id FROM orders ORDER BY 1")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(ids.iter().all(|i| *i == 7 || *i == 8) && !ids.is_empty(), "{ids:?}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// Every file of an export, by name, as bytes (SQLite databases as their rows, sorted).
fn exported(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    for e in walk(dir) {
        let name = e.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        if name.ends_with(".sqlite") {
            let conn = rusqlite::Connection::open(&e).unwrap();
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            let mut rows = vec![];
            for t in tables {
                let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
                let n = stmt.column_count();
                let mut all: Vec<String> = stmt
                    .query_map([], |r| {
                        Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                    })
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                all.sort();
                rows.push(format!("{t}: {}", all.join("\n")));
            }
            out.push((name, rows.join("\n").into_bytes()));
        } else if name.ends_with(".parquet") {
            let df = ParquetReader::new(std::fs::File::open(&e).unwrap()).finish().unwrap();
            out.push((name, format!("{df:?}").into_bytes()));
        } else {
            out.push((name, std::fs::read(&e).unwrap()));
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn exports_in_key_ranges_over_scans_match_the_one_pass_export() {
    let (mut def, frames) = sample();
    // Sources as Parquet files, scanned lazily: what an export larger than memory reads.
    let files = tempfile::tempdir().unwrap();
    let mut scans = HashMap::new();
    for (id, df) in &frames {
        let path = files.path().join(format!("{id}.parquet"));
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df.clone()).unwrap();
        scans.insert(
            id.clone(),
            LazyFrame::scan_parquet(PlRefPath::try_from_path(&path).unwrap(), ScanArgsParquet::default()).unwrap(),
        );
    }
    for (composite, null_key) in [(false, false), (true, false), (false, true)] {
        let mut frames = frames.clone();
        if null_key {
            // An entity whose key is missing is exported too, first, as in one pass.
            def.entity.key = steward_model::Columns::One("customer_id".into());
            let crm = frames.get_mut("crm").unwrap();
            let ids = crm.column("customer_id").unwrap().i64().unwrap().clone();
            let with_null: Int64Chunked = ids.iter().enumerate().map(|(i, v)| if i == 3 { None } else { v }).collect();
            crm.with_column(with_null.with_name("customer_id".into()).into_column()).unwrap();
            let path = files.path().join("crm-with-null-key.parquet");
            ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(crm).unwrap();
            scans.insert(
                "crm".into(),
                LazyFrame::scan_parquet(PlRefPath::try_from_path(&path).unwrap(), ScanArgsParquet::default()).unwrap(),
            );
        }
        if composite {
            def.entity.key = steward_model::Columns::Many(vec!["customer_id".into(), "email".into()]);
        }
        let whole = assemble(&def, &frames).unwrap();
        let scanned = assemble_lazy(&def, &scans).unwrap();
        for format in [ExportFormat::Parquet, ExportFormat::Ndjson, ExportFormat::Csv, ExportFormat::Sqlite] {
            let one = tempfile::tempdir().unwrap();
            let a = export(&whole, format, one.path(), &[]).unwrap();
            assert_eq!(a.entities, 500);
            // Ranges re-reading the sources, and ranges taking rows from related tables held once.
            for hold_related in [false, true] {
                let many = tempfile::tempdir().unwrap();
                let options = ExportOptions { batch_entities: Some(37), hold_related };
                let b = export_with(&scanned, format, many.path(), &[], options).unwrap();
                assert_eq!(b.entities, 500, "{format:?}");
                let (x, y) = (exported(one.path()), exported(many.path()));
                assert_eq!(x.len(), y.len());
                for ((n1, b1), (n2, b2)) in x.iter().zip(&y) {
                    assert_eq!(n1, n2);
                    assert!(
                        b1 == b2,
                        "{format:?} composite={composite} null_key={null_key} hold={hold_related}: {n1} differs when exported in batches"
                    );
                }
            }
        }
    }
}

#[test]
fn a_bad_derived_expression_names_the_field() {
    let (mut def, frames) = sample();
    def.entity.derived[0].sql = "first_name ||| oops".into();
    let e = assemble(&def, &frames).err().unwrap();
    assert_eq!(e.code(), "assembly.derived");
    assert!(e.to_string().starts_with("entity: derived field `full_name`"), "{e}");
}

#[test]
fn quality_rules_count_violations_with_samples() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    let results = a.evaluate_quality(&def.quality).unwrap();
    let by = |i: usize| &results[i];
    // unique customer_id, row_count: the demo passes them.
    assert!(by(0).passed && by(6).passed, "{results:#?}");
    // not_null email: the CRM has customers without an email.
    let crm = &frames["crm"];
    assert_eq!(by(1).violations, crm.column("email").unwrap().null_count() as u64);
    assert_eq!(by(1).checked, 500);
    // Malformed phones break the phone pattern; the samples are real offending values.
    let phone = by(3);
    assert!(phone.violations > 0 && !phone.samples.is_empty(), "{phone:?}");
    let re = regex::Regex::new("^\\+\\d[\\d \\-()]{6,}$").unwrap();
    assert!(phone.samples.iter().all(|s| !re.is_match(s)), "{phone:?}");
    // Statuses are all accepted; amounts are within range.
    assert_eq!((by(4).table.as_str(), by(4).violations), ("orders", 0));
    assert!(by(5).passed);
    // A stricter range fails with samples from the data.
    let strict = vec![steward_model::QualityRule::Range {
        table: Some("orders".into()),
        column: "amount".into(),
        min: Some(0.0),
        max: Some(100.0),
    }];
    let r = &a.evaluate_quality(&strict).unwrap()[0];
    assert!(r.violations > 0 && r.samples.iter().all(|s| s.parse::<f64>().unwrap() > 100.0), "{r:?}");
}

#[test]
fn the_indexed_360_view_matches_the_scanning_one() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    let lookup = Lookup::build(&a).unwrap();
    for key in ["1", "7", "250", "500", "99999"] {
        let want = a.entity_360(&[key.to_string()]).unwrap();
        let got = lookup.entity_360(&[key.to_string()]).unwrap();
        assert!(got.entity.equals_missing(&want.entity), "entity of {key}");
        assert_eq!(got.related.len(), want.related.len());
        for ((n1, d1), (n2, d2)) in got.related.iter().zip(&want.related) {
            assert_eq!(n1, n2);
            assert!(d1.equals_missing(d2), "{n1} of {key}:\n{d1}\n{d2}");
        }
    }
    assert!(lookup.entity_360(&["1".into(), "2".into()]).is_err());
    let page = a.product_page(0, 1000).unwrap();
    assert_eq!(lookup.len(), page.height());
}

/// Found on Chinook (Django's layout: every table's key is `id`): invoices joined to customers
/// on `customer_id` carried the customer's `id` over their own, so every invoice read as its
/// customer's id and its lines joined to other invoices. The clash is now refused, named.
#[test]
fn a_table_field_named_like_the_instance_key_is_refused_not_overwritten() {
    let text = "steward: steward.product/v1\nmetadata: { name: music, domain: sales, owner: a@example.com, version: 0.1.0 }\n\
        entity: { name: Customer, source: customer, key: id }\n\
        related:\n  - name: invoice\n    source: invoice\n    join:\n      - { parent: id, child: customer_id }\n    cardinality: one_to_many\n";
    let def = steward_model::parse(text, Path::new("music.yaml")).unwrap();
    let frames = HashMap::from([
        ("customer".to_string(), df!("id" => [1i64, 2], "name" => ["Ann", "Bo"]).unwrap()),
        (
            "invoice".to_string(),
            df!("id" => [10i64, 11, 12], "customer_id" => [1i64, 1, 2], "total" => [1.0, 2.0, 3.0]).unwrap(),
        ),
    ]);
    let e = match assemble(&def, &frames).and_then(|a| a.entity_360(&["1".to_string()])) {
        Ok(v) => panic!("assembled, invoices read {:?}", v.related),
        Err(e) => e,
    };
    assert!(
        e.to_string().contains("invoice") && e.to_string().contains("`id`") && e.to_string().contains("rename"),
        "{e}"
    );
}

/// Small tables are ordered by hashing, large ones by a query: both give the same product table,
/// for one entity, a page, and the whole sample.
#[test]
fn hashing_and_querying_nest_alike() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    let lookup = Lookup::build(&a).unwrap();
    for (offset, limit) in [(0i64, 1u32), (6, 1), (0, 20), (100, 250), (0, 1000)] {
        let page = a.product_page(offset, limit).unwrap();
        let keys = page.column(&a.key[0]).unwrap().cast(&DataType::String).unwrap();
        let (mut entities, mut related): (Option<DataFrame>, Vec<DataFrame>) = (None, vec![]);
        for k in keys.str().unwrap().iter().flatten() {
            let v = lookup.entity_360(&[k.to_string()]).unwrap();
            match &mut entities {
                None => {
                    entities = Some(v.entity);
                    related = v.related.into_iter().map(|(_, df)| df).collect();
                }
                Some(e) => {
                    e.vstack_mut(&v.entity).unwrap();
                    for (r, (_, df)) in related.iter_mut().zip(v.related) {
                        r.vstack_mut(&df).unwrap();
                    }
                }
            }
        }
        let entities = entities.unwrap();
        let hashed = a.nest_with(entities.clone(), related.clone(), usize::MAX).unwrap();
        let queried = a.nest_with(entities, related, 0).unwrap();
        assert!(hashed.equals_missing(&queried), "page {offset}+{limit}:\n{hashed}\n{queried}");
        assert!(hashed.equals_missing(&page), "page {offset}+{limit} as the product table has it");
    }
}

/// The product table a node holds: the same rows as a page of the product, one entity's row as
/// the page holding it cut to it, and no row for an unknown key.
#[test]
fn the_held_product_table_matches_the_paged_product() {
    let (def, frames) = sample();
    let a = assemble(&def, &frames).unwrap();
    let table = ProductTable::build(&a).unwrap();
    let whole = a.product_page(0, u32::MAX).unwrap();
    assert_eq!(table.len(), whole.height());
    assert!(table.frame().equals_missing(&whole));
    for (offset, limit) in [(0i64, 1u32), (6, 20), (100, 250), (-5, 10)] {
        let page = table.page(offset, limit).unwrap();
        assert!(page.equals_missing(&a.product_page(offset, limit).unwrap()), "{offset}+{limit}");
    }
    let keys = whole.column(&a.key[0]).unwrap().cast(&DataType::String).unwrap();
    let keys = keys.str().unwrap();
    for key in ["1", "7", "250"] {
        let at = keys.iter().position(|k| k == Some(key)).unwrap();
        let row = table.entity(&[key.to_string()]).unwrap();
        assert!(row.equals_missing(&whole.slice(at as i64, 1)), "row of {key}:\n{row}");
    }
    assert_eq!(table.entity(&["99999".to_string()]).unwrap().height(), 0);
    assert!(table.entity(&["1".into(), "2".into()]).is_err());
}
