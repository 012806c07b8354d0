//! A product read from PostgreSQL stays fresh: the node notices a changed table by its cheap
//! fingerprint (row count, newest row version) and serves the new rows after its next round,
//! swapped in whole; an unchanged table is not read again.

use std::sync::Arc;

use steward_app::consume::{ask, Ask};
use steward_registry::*;
use steward_secrets::MemoryStore;
use steward_testkit::PgCluster;

mod common;
use common::*;

const PASSWORD: &str = "node-Reader-7";

fn add(ws: &mut steward_app::Workspace, pg: &PgCluster, table: &str, store: &MemoryStore) {
    let req = steward_app::AddPostgres {
        host: "127.0.0.1".into(),
        port: pg.port,
        database: "postgres".into(),
        user: "shop_reader".into(),
        password: Some(PASSWORD.into()),
        table: Some(format!("public.{table}")),
        id: Some(format!("pg_{table}")),
        system: Some("Shop".into()),
        // This throwaway cluster has no TLS; SCRAM keeps the password off the wire.
        ssl_mode: steward_sources::pg::SslMode::Disable,
        ..Default::default()
    };
    steward_app::add_postgres(ws, req, store).unwrap();
}

fn tree(url: &str, who: &steward_signing::KeyPair, key: &str) -> (serde_json::Value, String) {
    let a = ask(url, "shop", who, &Ask::Entity(key.into())).unwrap();
    let as_of = a.provenance.iter().find(|(k, _)| k == "steward-as-of").map(|(_, v)| v.clone()).unwrap();
    (serde_json::from_slice(&a.body).unwrap(), as_of)
}

#[test]
fn a_changed_postgres_table_is_read_again_and_an_unchanged_one_is_not() {
    let pg = PgCluster::start();
    pg.create_password_user("shop_reader", PASSWORD);
    pg.psql(
        "CREATE TABLE customers (customer_id int PRIMARY KEY, email text);
         INSERT INTO customers SELECT i, 'c' || i || '@example.org' FROM generate_series(1, 50) i;
         CREATE TABLE orders (order_id int PRIMARY KEY, customer_id int, amount float8);
         INSERT INTO orders SELECT i, 1 + i % 50, i * 1.5 FROM generate_series(1, 200) i;
         GRANT SELECT ON customers, orders TO shop_reader;",
    );
    let w = world();
    let store = Arc::new(MemoryStore::new());
    let mut ws = steward_app::open_workspace(&w.ws).unwrap();
    add(&mut ws, &pg, "customers", &store);
    add(&mut ws, &pg, "orders", &store);
    std::fs::write(
        w.ws.join("products/shop.yaml"),
        "steward: steward.product/v1\nmetadata: { name: shop, domain: customer, owner: shop@example.com, version: 1.0.0 }\n\
         entity:\n  name: Customer\n  source: pg_customers\n  key: customer_id\n\
         related:\n  - name: orders\n    source: pg_orders\n    join:\n      - { parent: customer_id, child: customer_id }\n    cardinality: one_to_many\n",
    )
    .unwrap();
    publish_product(&w, "shop");
    let owner = key(5);
    let (_, env) = sign_grant(&w.ada, owner.public(), "shop team", "shop", "^1", UNMASKED, None).unwrap();
    w.client.grant(&env).unwrap();
    let (url, state, cx) = node_with(&w, &["shop"], store);
    let served = state.products["shop"].clone();

    let (first, as_of) = tree(&url, &owner, "7");
    assert_eq!(first["email"], "c7@example.org");
    assert_eq!(first["orders"].as_array().unwrap().len(), 4);

    // Nothing changed: nothing is read again.
    steward_node::refresh(&state, &cx);
    assert_eq!(served.current().generation, 1);

    // An update, then an insert into the child table: each seen after the next round.
    pg.psql("UPDATE customers SET email = 'seven@example.org' WHERE customer_id = 7;");
    steward_node::refresh(&state, &cx);
    assert_eq!(served.current().generation, 2, "{:?}", served.current().fingerprint);
    let (changed, later) = tree(&url, &owner, "7");
    assert_eq!(changed["email"], "seven@example.org");
    assert!(later > as_of, "{later} after {as_of}");
    pg.psql("INSERT INTO orders VALUES (1000, 7, 99.5);");
    steward_node::refresh(&state, &cx);
    let (grown, _) = tree(&url, &owner, "7");
    assert_eq!(grown["orders"].as_array().unwrap().len(), 5, "{grown}");
    // A delete changes the count.
    pg.psql("DELETE FROM orders WHERE order_id = 1000;");
    steward_node::refresh(&state, &cx);
    assert_eq!(served.current().generation, 4);
    assert_eq!(tree(&url, &owner, "7").0["orders"].as_array().unwrap().len(), 4);
    // And the password never reached the workspace.
    let manifest = std::fs::read_to_string(w.ws.join("steward.yaml")).unwrap();
    assert!(!manifest.contains(PASSWORD));
}
