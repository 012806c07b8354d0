//! A real registry and a real node on loopback: the node serves only what is published and
//! verifies, each consumer reads through the profile its grant names and nothing else, refusals
//! carry no data, signatures are fresh and used once, and every answer is in the access log.

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use steward_app::consume::{ask, Answer, Ask};
use steward_app::ErrorCode;
use steward_registry::*;
use steward_secrets::MemoryStore;
use steward_signing::KeyPair;

mod common;
use common::*;

fn rows(a: &Answer) -> Vec<serde_json::Value> {
    serde_json::from_slice(&a.body).unwrap()
}

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.provenance
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name}: {:?}", a.provenance))
}

/// The original emails, read from the CRM source itself.
fn original_emails(ws: &Path) -> Vec<String> {
    let loc = steward_app::Location::file(ws.join("crm.sqlite")).with_table(Some("customers".into()));
    let df = steward_sources::load(&loc).unwrap();
    df.column("email").unwrap().str().unwrap().iter().flatten().map(str::to_string).collect()
}

#[test]
fn the_node_refuses_what_is_not_published_or_does_not_verify() {
    let w = world();
    let store = || Arc::new(MemoryStore::new());
    let e = steward_node::start(&args(&w, &["customer360"], &w.admin), store()).err().unwrap();
    assert_eq!(e.code(), "node.unpublished", "{e}");
    publish(&w);
    let e = steward_node::start(&args(&w, &["customer360@2.0.0"], &w.admin), store()).err().unwrap();
    assert_eq!(e.code(), "node.unpublished", "{e}");
    // Pinned to another admin key: nothing the registry sends verifies.
    let e = steward_node::start(&args(&w, &["customer360"], &key(9)), store()).err().unwrap();
    assert_eq!(e.code(), "node.unverified", "{e}");
}

#[test]
fn each_consumer_reads_through_its_grant_only() {
    let w = world();
    let digest = publish(&w);
    let (app, owner, stranger) = (key(4), key(5), key(6));
    let grant = |k: &KeyPair, who: &str, profile: &str| {
        let (_, env) = sign_grant(&w.ada, k.public(), who, "customer360", "^1", profile, None).unwrap();
        w.client.grant(&env).unwrap()
    };
    let analytics = grant(&app, "analytics app", "analytics");
    grant(&owner, "customer data team", UNMASKED);
    let (url, state, cx) = node(&w);
    let originals = original_emails(&w.ws);

    // A page of the product table, masked, with where it comes from.
    let page = ask(&url, "customer360", &app, &Ask::Rows { offset: 0, limit: 50 }).unwrap();
    assert_eq!(header(&page, "steward-product"), "customer360@1.0.0");
    assert_eq!(header(&page, "steward-definition-digest"), digest);
    assert_eq!(header(&page, "steward-profile"), "analytics");
    assert_eq!(header(&page, "steward-key-version"), "1");
    let masked = rows(&page);
    assert_eq!(masked.len(), 50);
    let emails: Vec<&str> = masked.iter().filter_map(|r| r["email"].as_str()).collect();
    assert!(emails.len() > 40, "{emails:?}");
    for email in emails {
        assert!(!originals.iter().any(|o| o == email), "an original email reached the analytics consumer: {email}");
    }
    // One entity's whole tree, by the remapped key the analytics consumer holds.
    // (One with orders: the masking key is new each run, and so is which customer comes first.)
    let with_orders = masked.iter().find(|r| r["orders"].is_array()).unwrap();
    let held = with_orders["customer_id"].to_string();
    let one = ask(&url, "customer360", &app, &Ask::Entity(held.clone())).unwrap();
    let tree: serde_json::Value = serde_json::from_slice(&one.body).unwrap();
    assert_eq!(tree["customer_id"].to_string(), held);
    assert!(tree["orders"].is_array(), "{tree}");
    assert_eq!(tree["email"], with_orders["email"]);
    assert_eq!(tree["orders"], with_orders["orders"], "the tree is the entity's row of the product table");

    // The owners read original values.
    let mine = ask(&url, "customer360", &owner, &Ask::Entity("1".into())).unwrap();
    let tree: serde_json::Value = serde_json::from_slice(&mine.body).unwrap();
    assert!(originals.iter().any(|o| tree["email"] == *o), "{tree}");
    assert_eq!(header(&mine, "steward-profile"), UNMASKED);

    // No grant: 403, and nothing of the data.
    let e = ask(&url, "customer360", &stranger, &Ask::Rows { offset: 0, limit: 5 }).unwrap_err();
    assert!(matches!(e.code(), "signature.unknown_key" | "node.forbidden"), "{e}");
    assert!(!e.to_string().contains('@'), "a refusal carries no data: {e}");

    // The whole product as an Arrow stream, readable as is, masked, with its provenance.
    let stream = ask(&url, "customer360", &app, &Ask::Arrow).unwrap();
    let mut reader = IpcStreamReader::new(std::io::Cursor::new(stream.body.clone()));
    let meta = reader.custom_metadata().unwrap().unwrap();
    assert_eq!(meta.get("steward.profile").map(|s| s.as_str()), Some("analytics"));
    assert_eq!(meta.get("steward.product").map(|s| s.as_str()), Some("customer360@1.0.0"));
    let all = reader.finish().unwrap();
    assert_eq!(all.height(), 500);
    let emails = all.column("email").unwrap().str().unwrap();
    assert!(emails.iter().flatten().all(|e| !originals.iter().any(|o| o == e)));
    // Compressed, the same rows in half the bytes or less.
    let small = ask(&url, "customer360", &app, &Ask::ArrowLz4).unwrap();
    assert!(small.body.len() * 2 <= stream.body.len(), "{} vs {} bytes", small.body.len(), stream.body.len());
    let unpacked = IpcStreamReader::new(std::io::Cursor::new(small.body)).finish().unwrap();
    assert!(unpacked.equals_missing(&all));
    // And as Parquet.
    let pq = ask(&url, "customer360", &app, &Ask::Parquet).unwrap();
    let df = ParquetReader::new(std::io::Cursor::new(pq.body)).finish().unwrap();
    assert_eq!(df.height(), 500);
    assert!(df.column("orders").is_ok(), "related tables nested");

    // The owners read who read it (newest first); a consumer of a masking profile may not.
    let seen = steward_app::consume::accesses(&url, "customer360", &owner, 10).unwrap();
    let endpoints: Vec<&str> = seen.iter().map(|a| a.endpoint.as_str()).collect();
    assert_eq!(endpoints, ["parquet", "arrow", "arrow", "entity", "entity", "rows"], "{seen:?}");
    assert_eq!(
        (seen[0].consumer_name.as_str(), seen[0].profile.as_str(), seen[0].entities),
        ("analytics app", "analytics", 500)
    );
    let e = steward_app::consume::accesses(&url, "customer360", &app, 10).unwrap_err();
    assert!(e.code() == "node.forbidden" && e.to_string().contains("owners"), "{e}");

    // Revoked: refused once the node has fetched the grants again.
    let revocation = sign_revocation(&w.ada, &analytics.digest, "the analytics app was retired").unwrap();
    w.client.revoke_grant(&revocation).unwrap();
    steward_node::refresh(&state, &cx);
    let e = ask(&url, "customer360", &app, &Ask::Rows { offset: 0, limit: 5 }).unwrap_err();
    assert_eq!(e.code(), "node.forbidden", "{e}");
    assert!(e.to_string().contains("revoked"), "{e}");

    // What an operator scrapes.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let metrics = agent.get(format!("{url}/metrics")).call().unwrap().body_mut().read_to_string().unwrap();
    for want in [
        "steward_node_requests_total{product=\"customer360\",endpoint=\"rows\",status=\"200\"} 1",
        "steward_node_requests_total{product=\"customer360\",endpoint=\"rows\",status=\"403\"} 2",
        "steward_node_request_seconds_count{endpoint=\"arrow\"} 2",
        "steward_node_entities{product=\"customer360\",version=\"1.0.0\"} 500",
        "steward_node_as_of_seconds{product=\"customer360\",version=\"1.0.0\"} 1",
    ] {
        assert!(metrics.contains(want), "{want} not in:\n{metrics}");
    }

    // Every answer is in the access log, chained; never a value.
    let check = steward_node::access::verify_log(&w.ws.join("access.log")).unwrap();
    assert_eq!(check.entries, 7, "rows, entity, entity, arrow, arrow, parquet, accesses");
    let log = std::fs::read_to_string(w.ws.join("access.log")).unwrap();
    assert!(!originals.iter().any(|o| log.contains(o.as_str())), "the log holds no values");
    assert!(log.contains("\"profile\":\"analytics\"") && log.contains("\"endpoint\":\"arrow\""));
}

/// Sends a GET with the given signature fields; returns (status, body).
fn raw(url: &str, path: &str, input: &str, sig: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r =
        agent.get(format!("{url}{path}")).header("Signature-Input", input).header("Signature", sig).call().unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

#[test]
fn replayed_stale_and_tampered_signatures_are_refused() {
    let w = world();
    publish(&w);
    let app = key(4);
    let (_, env) = sign_grant(&w.ada, app.public(), "app", "customer360", "^1", "analytics", None).unwrap();
    w.client.grant(&env).unwrap();
    let (url, _state, _cx) = node(&w);
    let authority = url.trim_start_matches("http://");
    let path = "/v1/products/customer360/rows";
    let req =
        steward_httpsig::Request { method: "GET", authority, path, query: Some("offset=0&limit=2"), headers: &[] };
    let now = chrono::Utc::now().timestamp();
    let (input, sig) = steward_httpsig::sign_request(&req, &app, now).unwrap();
    let q = "?offset=0&limit=2";
    assert_eq!(raw(&url, &format!("{path}{q}"), &input, &sig).0, 200);
    let (status, body) = raw(&url, &format!("{path}{q}"), &input, &sig);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("signature.replayed"), "{body}");
    // Signed for two entities, sent for a thousand.
    let (input, sig) = steward_httpsig::sign_request(&req, &app, now).unwrap();
    let (status, body) = raw(&url, &format!("{path}?offset=0&limit=1000"), &input, &sig);
    assert_eq!((status, body.contains("signature.invalid")), (401, true), "{body}");
    // Signed ten minutes ago.
    let (input, sig) = steward_httpsig::sign_request(&req, &app, now - 600).unwrap();
    let (status, body) = raw(&url, &format!("{path}{q}"), &input, &sig);
    assert_eq!((status, body.contains("signature.stale")), (401, true), "{body}");
    // Not signed at all.
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let r = agent.get(format!("{url}{path}{q}")).call().unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
