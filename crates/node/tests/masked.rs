//! A consumer granted a masking profile never receives an original value of a field that profile
//! masks — over every endpoint: one entity's tree, pages of the table, the Arrow stream and
//! Parquet. Every row served is matched with its original row (read from the workspace's sources)
//! by the fields served unchanged, and every masked field of it must differ from its original:
//! the privacy engine's own definition of a leak, checked here from the outside.

use std::collections::{BTreeSet, HashMap};

use polars::prelude::*;
use serde_json::{Map, Value};
use steward_app::consume::{ask, Ask};
use steward_registry::*;
use steward_secrets::MemoryStore;
use steward_signing::KeyPair;

mod common;
use common::*;

/// Rows as the node's JSON writes them: the same text for the same value, whatever the endpoint.
fn as_json(df: &DataFrame) -> Vec<Value> {
    let mut df = steward_app::display::json_frame(df).unwrap();
    let mut buf = Vec::new();
    JsonWriter::new(&mut buf).with_json_format(JsonFormat::Json).finish(&mut df).unwrap();
    serde_json::from_slice(&buf).unwrap()
}

/// The rows of `table` (`entity`, `orders`, `orders.lines`) nested in the product's entities,
/// each with the scalar fields of its parents it lacks: a nested row leaves out its join fields
/// (an order line's `order_id` is its order's).
fn flatten(entities: &[Value], table: &str) -> Vec<Map<String, Value>> {
    let scalars = |m: &Map<String, Value>| -> Map<String, Value> {
        m.iter().filter(|(_, v)| !v.is_array() && !v.is_object()).map(|(k, v)| (k.clone(), v.clone())).collect()
    };
    // Each row with what it inherits, and the row itself.
    type Row<'a> = (Map<String, Value>, &'a Map<String, Value>);
    let mut rows: Vec<Row> = entities.iter().filter_map(Value::as_object).map(|m| (scalars(m), m)).collect();
    if table != steward_model::ENTITY_TABLE {
        for part in table.split('.') {
            let mut next = vec![];
            for (inherited, row) in &rows {
                for child in row.get(part).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_object)
                {
                    let mut own = scalars(child);
                    for (k, v) in inherited {
                        own.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    next.push((own, child));
                }
            }
            rows = next;
        }
    }
    rows.into_iter().map(|(own, _)| own).collect()
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Every served row matched to its original by the scalar fields whose values are served
/// unchanged (a row whose match is not unique is left out), each masked field compared: how
/// many values were, or the first served as its original.
fn originals_served(
    endpoint: &str,
    served: &[Value],
    originals: &[(String, Vec<Value>)],
    masked: &[(String, String)],
) -> Result<usize, String> {
    let mut compared = 0;
    for (table, original) in originals {
        let fields: Vec<&str> = masked.iter().filter(|(t, _)| t == table).map(|(_, f)| f.as_str()).collect();
        if fields.is_empty() {
            continue;
        }
        let rows = flatten(served, table);
        assert!(!rows.is_empty(), "{endpoint}: no rows of {table}");
        let original: Vec<&Map<String, Value>> = original.iter().filter_map(Value::as_object).collect();
        // The fields served as they are: every value served is one of the originals'.
        let unchanged: Vec<&String> = rows[0]
            .keys()
            .filter(|c| !fields.contains(&c.as_str()))
            .filter(|c| {
                let mut left: HashMap<Option<String>, usize> = HashMap::new();
                for o in &original {
                    *left.entry(text(o.get(*c))).or_default() += 1;
                }
                rows.iter()
                    .all(|r| left.get_mut(&text(r.get(*c))).is_some_and(|n| n.checked_sub(1).map(|m| *n = m).is_some()))
            })
            .collect();
        assert!(!unchanged.is_empty(), "{endpoint}: {table} has no field served unchanged to match rows by");
        let key = |r: &Map<String, Value>| unchanged.iter().map(|c| text(r.get(c.as_str()))).collect::<Vec<_>>();
        let mut by_key: HashMap<Vec<Option<String>>, Option<&Map<String, Value>>> = HashMap::new();
        for o in &original {
            by_key.entry(key(o)).and_modify(|seen| *seen = None).or_insert(Some(o));
        }
        let mut matched = 0;
        for r in &rows {
            let Some(Some(o)) = by_key.get(&key(r)) else { continue };
            matched += 1;
            for f in &fields {
                if let (Some(served), Some(orig)) = (text(r.get(*f)), text(o.get(*f))) {
                    if served == orig {
                        return Err(format!("{endpoint}: {table}.{f} was served its original value"));
                    }
                    compared += 1;
                }
            }
        }
        assert!(
            matched * 10 >= rows.len() * 9,
            "{endpoint}: only {matched} of {} rows of {table} matched their originals by {unchanged:?}",
            rows.len()
        );
    }
    Ok(compared)
}

#[test]
fn a_masked_field_never_reaches_its_consumer_as_its_original_over_any_endpoint() {
    let w = world();
    publish(&w);
    let (app, owner) = (key(4), key(5));
    let grant = |k: &KeyPair, who: &str, profile: &str| {
        let (_, env) = sign_grant(&w.ada, k.public(), who, "customer360", "^1", profile, None).unwrap();
        w.client.grant(&env).unwrap()
    };
    grant(&app, "analytics app", "analytics");
    let (url, state, cx) = node(&w);

    // The originals, read from the workspace's sources; which fields `analytics` masks, as the
    // privacy engine plans them (rules by field and by tag alike).
    let ws = steward_app::open_workspace(&w.ws).unwrap();
    let def = steward_model::load(&w.ws.join("products/customer360.yaml")).unwrap();
    let store = MemoryStore::new();
    let a = steward_app::assemble_product(&ws, &def, &store).unwrap();
    let tables = steward_app::original_tables(&a).unwrap();
    let throwaway = steward_app::masking_key(&store, "customer360", 1).unwrap();
    let plan = steward_app::mask_collected(&ws, &def, &a, tables.clone(), "analytics", &throwaway).unwrap();
    let masked: Vec<(String, String)> = plan.fields.iter().map(|f| (f.table.clone(), f.field.clone())).collect();
    let masked_tables: BTreeSet<&str> = masked.iter().map(|(t, _)| t.as_str()).collect();
    assert!(masked.len() >= 15 && masked_tables.len() >= 4, "{masked:?}");
    let originals: Vec<(String, Vec<Value>)> = tables.iter().map(|(t, df)| (t.clone(), as_json(df))).collect();

    // Pages of the product table, every entity.
    let mut pages = vec![];
    for offset in (0..500).step_by(100) {
        let page = ask(&url, "customer360", &app, &Ask::Rows { offset, limit: 100 }).unwrap();
        pages.extend(serde_json::from_slice::<Vec<Value>>(&page.body).unwrap());
    }
    assert_eq!(pages.len(), 500);
    let never = |endpoint: &str, served: &[Value]| originals_served(endpoint, served, &originals, &masked).unwrap();
    let mut compared = never("rows", &pages);
    // One entity at a time, by the key the consumer holds.
    let trees: Vec<Value> = pages
        .iter()
        .map(|r| {
            let one = ask(&url, "customer360", &app, &Ask::Entity(r["customer_id"].to_string())).unwrap();
            serde_json::from_slice(&one.body).unwrap()
        })
        .collect();
    assert_eq!(trees, pages, "each tree is its entity's row of the table");
    compared += never("entity", &trees);
    // The whole product, as an Arrow stream and as Parquet.
    let stream = ask(&url, "customer360", &app, &Ask::Arrow).unwrap();
    let df = IpcStreamReader::new(std::io::Cursor::new(stream.body)).finish().unwrap();
    compared += never("arrow", &as_json(&df));
    let pq = ask(&url, "customer360", &app, &Ask::Parquet).unwrap();
    let df = ParquetReader::new(std::io::Cursor::new(pq.body)).finish().unwrap();
    compared += never("parquet", &as_json(&df));
    // Thousands of values compared, not a handful.
    assert!(compared > 4 * 5000, "{compared} values compared");

    // The check catches what it is for: the owners' unmasked rows (a grant made while the node
    // runs, its view built when the grants are fetched again) fail it.
    grant(&owner, "customer data team", UNMASKED);
    steward_node::refresh(&state, &cx);
    let mine = ask(&url, "customer360", &owner, &Ask::Rows { offset: 0, limit: 100 }).unwrap();
    let mine: Vec<Value> = serde_json::from_slice(&mine.body).unwrap();
    let caught = originals_served("unmasked", &mine, &originals, &masked).unwrap_err();
    assert!(caught.contains("was served its original value"), "{caught}");
}
