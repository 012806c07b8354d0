//! Adding a PostgreSQL table to a workspace: the password goes to the secret store, the
//! workspace keeps only a reference, and every use case reads the table through it.

use steward_app::{add_postgres, classify, secret_name, target, AddPostgres};
use steward_error::ErrorCode;
use steward_secrets::{MemoryStore, SecretStore};
use steward_testkit::PgCluster;
use steward_workspace::Workspace;

const PASSWORD: &str = "pg-Secret-42";

fn cluster() -> PgCluster {
    let pg = PgCluster::start();
    pg.create_password_user("crm_reader", PASSWORD);
    pg.psql(
        "CREATE TABLE public.contacts (id int PRIMARY KEY, email text, phone text);
         INSERT INTO contacts SELECT i, 'p' || i || '@example.org', '+33 6 12 34 56 ' || lpad((i % 100)::text, 2, '0')
           FROM generate_series(1, 120) i;
         GRANT SELECT ON contacts TO crm_reader;",
    );
    pg
}

fn request(pg: &PgCluster, password: &str) -> AddPostgres {
    AddPostgres {
        host: "127.0.0.1".into(),
        port: pg.port,
        database: "postgres".into(),
        user: "crm_reader".into(),
        password: Some(password.into()),
        system: Some("CRM".into()),
        // This throwaway cluster has no TLS; SCRAM keeps the password off the wire.
        ssl_mode: steward_sources::pg::SslMode::Disable,
        ..Default::default()
    }
}

#[test]
fn adds_a_table_keeping_the_password_out_of_the_workspace() {
    let pg = cluster();
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(dir.path(), "PG").unwrap();
    let store = MemoryStore::default();
    let (src, inspection) = add_postgres(&mut ws, request(&pg, PASSWORD), &store).unwrap();
    assert_eq!((src.id.as_str(), src.table.as_deref()), ("contacts", Some("public.contacts")));
    assert_eq!(inspection.row_count, 120);
    let name = secret_name("crm_reader", "127.0.0.1", pg.port, "postgres");
    assert_eq!(store.get(&name).unwrap(), PASSWORD);
    let manifest = std::fs::read_to_string(dir.path().join("steward.yaml")).unwrap();
    assert!(!manifest.contains(PASSWORD), "{manifest}");
    assert!(manifest.contains(&format!("secret: {name}")), "{manifest}");

    let reopened = Workspace::open(dir.path()).unwrap();
    let df = target(&reopened, "contacts", &store).unwrap().preview(10).unwrap();
    assert_eq!(df.height(), 10);
    let c = classify(&reopened, "contacts", &store).unwrap();
    let tag =
        |col: &str| c.iter().find(|x| x.column == col).and_then(|x| x.suggestion.as_ref()).map(|s| s.tag.as_str());
    assert_eq!((tag("email"), tag("phone")), (Some("email"), Some("phone")));

    // Without the keychain entry the source cannot be read, and says which entry is missing.
    let e = target(&reopened, "contacts", &MemoryStore::default()).unwrap_err();
    assert_eq!(e.code(), "secret.not_found");
    assert!(e.to_string().contains(&name), "{e}");
}

#[test]
fn a_wrong_password_saves_nothing() {
    let pg = cluster();
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::init(dir.path(), "PG").unwrap();
    let before = std::fs::read(dir.path().join("steward.yaml")).unwrap();
    let store = MemoryStore::default();
    let e = add_postgres(&mut ws, request(&pg, "wrong-one"), &store).unwrap_err();
    assert_eq!(e.code(), "source.auth");
    assert!(!e.to_string().contains("wrong-one"));
    assert_eq!(std::fs::read(dir.path().join("steward.yaml")).unwrap(), before);
    assert_eq!(
        store.get(&secret_name("crm_reader", "127.0.0.1", pg.port, "postgres")).unwrap_err().code(),
        "secret.not_found"
    );
}
