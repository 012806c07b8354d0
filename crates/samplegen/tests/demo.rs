//! The committed demo is exactly what the generator makes, and it carries the PII and dirt
//! that later features (profiling, classification, masking) are tested against.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use polars::prelude::*;
use steward_samplegen::{generate, luhn_valid, Layout, Options};

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data")
}

fn sqlite_rows(path: &Path) -> Vec<Vec<String>> {
    let db = rusqlite::Connection::open(path).unwrap();
    let mut stmt = db.prepare("SELECT * FROM customers ORDER BY customer_id").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>()))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn xlsx_cells(path: &Path) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range("Invoices").unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

#[test]
fn committed_sample_data_is_what_the_generator_makes() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), &Options::default()).unwrap();
    let want = committed();
    for text in ["orders.csv", "countries.csv", "steward.yaml"] {
        let a = std::fs::read(dir.path().join(text)).unwrap();
        let b = std::fs::read(want.join(text)).unwrap_or_default();
        assert!(a == b, "sample-data/{text} differs from the generator's output: run `make sample-data`");
    }
    assert_eq!(sqlite_rows(&dir.path().join("crm.sqlite")), sqlite_rows(&want.join("crm.sqlite")));
    assert_eq!(xlsx_cells(&dir.path().join("invoices.xlsx")), xlsx_cells(&want.join("invoices.xlsx")));
    assert!(parquet(&dir.path().join("tickets.parquet")).equals_missing(&parquet(&want.join("tickets.parquet"))));
}

#[test]
fn same_seed_same_bytes_other_seed_other_data() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let opts = Options { customers: 300, seed: 7, layout: Layout::Systems };
    generate(a.path(), &opts).unwrap();
    generate(b.path(), &opts).unwrap();
    generate(c.path(), &Options { seed: 8, ..opts.clone() }).unwrap();
    for f in ["orders.csv", "invoices.xlsx", "tickets.parquet"] {
        assert_eq!(std::fs::read(a.path().join(f)).unwrap(), std::fs::read(b.path().join(f)).unwrap(), "{f}");
    }
    assert_ne!(
        std::fs::read(a.path().join("orders.csv")).unwrap(),
        std::fs::read(c.path().join("orders.csv")).unwrap()
    );
}

#[test]
fn demo_carries_realistic_pii_and_dirt() {
    let ws = committed();
    let db = rusqlite::Connection::open(ws.join("crm.sqlite")).unwrap();
    let one = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT count(*) FROM customers"), 500);
    // Names with non-ASCII letters.
    let names: Vec<String> = db
        .prepare("SELECT first_name || ' ' || last_name FROM customers")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(names.iter().filter(|n| !n.is_ascii()).count() >= 20, "too few non-ASCII names");
    // Nulls, duplicate emails, malformed phones.
    assert!(one("SELECT count(*) FROM customers WHERE email IS NULL") > 0);
    assert!(one("SELECT count(*) FROM customers WHERE phone IS NULL") > 0);
    assert!(one("SELECT count(*) FROM (SELECT email FROM customers WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1)") > 0);
    assert!(one("SELECT count(*) FROM customers WHERE phone IS NOT NULL AND phone NOT LIKE '+%'") > 0);
    // Every card number is Luhn-valid; birth dates are ISO dates.
    let cards: Vec<String> = db
        .prepare("SELECT card_number FROM customers")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(cards.iter().all(|c| luhn_valid(c)));
    assert_eq!(one("SELECT count(*) FROM customers WHERE birth_date IS NOT NULL AND birth_date NOT GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'"), 0);

    // Orphan orders: customer ids the CRM does not know.
    let orders = CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(ws.join("orders.csv")))
        .unwrap()
        .finish()
        .unwrap();
    let max_id = one("SELECT max(customer_id) FROM customers");
    let ids = orders.column("customer_id").unwrap().i64().unwrap().clone();
    let orphans = ids.iter().flatten().filter(|&id| id > max_id).count();
    assert!(orphans > 0 && orphans < orders.height() / 20, "orphans: {orphans}");
    assert!(orders.column("amount").unwrap().null_count() > 0, "some order amounts are missing");

    // Free text that hides PII, in the Parquet tickets.
    let tickets = parquet(&ws.join("tickets.parquet"));
    let bodies = tickets.column("body").unwrap().str().unwrap().clone();
    assert!(bodies.iter().flatten().any(|b| b.contains("reach me at +")));
}

#[test]
fn invoice_dates_and_amounts_are_typed_in_the_workbook() {
    let rows = xlsx_cells(&committed().join("invoices.xlsx"));
    assert_eq!(rows[0][0], Data::String("invoice_id".into()));
    let first = &rows[1];
    assert!(matches!(first[3], Data::DateTime(_)), "issued_on is a date cell: {:?}", first[3]);
    assert!(matches!(first[5], Data::Float(_)), "net_amount is a number: {:?}", first[5]);
    assert!(matches!(first[9], Data::Bool(_)), "paid is a boolean: {:?}", first[9]);
}

#[test]
fn scales_and_writes_parquet_layout() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(dir.path(), &Options { customers: 2_000, seed: 1, layout: Layout::Parquet }).unwrap();
    assert!((8_000..12_000).contains(&s.orders), "about five orders per customer: {}", s.orders);
    assert!((3_000..5_000).contains(&s.tickets), "about two tickets per customer: {}", s.tickets);
    assert_eq!(parquet(&dir.path().join("customers.parquet")).height(), 2_000);
    assert_eq!(parquet(&dir.path().join("orders.parquet")).height(), s.orders);
    let ws = steward_workspace::Workspace::open(dir.path()).unwrap();
    assert!(ws.sources().iter().all(|s| s.kind == steward_workspace::SourceKind::Parquet));
}

#[test]
fn zero_customers_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = generate(dir.path(), &Options { customers: 0, ..Options::default() }).unwrap_err();
    assert!(e.to_string().contains("--customers"));
}
