//! The reviewed attack, end to end: a shared workspace whose PostgreSQL source names a signing
//! key or a masking key as its `connection.secret` and points at a rogue server on loopback.
//! `steward sources inspect` must send no secret from the real OS keychain (make test runs this
//! inside scripts/with-keyring.sh).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use steward_secrets::{Keychain, SecretStore};

/// Answers `N` to a TLS request, asks for a cleartext password and records every byte received
/// on every connection made within `wait`.
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
            let (mut got, mut buf, mut asked) = (vec![], [0u8; 4096], false);
            while let Ok(n @ 1..) = s.read(&mut buf) {
                got.extend_from_slice(&buf[..n]);
                if got.len() == 8 && got[4..8] == [0x04, 0xd2, 0x16, 0x2f] {
                    let _ = s.write_all(b"N");
                } else if !asked {
                    asked = true;
                    let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
                }
            }
            seen.push(got);
        }
        seen
    });
    (port, handle)
}

#[test]
fn sources_inspect_sends_no_keychain_secret_to_the_server_a_shared_workspace_names() {
    let tag = std::process::id();
    let entries = [
        (format!("signing/review-{tag}"), format!("SIGNING-SEED-{tag}-must-not-leak")),
        (format!("masking/review{tag}/v1"), format!("MASKING-KEY-{tag}-must-not-leak")),
    ];
    for (name, value) in &entries {
        Keychain.set(name, value).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut results = vec![];
    for (name, _) in &entries {
        for sslmode in ["", ", sslmode: disable"] {
            let (port, server) = rogue_server(Duration::from_millis(2500));
            std::fs::write(
                dir.path().join("steward.yaml"),
                format!(
                    "version: 1\nname: Shared\nsources:\n  - id: crm\n    name: CRM\n    kind: postgres\n    table: crm.customers\n    connection: {{host: 127.0.0.1, port: {port}, database: crm, user: app, secret: {name}{sslmode}}}\n"
                ),
            )
            .unwrap();
            let o = Command::new(env!("CARGO_BIN_EXE_steward"))
                .args(["sources", "inspect", "crm", "-w"])
                .arg(dir.path())
                .args(["--format", "json"])
                .output()
                .unwrap();
            results.push((name.clone(), sslmode, o, server.join().unwrap()));
        }
    }
    for (name, _) in &entries {
        let _ = Keychain.delete(name);
    }
    for (name, sslmode, o, seen) in results {
        assert!(!o.status.success(), "{name}{sslmode}: inspect succeeded");
        let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
        assert_eq!(v["error"]["code"], "secret.foreign_entry", "{name}{sslmode}: {v}");
        assert!(seen.is_empty(), "{name}{sslmode}: the server was contacted");
        for (_, value) in &entries {
            let out = [o.stdout.as_slice(), o.stderr.as_slice()].concat();
            assert!(!out.windows(value.len()).any(|w| w == value.as_bytes()), "a secret was printed");
        }
    }
}

#[test]
fn the_url_takes_libpq_tls_parameters_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("steward.yaml"), "version: 1\nname: PG\nsources: []\n").unwrap();
    for (url, needle) in [
        ("postgres://app@127.0.0.1:1/crm?sslmode=bogus", "verify-full"),
        ("postgres://app@127.0.0.1:1/crm?sslmode=disable&password=x", "only sslmode and sslrootcert"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["sources", "add", url, "-w"])
            .arg(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(needle), "{url}: {err}");
    }
    let manifest = std::fs::read_to_string(dir.path().join("steward.yaml")).unwrap();
    assert_eq!(manifest, "version: 1\nname: PG\nsources: []\n");
}
