//! Writes the demo tables in each system's own format, and the workspace manifest.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use polars::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use steward_workspace::{SourceKind, SourceRef, Workspace, WorkspaceManifest, MANIFEST_VERSION};

use crate::tables::{Customer, Invoice, Order, OrderLine, Product, Tables, Ticket};
use crate::{GenError, Layout};

pub(crate) fn werr(path: &Path, e: impl std::fmt::Display) -> GenError {
    GenError::Write { path: path.to_path_buf(), message: e.to_string() }
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

fn days(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

fn date_col(name: &str, v: impl Iterator<Item = Option<NaiveDate>>) -> PolarsResult<Column> {
    let s = Series::new(name.into(), v.map(|d| d.map(days)).collect::<Vec<Option<i32>>>());
    Ok(s.cast(&DataType::Date)?.into())
}

fn datetime_col(name: &str, v: impl Iterator<Item = NaiveDateTime>) -> PolarsResult<Column> {
    let s = Series::new(name.into(), v.map(millis).collect::<Vec<i64>>());
    Ok(s.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?.into())
}

fn col<T, V>(name: &str, values: V) -> Column
where
    Series: NamedFrom<V, T>,
    T: ?Sized,
{
    Series::new(name.into(), values).into()
}

pub fn customers_frame(rows: &[Customer]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        col("customer_id", rows.iter().map(|c| c.customer_id).collect::<Vec<_>>()),
        col("first_name", rows.iter().map(|c| c.first_name.as_str()).collect::<Vec<_>>()),
        col("last_name", rows.iter().map(|c| c.last_name.as_str()).collect::<Vec<_>>()),
        col("email", rows.iter().map(|c| c.email.as_deref()).collect::<Vec<_>>()),
        col("phone", rows.iter().map(|c| c.phone.as_deref()).collect::<Vec<_>>()),
        col("street_address", rows.iter().map(|c| c.street_address.as_str()).collect::<Vec<_>>()),
        col("city", rows.iter().map(|c| c.city.as_str()).collect::<Vec<_>>()),
        col("postal_code", rows.iter().map(|c| c.postal_code.as_str()).collect::<Vec<_>>()),
        col("country_code", rows.iter().map(|c| c.country_code).collect::<Vec<_>>()),
        date_col("birth_date", rows.iter().map(|c| c.birth_date))?,
        col("card_number", rows.iter().map(|c| c.card_number.as_str()).collect::<Vec<_>>()),
        col("segment", rows.iter().map(|c| c.segment).collect::<Vec<_>>()),
        datetime_col("created_at", rows.iter().map(|c| c.created_at))?,
    ])
}

pub fn orders_frame(rows: &[Order]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        col("order_id", rows.iter().map(|o| o.order_id).collect::<Vec<_>>()),
        col("customer_id", rows.iter().map(|o| o.customer_id).collect::<Vec<_>>()),
        date_col("ordered_on", rows.iter().map(|o| Some(o.ordered_on)))?,
        col("status", rows.iter().map(|o| o.status).collect::<Vec<_>>()),
        col("channel", rows.iter().map(|o| o.channel).collect::<Vec<_>>()),
        col("amount", rows.iter().map(|o| o.amount).collect::<Vec<_>>()),
        col("currency", rows.iter().map(|o| o.currency).collect::<Vec<_>>()),
    ])
}

pub fn invoices_frame(rows: &[Invoice]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        col("invoice_id", rows.iter().map(|i| i.invoice_id.as_str()).collect::<Vec<_>>()),
        col("order_id", rows.iter().map(|i| i.order_id).collect::<Vec<_>>()),
        col("customer_id", rows.iter().map(|i| i.customer_id).collect::<Vec<_>>()),
        date_col("issued_on", rows.iter().map(|i| Some(i.issued_on)))?,
        date_col("due_on", rows.iter().map(|i| Some(i.due_on)))?,
        col("net_amount", rows.iter().map(|i| i.net_amount).collect::<Vec<_>>()),
        col("tax_amount", rows.iter().map(|i| i.tax_amount).collect::<Vec<_>>()),
        col("currency", rows.iter().map(|i| i.currency).collect::<Vec<_>>()),
        col("payment_method", rows.iter().map(|i| i.payment_method).collect::<Vec<_>>()),
        col("paid", rows.iter().map(|i| i.paid).collect::<Vec<_>>()),
        col("billing_address", rows.iter().map(|i| i.billing_address.as_str()).collect::<Vec<_>>()),
    ])
}

pub fn order_lines_frame(rows: &[OrderLine]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        col("order_id", rows.iter().map(|l| l.order_id).collect::<Vec<_>>()),
        col("line_no", rows.iter().map(|l| l.line_no).collect::<Vec<_>>()),
        col("sku", rows.iter().map(|l| l.sku).collect::<Vec<_>>()),
        col("quantity", rows.iter().map(|l| l.quantity).collect::<Vec<_>>()),
        col("unit_price", rows.iter().map(|l| l.unit_price).collect::<Vec<_>>()),
    ])
}

pub fn products_frame(rows: &[Product]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        col("sku", rows.iter().map(|p| p.sku).collect::<Vec<_>>()),
        col("product_name", rows.iter().map(|p| p.product_name).collect::<Vec<_>>()),
        col("category", rows.iter().map(|p| p.category).collect::<Vec<_>>()),
        col("list_price", rows.iter().map(|p| p.list_price).collect::<Vec<_>>()),
    ])
}

pub fn tickets_frame(rows: &[Ticket]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        col("ticket_id", rows.iter().map(|t| t.ticket_id).collect::<Vec<_>>()),
        col("customer_id", rows.iter().map(|t| t.customer_id).collect::<Vec<_>>()),
        datetime_col("opened_at", rows.iter().map(|t| t.opened_at))?,
        col("channel", rows.iter().map(|t| t.channel).collect::<Vec<_>>()),
        col("category", rows.iter().map(|t| t.category).collect::<Vec<_>>()),
        col("priority", rows.iter().map(|t| t.priority).collect::<Vec<_>>()),
        col("status", rows.iter().map(|t| t.status).collect::<Vec<_>>()),
        col("subject", rows.iter().map(|t| t.subject.as_str()).collect::<Vec<_>>()),
        col("body", rows.iter().map(|t| t.body.as_str()).collect::<Vec<_>>()),
        col("satisfaction", rows.iter().map(|t| t.satisfaction).collect::<Vec<_>>()),
    ])
}

pub fn countries_frame(t: &Tables) -> PolarsResult<DataFrame> {
    let r = &t.countries;
    DataFrame::new_infer_height(vec![
        col("country_code", r.iter().map(|c| c.country_code).collect::<Vec<_>>()),
        col("country_name", r.iter().map(|c| c.country_name).collect::<Vec<_>>()),
        col("region", r.iter().map(|c| c.region).collect::<Vec<_>>()),
        col("calling_code", r.iter().map(|c| c.calling_code).collect::<Vec<_>>()),
        col("vat_rate", r.iter().map(|c| c.vat_rate).collect::<Vec<_>>()),
    ])
}

/// Writes one table to one file.
type TableWriter = fn(&Path, &mut DataFrame) -> Result<(), GenError>;

pub(crate) fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<(), GenError> {
    let file = std::fs::File::create(path).map_err(|e| werr(path, e))?;
    ParquetWriter::new(file).finish(df).map_err(|e| werr(path, e))?;
    Ok(())
}

fn write_csv(path: &Path, df: &mut DataFrame) -> Result<(), GenError> {
    let file = std::fs::File::create(path).map_err(|e| werr(path, e))?;
    CsvWriter::new(std::io::BufWriter::new(file)).include_header(true).finish(df).map_err(|e| werr(path, e))
}

fn write_sqlite(path: &Path, rows: &[Customer]) -> Result<(), GenError> {
    if path.exists() {
        std::fs::remove_file(path).map_err(|e| werr(path, e))?;
    }
    let e = |x: rusqlite::Error| werr(path, x);
    let mut db = rusqlite::Connection::open(path).map_err(e)?;
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE customers (
           customer_id    INTEGER PRIMARY KEY,
           first_name     TEXT NOT NULL,
           last_name      TEXT NOT NULL,
           email          TEXT,
           phone          TEXT,
           street_address TEXT NOT NULL,
           city           TEXT NOT NULL,
           postal_code    TEXT NOT NULL,
           country_code   TEXT NOT NULL,
           birth_date     TEXT,
           card_number    TEXT NOT NULL,
           segment        TEXT NOT NULL,
           created_at     TEXT NOT NULL
         );
         CREATE INDEX customers_email ON customers(email);",
    )
    .map_err(e)?;
    let tx = db.transaction().map_err(e)?;
    {
        let mut stmt =
            tx.prepare("INSERT INTO customers VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)").map_err(e)?;
        for c in rows {
            stmt.execute(rusqlite::params![
                c.customer_id,
                c.first_name,
                c.last_name,
                c.email,
                c.phone,
                c.street_address,
                c.city,
                c.postal_code,
                c.country_code,
                c.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
                c.card_number,
                c.segment,
                c.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ])
            .map_err(e)?;
        }
    }
    tx.commit().map_err(e)?;
    db.execute_batch("VACUUM;").map_err(e)?;
    Ok(())
}

fn excel_date(d: NaiveDate, path: &Path) -> Result<ExcelDateTime, GenError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(|e| werr(path, e))
}

fn write_xlsx(path: &Path, rows: &[Invoice]) -> Result<(), GenError> {
    let e = |x: rust_xlsxwriter::XlsxError| werr(path, x);
    let mut wb = Workbook::new();
    // A fixed creation time keeps the workbook byte-for-byte reproducible.
    let created = ExcelDateTime::from_ymd(2025, 1, 1).map_err(e)?;
    wb.set_properties(&DocProperties::new().set_title("Invoices").set_creation_datetime(&created));
    let ws = wb.add_worksheet();
    ws.set_name("Invoices").map_err(e)?;
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    let headers = [
        "invoice_id",
        "order_id",
        "customer_id",
        "issued_on",
        "due_on",
        "net_amount",
        "tax_amount",
        "currency",
        "payment_method",
        "paid",
        "billing_address",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &bold).map_err(e)?;
    }
    for (i, inv) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write(r, 0, inv.invoice_id.as_str()).map_err(e)?;
        ws.write(r, 1, inv.order_id as f64).map_err(e)?;
        ws.write(r, 2, inv.customer_id as f64).map_err(e)?;
        ws.write_with_format(r, 3, &excel_date(inv.issued_on, path)?, &date_fmt).map_err(e)?;
        ws.write_with_format(r, 4, &excel_date(inv.due_on, path)?, &date_fmt).map_err(e)?;
        ws.write_with_format(r, 5, inv.net_amount, &money).map_err(e)?;
        ws.write_with_format(r, 6, inv.tax_amount, &money).map_err(e)?;
        ws.write(r, 7, inv.currency).map_err(e)?;
        ws.write(r, 8, inv.payment_method).map_err(e)?;
        ws.write(r, 9, inv.paid).map_err(e)?;
        ws.write(r, 10, inv.billing_address.as_str()).map_err(e)?;
    }
    ws.set_freeze_panes(1, 0).map_err(e)?;
    ws.autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1).map_err(e)?;
    wb.save(path).map_err(e)
}

fn source(id: &str, name: &str, kind: SourceKind, path: &str, system: &str, description: &str) -> SourceRef {
    let table = match kind {
        SourceKind::Sqlite => Some("customers".to_string()),
        SourceKind::Excel => Some("Invoices".to_string()),
        _ => None,
    };
    SourceRef {
        id: id.into(),
        name: name.into(),
        kind,
        path: path.into(),
        connection: None,
        table,
        header_row: None,
        classifications: Default::default(),
        keep_text: vec![],
        system: Some(system.into()),
        description: Some(description.into()),
    }
}

pub fn write_all(out: &Path, t: &Tables, layout: Layout) -> Result<(), GenError> {
    let p = |name: &str| -> PathBuf { out.join(name) };
    let frame_err = |name: &str, e: PolarsError| werr(&p(name), e);
    let mut orders = orders_frame(&t.orders).map_err(|e| frame_err("orders", e))?;
    let mut tickets = tickets_frame(&t.tickets).map_err(|e| frame_err("tickets", e))?;
    let mut countries = countries_frame(t).map_err(|e| frame_err("countries", e))?;
    let mut lines = order_lines_frame(&t.order_lines).map_err(|e| frame_err("order_lines", e))?;
    let mut products = products_frame(&t.products).map_err(|e| frame_err("products", e))?;

    let sources = match layout {
        Layout::Systems => {
            write_sqlite(&p("crm.sqlite"), &t.customers)?;
            write_csv(&p("orders.csv"), &mut orders)?;
            write_xlsx(&p("invoices.xlsx"), &t.invoices)?;
            write_parquet(&p("tickets.parquet"), &mut tickets)?;
            write_csv(&p("countries.csv"), &mut countries)?;
            write_csv(&p("order_lines.csv"), &mut lines)?;
            write_parquet(&p("products.parquet"), &mut products)?;
            vec![
                source("crm", "CRM customers", SourceKind::Sqlite, "crm.sqlite", "CRM", "Customer master records"),
                source(
                    "orders",
                    "Web shop orders",
                    SourceKind::Csv,
                    "orders.csv",
                    "Shop",
                    "One row per order, exported nightly",
                ),
                source(
                    "invoices",
                    "Billing invoices",
                    SourceKind::Excel,
                    "invoices.xlsx",
                    "Billing",
                    "One row per invoice",
                ),
                source(
                    "tickets",
                    "Support tickets",
                    SourceKind::Parquet,
                    "tickets.parquet",
                    "Helpdesk",
                    "Tickets with free-text bodies",
                ),
                source(
                    "countries",
                    "Country reference",
                    SourceKind::Csv,
                    "countries.csv",
                    "Reference",
                    "ISO country codes, regions, VAT",
                ),
                source(
                    "order_lines",
                    "Web shop order lines",
                    SourceKind::Csv,
                    "order_lines.csv",
                    "Shop",
                    "One row per product in an order",
                ),
                source(
                    "products",
                    "Product catalogue",
                    SourceKind::Parquet,
                    "products.parquet",
                    "Catalogue",
                    "Every product the shop sells",
                ),
            ]
        }
        Layout::Csv | Layout::Parquet => {
            // One file per table, all in one format, for benchmarks at scale.
            let (ext, kind, write): (&str, SourceKind, TableWriter) = if layout == Layout::Csv {
                ("csv", SourceKind::Csv, write_csv)
            } else {
                ("parquet", SourceKind::Parquet, write_parquet)
            };
            let mut customers = customers_frame(&t.customers).map_err(|e| frame_err("customers", e))?;
            let mut invoices = invoices_frame(&t.invoices).map_err(|e| frame_err("invoices", e))?;
            let tables: [(&str, &str, &str, &str, &str, &mut DataFrame); 7] = [
                ("crm", "CRM customers", "customers", "CRM", "Customer master records", &mut customers),
                ("orders", "Web shop orders", "orders", "Shop", "One row per order", &mut orders),
                ("invoices", "Billing invoices", "invoices", "Billing", "One row per invoice", &mut invoices),
                ("tickets", "Support tickets", "tickets", "Helpdesk", "Tickets with free-text bodies", &mut tickets),
                ("countries", "Country reference", "countries", "Reference", "ISO country codes", &mut countries),
                (
                    "order_lines",
                    "Web shop order lines",
                    "order_lines",
                    "Shop",
                    "One row per product in an order",
                    &mut lines,
                ),
                (
                    "products",
                    "Product catalogue",
                    "products",
                    "Catalogue",
                    "Every product the shop sells",
                    &mut products,
                ),
            ];
            let mut sources = Vec::with_capacity(tables.len());
            for (id, name, file, system, description, frame) in tables {
                let file = format!("{file}.{ext}");
                write(&p(&file), frame)?;
                sources.push(source(id, name, kind, &file, system, description));
            }
            sources
        }
    };
    let manifest = WorkspaceManifest { version: MANIFEST_VERSION, name: "Customer 360 demo".into(), sources };
    Workspace::create_or_replace(out, &manifest)?;
    Ok(())
}
