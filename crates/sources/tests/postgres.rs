//! PostgreSQL against a real, throwaway server started by the test itself.

use steward_error::ErrorCode;
use steward_sources::pg::{self, PgFilter, PgTarget};
use steward_testkit::PgCluster;

const PASSWORD: &str = "c0rrect-h0rse-✓";

fn setup() -> (PgCluster, PgTarget) {
    let pg = PgCluster::start();
    pg.create_password_user("steward_app", PASSWORD);
    pg.psql(
        "CREATE SCHEMA crm;
         CREATE TABLE crm.customers (id integer PRIMARY KEY, email text, name varchar(80), born date,
                                     score numeric(5,2), vip boolean, seen_at timestamptz, tags jsonb,
                                     balance numeric);
         INSERT INTO crm.customers
           SELECT i, 'user' || i || '@example.org', 'Zoë ' || i, DATE '1980-01-01' + i, i / 3.0, i % 2 = 0,
                  TIMESTAMPTZ '2024-05-01 10:00:00+00' + i * INTERVAL '1 hour', '{\"a\": 1}',
                  i * 1000000000000.125
           FROM generate_series(1, 250) AS i;
         CREATE VIEW crm.vips AS SELECT id, email FROM crm.customers WHERE vip;
         CREATE TABLE public.secret_stuff (x int);
         GRANT USAGE ON SCHEMA crm TO steward_app;
         GRANT SELECT ON ALL TABLES IN SCHEMA crm TO steward_app;",
    );
    let t = PgTarget {
        host: "127.0.0.1".into(),
        port: pg.port,
        database: "postgres".into(),
        user: "steward_app".into(),
        password: Some(PASSWORD.into()),
        table: Some("crm.customers".into()),
        // This throwaway cluster has no TLS; SCRAM keeps the password off the wire.
        ssl_mode: pg::SslMode::Disable,
        ..PgTarget::default()
    };
    (pg, t)
}

#[test]
fn browses_inspects_and_previews_with_pushdown() {
    let (_pg, t) = setup();
    assert!(pg::test_connection(&t).unwrap().starts_with("PostgreSQL"));

    let tables = pg::list_tables(&t).unwrap();
    let names: Vec<String> = tables.iter().map(|x| format!("{}.{} ({})", x.schema, x.name, x.kind)).collect();
    assert_eq!(names, ["crm.customers (table)", "crm.vips (view)"], "only what the user may read");

    let i = pg::inspect(&t).unwrap();
    assert_eq!(i.row_count, 250);
    let types: Vec<(&str, &str)> = i.columns.iter().map(|c| (c.name.as_str(), c.dtype.as_str())).collect();
    assert_eq!(
        types,
        [
            ("id", "i64"),
            ("email", "str"),
            ("name", "str"),
            ("born", "date"),
            ("score", "decimal[5,2]"),
            ("vip", "bool"),
            ("seen_at", "datetime[ms]"),
            ("tags", "str"),
            ("balance", "decimal[38,3]")
        ]
    );

    let head = pg::read(&t, Some(5), &[]).unwrap();
    assert_eq!(head.height(), 5);
    let one =
        pg::read(&t, Some(10), &[PgFilter { column: "email".into(), value: "user42@example.org".into() }]).unwrap();
    assert_eq!(one.height(), 1);
    assert_eq!(one.column("name").unwrap().get(0).unwrap().str_value(), "Zoë 42");
    // Money stays exact: numeric(5,2) and plain numeric arrive as decimals, never as floats.
    assert_eq!(one.column("score").unwrap().get(0).unwrap().to_string(), "14.00");
    assert_eq!(one.column("balance").unwrap().get(0).unwrap().to_string(), "42000000000005.250");

    // Filter values are bound parameters, never SQL.
    let injected =
        pg::read(&t, Some(10), &[PgFilter { column: "email".into(), value: "x' OR '1'='1".into() }]).unwrap();
    assert_eq!(injected.height(), 0);
    let e = pg::read(&t, Some(10), &[PgFilter { column: "email\" OR 1=1 --".into(), value: "x".into() }]).unwrap_err();
    assert!(e.to_string().contains("no column"), "{e}");

    let view = PgTarget { table: Some("crm.vips".into()), ..t.clone() };
    assert_eq!(pg::inspect(&view).unwrap().row_count, 125);
    let e = pg::inspect(&PgTarget { table: Some("crm.nope".into()), ..t }).unwrap_err();
    assert_eq!(e.code(), "source.no_such_table");
    assert!(e.to_string().contains("crm.customers"), "{e}");
}

#[test]
fn wrong_password_and_unreachable_host_are_clear_and_leak_nothing() {
    let (pg, t) = setup();
    let wrong = PgTarget { password: Some("hunter2-wrong".into()), ..t.clone() };
    let e = pg::test_connection(&wrong).unwrap_err();
    assert_eq!(e.code(), "source.auth");
    let msg = e.to_string();
    assert!(msg.contains(&format!("postgres://steward_app@127.0.0.1:{}/postgres", pg.port)), "{msg}");
    assert!(msg.contains("password authentication failed"), "{msg}");
    assert!(!msg.contains("hunter2") && !format!("{wrong:?}").contains("hunter2"), "{msg}");

    let none = PgTarget { password: None, ..t.clone() };
    let e = pg::test_connection(&none).unwrap_err();
    assert_eq!(e.code(), "source.auth", "{e}");

    // A loopback port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = PgTarget { port: closed, ..t };
    let e = pg::test_connection(&down).unwrap_err();
    assert_eq!(e.code(), "source.unreachable", "{e}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{closed}")), "{e}");
    assert!(!e.to_string().contains(PASSWORD));
}

/// A table's fingerprint and a view's change with every update, insert and delete, and only then.
#[test]
fn fingerprints_change_with_the_rows_and_only_with_them() {
    let (pg, t) = setup();
    let view = PgTarget { table: Some("crm.vips".into()), ..t.clone() };
    let (table0, view0) = (pg::fingerprint(&t).unwrap(), pg::fingerprint(&view).unwrap());
    assert!(table0.starts_with("250:"), "{table0}");
    assert!(view0.starts_with("125:"), "{view0}");
    assert_eq!(pg::fingerprint(&t).unwrap(), table0, "unchanged rows, unchanged fingerprint");
    assert_eq!(pg::fingerprint(&view).unwrap(), view0);
    let mut seen = vec![(table0, view0)];
    for change in [
        "UPDATE crm.customers SET email = 'new@example.org' WHERE id = 2",
        "INSERT INTO crm.customers (id, email, vip) VALUES (1000, 'x@example.org', true)",
        "DELETE FROM crm.customers WHERE id = 4",
    ] {
        pg.psql(change);
        let now = (pg::fingerprint(&t).unwrap(), pg::fingerprint(&view).unwrap());
        for before in &seen {
            assert_ne!(now.0, before.0, "table after {change}");
            assert_ne!(now.1, before.1, "view after {change}");
        }
        seen.push(now);
    }
}
