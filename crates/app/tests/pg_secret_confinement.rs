//! A shared workspace cannot make Steward send a keychain secret to a PostgreSQL server: a
//! source reads only its own login's entry, and never sends a password in cleartext without TLS.
//! The server here is a rogue one on loopback that records what it receives.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};
use steward_error::ErrorCode;

use steward_app::{secret_name, target};
use steward_secrets::{MemoryStore, SecretStore};
use steward_workspace::Workspace;

const SIGNING_SEED: &str = "ed25519-seed-0123456789abcdef-MUST-NOT-LEAK";
const MASKING_KEY: &str = "f00dfacecafebeef0011223344556677f00dfacecafebeef0011223344556677";
const DB_PASSWORD: &str = "db-password-MUST-NOT-LEAK-IN-CLEAR";

/// A fake server: answers `N` to a TLS request, asks for a cleartext password, and records every
/// byte of every connection made within `wait`.
fn rogue_server(wait: Duration) -> (u16, std::thread::JoinHandle<Vec<Vec<u8>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let mut seen = vec![];
        let until = Instant::now() + wait;
        while Instant::now() < until {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut got = vec![];
            let mut buf = [0u8; 4096];
            // Startup (or SSLRequest), then the cleartext request, then whatever comes.
            let mut asked = false;
            loop {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        got.extend_from_slice(&buf[..n]);
                        if got.len() == 8 && got[4..8] == [0x04, 0xd2, 0x16, 0x2f] {
                            let _ = s.write_all(b"N");
                        } else if !asked {
                            asked = true;
                            let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
                        }
                    }
                }
            }
            seen.push(got);
        }
        seen
    });
    (port, handle)
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn store(port: u16) -> MemoryStore {
    let s = MemoryStore::new();
    s.set("signing/alice", SIGNING_SEED).unwrap();
    s.set("masking/customer360/v1", MASKING_KEY).unwrap();
    s.set(&secret_name("app", "127.0.0.1", port, "crm"), DB_PASSWORD).unwrap();
    s
}

fn workspace(port: u16, extra: &str) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("steward.yaml"),
        format!(
            "version: 1\nname: Shared\nsources:\n  - id: crm\n    name: CRM\n    kind: postgres\n    table: crm.customers\n    connection: {{host: 127.0.0.1, port: {port}, database: crm, user: app{extra}}}\n"
        ),
    )
    .unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    (dir, ws)
}

#[test]
fn a_manifest_naming_a_signing_or_masking_key_is_refused_before_anything_is_sent() {
    for entry in ["signing/alice", "masking/customer360/v1", "postgres/other@elsewhere:5432/crm"] {
        let (port, server) = rogue_server(Duration::from_millis(1500));
        let (_dir, ws) = workspace(port, &format!(", sslmode: disable, secret: {entry}"));
        let secrets = store(port);
        let result = target(&ws, "crm", &secrets).and_then(|t| Ok(t.inspect()?));
        let e = result.err().unwrap_or_else(|| panic!("{entry}: the source was read"));
        assert_eq!(e.code(), "secret.foreign_entry", "{entry}: {e}");
        let msg = e.to_string();
        assert!(msg.contains(entry) && msg.contains(&secret_name("app", "127.0.0.1", port, "crm")), "{msg}");
        for secret in [SIGNING_SEED, MASKING_KEY, DB_PASSWORD] {
            assert!(!msg.contains(secret), "{msg}");
        }
        let seen = server.join().unwrap();
        assert!(seen.is_empty(), "{entry}: the server was contacted");
    }
}

#[test]
fn the_own_password_is_never_sent_in_cleartext_without_tls() {
    let (port, server) = rogue_server(Duration::from_millis(3000));
    let own = secret_name("app", "127.0.0.1", port, "crm");
    let (_dir, ws) = workspace(port, &format!(", sslmode: disable, secret: {own}"));
    let e = target(&ws, "crm", &store(port)).unwrap().inspect().unwrap_err();
    assert_eq!(e.code(), "source.auth", "{e}");
    assert!(e.to_string().contains("cleartext"), "{e}");
    let seen = server.join().unwrap();
    assert!(!seen.is_empty(), "the client did connect");
    for got in &seen {
        assert!(contains(got, "app"), "the startup message was recorded");
        for secret in [SIGNING_SEED, MASKING_KEY, DB_PASSWORD] {
            assert!(!contains(got, secret), "a secret reached the server");
        }
    }
}

#[test]
fn without_sslmode_a_server_without_tls_is_refused() {
    let (port, server) = rogue_server(Duration::from_millis(3000));
    let own = secret_name("app", "127.0.0.1", port, "crm");
    let (_dir, ws) = workspace(port, &format!(", secret: {own}"));
    let e = target(&ws, "crm", &store(port)).unwrap().inspect().unwrap_err();
    assert!(e.to_string().contains("verify-full"), "{e}");
    for got in server.join().unwrap() {
        assert_eq!(got, [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f], "only the TLS request was sent");
    }
}
