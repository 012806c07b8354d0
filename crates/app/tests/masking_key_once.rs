//! A product's masking key is made once: concurrent first uses — threads of one process (as the
//! desktop does) and several Steward processes — all get the one key stored in the real OS
//! keychain (scripts/with-keyring.sh), so every export stays reproducible and revealable.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::process::Command;
use std::sync::Barrier;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use steward_app::ErrorCode;

use steward_app::{masking_key, masking_key_name};
use steward_secrets::{Keychain, SecretStore};

const CHILD_PRODUCT: &str = "STEWARD_TEST_MASKING_PRODUCT";
const CHILD_START: &str = "STEWARD_TEST_MASKING_START";

/// A fingerprint of a key, so the test never prints the key itself.
fn fingerprint(hex: &str) -> u64 {
    let mut h = DefaultHasher::new();
    hex.hash(&mut h);
    h.finish()
}

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()
}

/// `threads` first uses of `product`'s key at once, after `start_ms`; their fingerprints.
fn first_uses(product: &str, threads: usize, start_ms: u128) -> Vec<u64> {
    let barrier = Barrier::new(threads);
    while now_ms() < start_ms {
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    fingerprint(&masking_key(&Keychain, product, 1).unwrap().to_hex())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn concurrent_first_uses_in_threads_and_processes_get_one_stored_key() {
    let product = format!("once-{}", std::process::id());
    let start = now_ms() + 1500;
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "child_process_first_uses", "--nocapture", "--test-threads=1"])
                .env(CHILD_PRODUCT, &product)
                .env(CHILD_START, start.to_string())
                .output_async()
        })
        .collect();
    let mut got = first_uses(&product, 8, start);
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let from_child: Vec<u64> = text
            .split_whitespace()
            .filter_map(|w| w.strip_prefix("KEY-FINGERPRINT="))
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(from_child.len(), 4, "{text}");
        got.extend(from_child);
    }
    let name = masking_key_name(&product, 1);
    let stored = fingerprint(&Keychain.get(&name).unwrap());
    let _ = Keychain.delete(&name);
    let distinct: std::collections::BTreeSet<u64> = got.iter().copied().collect();
    assert_eq!(distinct.len(), 1, "{} different keys handed out", distinct.len());
    assert_eq!(got[0], stored, "every caller got the key the keychain holds");
}

/// Run by the test above in other processes.
#[test]
#[ignore = "helper process of concurrent_first_uses_in_threads_and_processes_get_one_stored_key"]
fn child_process_first_uses() {
    let product = std::env::var(CHILD_PRODUCT).expect("started by the parent test");
    let start: u128 = std::env::var(CHILD_START).unwrap().parse().unwrap();
    for f in first_uses(&product, 4, start) {
        println!("KEY-FINGERPRINT={f}");
    }
}

trait OutputAsync {
    fn output_async(&mut self) -> std::process::Child;
}

impl OutputAsync for Command {
    fn output_async(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
    }
}

#[test]
fn a_product_name_that_is_not_a_slug_makes_no_keychain_entry() {
    let e = masking_key(&Keychain, "../../signing/alice", 1).unwrap_err();
    assert_eq!(e.code(), "app.invalid_input", "{e}");
}
