use super::*;
use steward_error::ErrorCode;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn dtypes(i: &Inspection) -> Vec<(&str, &str)> {
    i.columns.iter().map(|c| (c.name.as_str(), c.dtype.as_str())).collect()
}

fn strings(df: &DataFrame, col: &str) -> Vec<String> {
    let c = df.column(col).unwrap();
    (0..df.height()).map(|i| c.get(i).unwrap().str_value().to_string()).collect()
}

#[test]
fn inspects_csv_columns_types_and_exact_rows() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "orders.csv",
        "order_id,customer_id,amount,ordered_on,note\n1,10,9.5,2024-01-03,first\n2,11,12.25,2024-02-29,\n3,10,1.0,2024-03-01,Zoë\n"
            .as_bytes(),
    );
    let i = inspect(&Location::file(&p)).unwrap();
    assert_eq!(i.format, FileFormat::Csv);
    assert_eq!(i.row_count, 3);
    assert_eq!(
        dtypes(&i),
        vec![("order_id", "i64"), ("customer_id", "i64"), ("amount", "f64"), ("ordered_on", "date"), ("note", "str")]
    );
    let d = i.dialect.unwrap();
    assert_eq!((d.delimiter, d.has_header, d.encoding.as_str()), (',', true, "utf-8"));
}

#[test]
fn csv_dialects_and_encodings_read_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let semicolon_latin1 = write(dir.path(), "a.csv", b"id;name\n1;Zo\xEB\n2;J\xFCrgen\n");
    let bom_tab = write(dir.path(), "b.tsv", "\u{FEFF}id\tname\n1\tZoë\n2\tJürgen\n".as_bytes());
    for p in [semicolon_latin1, bom_tab] {
        let df = preview(&Location::file(&p), 10).unwrap();
        assert_eq!(strings(&df, "name"), ["Zoë", "Jürgen"], "{}", p.display());
        assert_eq!(df.column("id").unwrap().dtype(), &DataType::Int64);
    }
    let i = inspect(&Location::file(dir.path().join("a.csv"))).unwrap();
    assert_eq!(i.dialect.unwrap().encoding, "windows-1252");
}

#[test]
fn single_quoted_fields_keep_their_delimiters() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "q.csv", b"id,name\n1,'Doe, Jane'\n2,'Smith'\n");
    let df = preview(&Location::file(&p), 10).unwrap();
    assert_eq!(strings(&df, "name"), ["Doe, Jane", "Smith"]);
}

#[test]
fn headerless_csv_gets_numbered_columns() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "n.csv", b"1,alpha,2.5\n2,beta,3.5\n3,gamma,4.5\n");
    let i = inspect(&Location::file(&p)).unwrap();
    assert_eq!(i.row_count, 3);
    assert!(!i.dialect.unwrap().has_header);
    assert_eq!(i.columns[1].name, "column_2");
}

#[test]
fn ragged_csv_is_refused_with_lines_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "r.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n");
    let e = inspect(&Location::file(&p)).unwrap_err();
    assert_eq!(e.code(), "source.ragged");
    assert!(e.to_string().starts_with(&format!("{}: line 3 has 2 fields", p.display())), "{e}");
    let mut loc = Location::file(&p);
    loc.csv.allow_ragged = true;
    let df = preview(&loc, 10).unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(df.column("c").unwrap().null_count(), 1);
}

#[test]
fn preview_returns_first_rows_in_order_and_respects_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,name\n");
    for i in 0..50 {
        text.push_str(&format!("{i},n{i}\n"));
    }
    let p = write(dir.path(), "a.csv", text.as_bytes());
    let df = preview(&Location::file(&p), 5).unwrap();
    assert_eq!(strings(&df, "name"), ["n0", "n1", "n2", "n3", "n4"]);
}

#[test]
fn parquet_arrow_and_ndjson_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut df = df!("id" => [1i64, 2, 3], "email" => ["a@x.org", "b@y.org", "c@z.org"]).unwrap();
    let pq = dir.path().join("t.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap()).finish(&mut df).unwrap();
    let feather = dir.path().join("t.feather");
    IpcWriter::new(std::fs::File::create(&feather).unwrap()).finish(&mut df).unwrap();
    let stream = dir.path().join("t.arrows");
    IpcStreamWriter::new(std::fs::File::create(&stream).unwrap()).finish(&mut df).unwrap();
    let nd = write(
        dir.path(),
        "t.ndjson",
        b"{\"id\":1,\"email\":\"a@x.org\"}\n{\"id\":2,\"email\":\"b@y.org\"}\n\n{\"id\":3,\"email\":\"c@z.org\"}\n",
    );
    for (p, f) in
        [(pq, FileFormat::Parquet), (feather, FileFormat::Arrow), (stream, FileFormat::Arrow), (nd, FileFormat::Ndjson)]
    {
        let i = inspect(&Location::file(&p)).unwrap();
        assert_eq!((i.format, i.row_count), (f, 3), "{}", p.display());
        assert_eq!(dtypes(&i), vec![("id", "i64"), ("email", "str")], "{}", p.display());
        let head = preview(&Location::file(&p), 2).unwrap();
        assert_eq!(strings(&head, "email"), ["a@x.org", "b@y.org"], "{}", p.display());
    }
}

#[test]
fn ndjson_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.jsonl", b"{\"id\":1}\n{\"id\":2\n");
    let e = inspect(&Location::file(&p)).unwrap_err();
    assert_eq!(e.code(), "source.malformed");
    assert!(e.to_string().contains("line 2"), "{e}");
}

fn workbook(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("Notes").unwrap();
    s.write(0, 0, "nothing here").unwrap();
    let s = wb.add_worksheet();
    s.set_name("Invoices").unwrap();
    s.write(0, 0, "Exported 2025-01-01").unwrap();
    for (c, h) in ["invoice_id", "amount", "issued_on", "paid"].iter().enumerate() {
        s.write(2, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for r in 0..3u32 {
        s.write(3 + r, 0, format!("INV-{r}")).unwrap();
        s.write(3 + r, 1, 10.5 + r as f64).unwrap();
        s.write_with_format(3 + r, 2, ExcelDateTime::from_ymd(2024, 1, 1 + r as u8).unwrap(), &date).unwrap();
        s.write(3 + r, 3, r % 2 == 0).unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn excel_sheet_and_header_row_are_chosen_and_typed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("book.xlsx");
    workbook(&p);
    let tables = list_tables(&p).unwrap();
    assert_eq!(tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Notes", "Invoices"]);
    let mut loc = Location::file(&p).with_table(Some("Invoices".into()));
    loc.header_row = Some(3);
    let i = inspect(&loc).unwrap();
    assert_eq!(i.row_count, 3);
    assert_eq!(dtypes(&i), vec![("invoice_id", "str"), ("amount", "f64"), ("issued_on", "date"), ("paid", "bool")]);
    let df = preview(&loc, 2).unwrap();
    assert_eq!(strings(&df, "issued_on"), ["2024-01-01", "2024-01-02"]);
    let e = inspect(&Location::file(&p).with_table(Some("Nope".into()))).unwrap_err();
    assert_eq!(e.code(), "source.no_such_table");
    assert!(e.to_string().contains("Invoices"), "{e}");
}

#[test]
fn sqlite_blobs_are_bytes_and_declared_money_is_an_exact_decimal() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("billing.sqlite");
    let db = rusqlite::Connection::open(&p).unwrap();
    db.execute_batch(
        "CREATE TABLE invoices (id INTEGER, total NUMERIC(10,2), odd NUMERIC(10,2), photo BLOB);
         INSERT INTO invoices VALUES (1, 1.98, 1.005, x'89504e4701'), (2, 13.86, 2, x''), (3, NULL, NULL, NULL), (4, 7, 3, x'ff');",
    )
    .unwrap();
    drop(db);
    let loc = Location::file(&p).with_table(Some("invoices".into()));
    let i = inspect(&loc).unwrap();
    // `odd` holds a value finer than its declared scale: typed as usual, never rounded.
    assert_eq!(dtypes(&i), vec![("id", "i64"), ("total", "decimal[10,2]"), ("odd", "f64"), ("photo", "binary")]);
    let df = preview(&loc, 10).unwrap();
    let text = |c: &str, r: usize| steward_display::cell_text(&df.column(c).unwrap().get(r).unwrap());
    assert_eq!(text("total", 0).as_deref(), Some("1.98"));
    assert_eq!(text("total", 3).as_deref(), Some("7.00"));
    assert_eq!(text("odd", 0).as_deref(), Some("1.005"));
    assert_eq!(text("photo", 0).as_deref(), Some("0x89504e4701"));
    assert_eq!(text("photo", 1).as_deref(), Some("0x"));
    assert_eq!(text("photo", 2), None);
}

#[test]
fn sqlite_tables_and_views_with_typed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("crm.sqlite");
    let db = rusqlite::Connection::open(&p).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, born TEXT, score REAL);
         INSERT INTO customers VALUES (1, 'Zoë', '1980-02-03', 1.5), (2, 'Björn', NULL, 2), (3, NULL, '2001-12-31', NULL);
         CREATE VIEW adults AS SELECT id, name FROM customers WHERE born < '2000-01-01';",
    )
    .unwrap();
    drop(db);
    let tables = list_tables(&p).unwrap();
    assert_eq!(
        tables,
        vec![
            TableInfo { name: "adults".into(), kind: "view".into() },
            TableInfo { name: "customers".into(), kind: "table".into() }
        ]
    );
    let e = inspect(&Location::file(&p)).unwrap_err();
    assert_eq!(e.code(), "source.table_required");
    let i = inspect(&Location::file(&p).with_table(Some("customers".into()))).unwrap();
    assert_eq!(i.row_count, 3);
    assert_eq!(dtypes(&i), vec![("id", "i64"), ("name", "str"), ("born", "date"), ("score", "f64")]);
    let v = preview(&Location::file(&p).with_table(Some("adults".into())), 10).unwrap();
    assert_eq!(strings(&v, "name"), ["Zoë"]);
}

#[test]
fn bad_files_get_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, &[u8], &str)> = vec![
        ("empty.csv", b"", "source.empty"),
        ("fake.parquet", b"id,name\n1,a\n", "source.unsupported"),
        ("book.csv", b"PK\x03\x04garbage", "source.unsupported"),
        ("cut.parquet", b"PAR1\x00\x00\x00", "source.corrupt"),
        ("junk.sqlite", b"hello world", "source.unsupported"),
        ("junk.xlsx", b"not a workbook", "source.corrupt"),
        ("zip.xlsx", b"PK\x03\x04\x14\x00\x00\x00broken", "source.corrupt"),
        ("doc.json", b"[1,2,3]", "source.unsupported"),
    ];
    for (name, bytes, code) in cases {
        let p = write(dir.path(), name, bytes);
        let e = inspect(&Location::file(&p)).unwrap_err();
        assert_eq!(e.code(), code, "{name}: {e}");
        assert!(e.to_string().contains(name), "{name}: {e}");
    }
    let missing = inspect(&Location::file(dir.path().join("missing.csv"))).unwrap_err();
    assert_eq!(missing.code(), "source.not_found");
}

#[test]
fn arrow_ipc_bytes_are_a_readable_arrow_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "id,name\n1,Åsa\n2,Björn\n".as_bytes());
    let mut df = preview(&Location::file(&p), 10).unwrap();
    let bytes = crate::to_arrow_ipc(&mut df, &p).unwrap();
    assert!(bytes.starts_with(b"ARROW1"));
    let back = IpcReader::new(std::io::Cursor::new(bytes)).finish().unwrap();
    assert!(back.equals(&df));
}

/// A page at any offset is the same rows as the whole source cut there, in every format that
/// reads pages in place and in those read whole.
#[test]
fn pages_at_any_offset_are_the_whole_source_cut_there() {
    let dir = tempfile::tempdir().unwrap();
    let n = 5_000i64;
    let mut df = df!(
        "id" => (0..n).collect::<Vec<_>>(),
        "name" => (0..n).map(|i| format!("n{i}")).collect::<Vec<_>>()
    )
    .unwrap();
    let pq = dir.path().join("t.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap()).with_row_group_size(Some(700)).finish(&mut df).unwrap();
    let feather = dir.path().join("t.feather");
    IpcWriter::new(std::fs::File::create(&feather).unwrap()).finish(&mut df).unwrap();
    let mut csv = String::from("id,name\n");
    for i in 0..n {
        csv.push_str(&format!("{i},n{i}\n"));
    }
    let csv = write(dir.path(), "t.csv", csv.as_bytes());
    let db = dir.path().join("t.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER, name TEXT)").unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..n {
        tx.execute("INSERT INTO t VALUES (?1, ?2)", rusqlite::params![i, format!("n{i}")]).unwrap();
    }
    tx.commit().unwrap();
    for path in [&pq, &feather, &csv, &db] {
        let loc = Location::file(path);
        for (offset, limit) in [(0usize, 10usize), (1, 3), (699, 3), (4_990, 100), (5_000, 10), (9_999, 5)] {
            let page = page(&loc, offset, limit).unwrap();
            let want: Vec<String> =
                (offset as i64..(offset + limit).min(n as usize) as i64).map(|i| format!("n{i}")).collect();
            assert_eq!(strings(&page, "name"), want, "{} at {offset}+{limit}", path.display());
        }
    }
    assert!(pages_in_place(&Location::file(&pq)).unwrap() && pages_in_place(&Location::file(&db)).unwrap());
    assert!(!pages_in_place(&Location::file(&csv)).unwrap());
}

/// Found on Chinook (from PyPI): SQLite keeps `birthdate` and `hiredate` as ISO text, and they
/// were offered as text. They read as dates now, unless the steward keeps them as text.
#[test]
fn sqlite_iso_text_reads_as_dates_unless_kept_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hr.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE employee (id INTEGER, birthdate DATETIME, hiredate TEXT, note TEXT);
         INSERT INTO employee VALUES (1, '1962-02-18 00:00:00', '2002-08-14', 'first day 2002-08-14');
         INSERT INTO employee VALUES (2, '1958-12-08 00:00:00', '2002-05-01', NULL);",
    )
    .unwrap();
    let mut loc = Location::file(&db);
    let db2 = dir.path().join("chinook.sqlite");
    let conn2 = rusqlite::Connection::open(&db2).unwrap();
    conn2
        .execute_batch("CREATE TABLE employee (id integer, birthdate datetime); INSERT INTO employee VALUES (1, '1962-02-18T00:00:00Z');")
        .unwrap();
    assert_eq!(dtypes(&inspect(&Location::file(&db2)).unwrap()), [("id", "i64"), ("birthdate", "datetime[ms]")]);
    assert_eq!(
        dtypes(&inspect(&loc).unwrap()),
        [("id", "i64"), ("birthdate", "datetime[ms]"), ("hiredate", "date"), ("note", "str")]
    );
    let rows = load(&loc).unwrap();
    assert_eq!(rows.column("hiredate").unwrap().get(1).unwrap().to_string(), "2002-05-01");
    assert_eq!(page(&loc, 1, 5).unwrap().column("hiredate").unwrap().dtype(), &DataType::Date);
    loc.keep_text = vec!["hiredate".into()];
    assert_eq!(dtypes(&inspect(&loc).unwrap())[2], ("hiredate", "str"));
}
