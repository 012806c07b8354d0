//! PostgreSQL connections keep the password safe: a rogue server on loopback that asks for it
//! in cleartext never receives it, TLS is verified (verify-full by default) against a real
//! throwaway server with its own CA, and statements have a time limit.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;
use steward_error::ErrorCode;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use steward_sources::pg::{self, PgTarget, SslMode};
use steward_testkit::PgCluster;

const PASSWORD: &str = "s3cret-pg-password-✓";

/// What the rogue server got on one connection, and whether it was asked for TLS.
struct Seen {
    bytes: Vec<u8>,
    ssl_requested: bool,
}

/// A fake PostgreSQL server on loopback: refuses TLS, asks for a cleartext password and records
/// every byte the client sends. Serves `connections` connections, then returns what it saw.
fn rogue_server(connections: usize) -> (u16, std::thread::JoinHandle<Vec<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut out = vec![];
        listener.set_nonblocking(false).unwrap();
        for _ in 0..connections {
            let Ok((mut s, _)) = listener.accept() else { break };
            s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
            let mut seen = Seen { bytes: vec![], ssl_requested: false };
            let read_message = |s: &mut std::net::TcpStream, seen: &mut Seen| -> Option<Vec<u8>> {
                let mut len = [0u8; 4];
                s.read_exact(&mut len).ok()?;
                let n = u32::from_be_bytes(len) as usize;
                let mut body = vec![0u8; n.saturating_sub(4).min(1 << 16)];
                s.read_exact(&mut body).ok()?;
                seen.bytes.extend_from_slice(&len);
                seen.bytes.extend_from_slice(&body);
                Some(body)
            };
            let Some(first) = read_message(&mut s, &mut seen) else {
                out.push(seen);
                continue;
            };
            if first == [0x04, 0xd2, 0x16, 0x2f] {
                seen.ssl_requested = true;
                s.write_all(b"N").unwrap();
                if read_message(&mut s, &mut seen).is_none() {
                    out.push(seen);
                    continue;
                }
            }
            // AuthenticationCleartextPassword.
            let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
            let mut rest = vec![];
            let _ = s.read_to_end(&mut rest);
            seen.bytes.extend(rest);
            out.push(seen);
        }
        out
    });
    (port, handle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn rogue_target(port: u16, mode: SslMode) -> PgTarget {
    PgTarget {
        host: "127.0.0.1".into(),
        port,
        database: "crm".into(),
        user: "app".into(),
        password: Some(PASSWORD.into()),
        table: Some("crm.customers".into()),
        ssl_mode: mode,
        ..PgTarget::default()
    }
}

#[test]
fn a_server_asking_for_a_cleartext_password_without_tls_never_gets_it() {
    for mode in [SslMode::Disable, SslMode::Prefer] {
        let (port, server) = rogue_server(1);
        let e = pg::test_connection(&rogue_target(port, mode)).unwrap_err();
        let seen = server.join().unwrap();
        assert_eq!(seen.len(), 1, "{mode}: the client connected");
        assert_eq!(seen[0].ssl_requested, mode == SslMode::Prefer, "{mode}");
        assert!(contains(&seen[0].bytes, b"app"), "{mode}: the startup message was recorded");
        assert!(!contains(&seen[0].bytes, PASSWORD.as_bytes()), "{mode}: the password reached the rogue server");
        assert_eq!(e.code(), "source.auth", "{mode}: {e}");
        let msg = e.to_string();
        assert!(msg.contains("cleartext") && msg.contains("refused"), "{mode}: {msg}");
        assert!(!msg.contains(PASSWORD), "{msg}");
    }
}

#[test]
fn by_default_a_server_without_tls_is_refused_before_any_credential() {
    for mode in [SslMode::VerifyFull, SslMode::VerifyCa, SslMode::Require] {
        let (port, server) = rogue_server(1);
        let t = PgTarget { ssl_mode: mode, ..rogue_target(port, mode) };
        let e = pg::test_connection(&t).unwrap_err();
        let seen = server.join().unwrap();
        assert!(seen[0].ssl_requested, "{mode}");
        assert!(!contains(&seen[0].bytes, b"app"), "{mode}: not even the user name is sent in the clear");
        assert!(!contains(&seen[0].bytes, PASSWORD.as_bytes()), "{mode}");
        let msg = e.to_string();
        assert!(msg.contains("does not offer TLS") && msg.contains(mode.as_str()), "{mode}: {msg}");
    }
    assert_eq!(PgTarget::default().ssl_mode, SslMode::VerifyFull, "verify-full is the default");
}

struct Pki {
    dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A CA, a server certificate for `localhost` only (not for 127.0.0.1) signed by it, and an
/// unrelated CA.
fn tls_cluster() -> (PgCluster, Pki) {
    let pg = PgCluster::start();
    let ca = ca("Steward test CA");
    let other = ca_other();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &ca).unwrap();
    pg.enable_tls(&cert.pem(), &key.serialize_pem());
    pg.create_password_user("tls_app", PASSWORD);
    pg.psql(
        "CREATE VIEW public.tls_check AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();
         GRANT SELECT ON public.tls_check TO tls_app;
         CREATE VIEW public.slow AS SELECT pg_sleep(5) IS NULL AS slept;
         GRANT SELECT ON public.slow TO tls_app;",
    );
    let dir = tempfile::tempdir().unwrap();
    let (ca_path, other_path) = (dir.path().join("ca.pem"), dir.path().join("other-ca.pem"));
    std::fs::write(&ca_path, ca.pem()).unwrap();
    std::fs::write(&other_path, other.pem()).unwrap();
    (pg, Pki { dir, ca: ca_path, other_ca: other_path })
}

fn ca_other() -> CertifiedIssuer<'static, KeyPair> {
    ca("Someone else's CA")
}

fn tls_target(pg: &PgCluster, host: &str, mode: SslMode, root: &std::path::Path) -> PgTarget {
    PgTarget {
        host: host.into(),
        port: pg.port,
        database: "postgres".into(),
        user: "tls_app".into(),
        password: Some(PASSWORD.into()),
        table: Some("public.tls_check".into()),
        ssl_mode: mode,
        ssl_root_cert: Some(root.to_path_buf()),
        statement_timeout: None,
    }
}

#[test]
fn verify_full_connects_over_tls_and_refuses_a_wrong_ca_or_host_name() {
    let (pg, pki) = tls_cluster();

    let ok = tls_target(&pg, "localhost", SslMode::VerifyFull, &pki.ca);
    assert!(pg::test_connection(&ok).unwrap().starts_with("PostgreSQL"));
    let df = pg::read(&ok, None, &[]).unwrap();
    assert_eq!(df.column("ssl").unwrap().bool().unwrap().get(0), Some(true), "the session is encrypted");

    let wrong_ca = tls_target(&pg, "localhost", SslMode::VerifyFull, &pki.other_ca);
    let e = pg::test_connection(&wrong_ca).unwrap_err();
    assert_eq!(e.code(), "source.unreachable", "{e}");
    assert!(e.to_string().contains("not signed by a trusted CA"), "{e}");

    let wrong_name = tls_target(&pg, "127.0.0.1", SslMode::VerifyFull, &pki.ca);
    let e = pg::test_connection(&wrong_name).unwrap_err();
    assert!(e.to_string().contains("not valid for this host name"), "{e}");
    assert!(!e.to_string().contains(PASSWORD));

    // verify-ca checks the chain but not the name; it still refuses the wrong CA.
    let any_name = tls_target(&pg, "127.0.0.1", SslMode::VerifyCa, &pki.ca);
    assert!(pg::test_connection(&any_name).is_ok());
    let e = pg::test_connection(&tls_target(&pg, "127.0.0.1", SslMode::VerifyCa, &pki.other_ca)).unwrap_err();
    assert!(e.to_string().contains("not signed by a trusted CA"), "{e}");

    // A missing root file is named.
    let missing = pki.dir.path().join("nope.pem");
    let e = pg::test_connection(&tls_target(&pg, "localhost", SslMode::VerifyFull, &missing)).unwrap_err();
    assert!(e.to_string().contains("nope.pem"), "{e}");

    // Without sslrootcert, verify-full trusts only the public CAs: this private one is refused.
    let public_only = PgTarget { ssl_root_cert: None, ..ok.clone() };
    assert!(pg::test_connection(&public_only).unwrap_err().to_string().contains("not signed by a trusted CA"));
}

/// The same real server asks for a cleartext password: Steward sends it over verified TLS only.
#[test]
fn a_real_cleartext_password_request_is_answered_over_tls_only() {
    let (pg, pki) = tls_cluster();
    pg.create_password_user("clear_app", PASSWORD);
    pg.use_cleartext_password_for("clear_app");
    let over_tls = PgTarget { user: "clear_app".into(), ..tls_target(&pg, "localhost", SslMode::VerifyFull, &pki.ca) };
    assert!(pg::test_connection(&over_tls).unwrap().starts_with("PostgreSQL"));
    let plain = PgTarget { ssl_mode: SslMode::Disable, ..over_tls.clone() };
    let e = pg::test_connection(&plain).unwrap_err();
    assert_eq!(e.code(), "source.auth", "{e}");
    assert!(e.to_string().contains("cleartext"), "{e}");
    // SCRAM users still connect without TLS when the steward chose so: the password never travels.
    let scram_plain = tls_target(&pg, "127.0.0.1", SslMode::Disable, &pki.ca);
    assert!(pg::test_connection(&scram_plain).is_ok());
}

#[test]
fn reads_stop_at_the_statement_timeout() {
    let (pg, pki) = tls_cluster();
    let t = PgTarget {
        table: Some("public.slow".into()),
        statement_timeout: Some(Duration::from_millis(500)),
        ..tls_target(&pg, "localhost", SslMode::VerifyFull, &pki.ca)
    };
    let started = std::time::Instant::now();
    let e = pg::read(&t, None, &[]).unwrap_err();
    assert!(e.to_string().contains("statement timeout"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}
