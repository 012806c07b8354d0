//! Fresh data: while 32 consumers read, a source file is rewritten ten times; the node assembles
//! each version in the background and swaps it in whole. No request fails, and every answer
//! comes from exactly one version of the file.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use steward_app::consume::{ask, Ask};
use steward_registry::*;

mod common;
use common::*;

/// `orders.csv` with every order's currency set to `marker`.
fn version(original: &str, marker: &str) -> String {
    let mut lines = original.lines();
    let header = lines.next().unwrap();
    let at = header.split(',').position(|c| c == "currency").unwrap();
    let mut out = format!("{header}\n");
    for l in lines {
        let mut cells: Vec<&str> = l.split(',').collect();
        cells[at] = marker;
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[test]
fn readers_never_fail_nor_see_two_versions_while_a_source_is_rewritten() {
    let w = world();
    publish(&w);
    let owner = key(5);
    let (_, env) = sign_grant(&w.ada, owner.public(), "owners", "customer360", "^1", UNMASKED, None).unwrap();
    w.client.grant(&env).unwrap();
    let orders = w.ws.join("orders.csv");
    let original = std::fs::read_to_string(&orders).unwrap();
    std::fs::write(&orders, version(&original, "V0")).unwrap();
    let (url, state, cx) = node(&w);
    let owner = Arc::new(owner);

    let stop = Arc::new(AtomicBool::new(false));
    let (answered, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(Mutex::new(Vec::<String>::new())));
    let seen = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let readers: Vec<_> = (0..32)
        .map(|i| {
            let (url, owner, stop, answered, failed, seen) =
                (url.clone(), owner.clone(), stop.clone(), answered.clone(), failed.clone(), seen.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let what = Ask::Rows { offset: (i * 7) % 400, limit: 20 };
                    match ask(&url, "customer360", &owner, &what) {
                        Ok(a) => {
                            let rows: Vec<serde_json::Value> = serde_json::from_slice(&a.body).unwrap();
                            let markers: BTreeSet<String> = rows
                                .iter()
                                .flat_map(|r| r["orders"].as_array().cloned().unwrap_or_default())
                                .filter_map(|o| o["currency"].as_str().map(str::to_string))
                                .collect();
                            if markers.len() > 1 {
                                failed.lock().unwrap().push(format!("one answer mixed versions: {markers:?}"));
                            }
                            seen.lock().unwrap().extend(markers);
                            answered.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(e) => failed.lock().unwrap().push(e.to_string()),
                    }
                }
            })
        })
        .collect();

    let served = state.products.get("customer360").unwrap().clone();
    for n in 1..=10 {
        // Written as exports usually are: to a temporary file, then renamed over the old one.
        let tmp = w.ws.join("orders.csv.tmp");
        std::fs::write(&tmp, version(&original, &format!("V{n}"))).unwrap();
        std::fs::rename(&tmp, &orders).unwrap();
        let before = served.current().generation;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while served.current().generation == before {
            assert!(std::time::Instant::now() < deadline, "version {n} was never swapped in");
            steward_node::refresh(&state, &cx);
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for r in readers {
        r.join().unwrap();
    }
    let failed = failed.lock().unwrap();
    assert!(failed.is_empty(), "{} failed: {:?}", failed.len(), &failed[..failed.len().min(5)]);
    assert!(answered.load(Ordering::SeqCst) > 100, "the readers read: {}", answered.load(Ordering::SeqCst));
    assert_eq!(served.current().generation, 11);
    let seen = seen.lock().unwrap();
    assert!(seen.contains("V10") && seen.len() >= 3, "answers came from several versions: {seen:?}");
}
