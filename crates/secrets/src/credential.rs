//! Database credentials: a [`CredentialRef`] names the keychain entry holding one login's
//! password. It can only be made from the login's parts (user, host, port, database), so it
//! always lies in the `postgres/` namespace: a source can never name a signing key
//! (`signing/…`), a masking key (`masking/…`) or any other entry, whatever its manifest says.

use crate::{SecretError, SecretStore};

/// The keychain namespace of database logins. Entries made by earlier Steward versions use it
/// already (`postgres/<user>@<host>:<port>/<database>`), so they keep working unchanged.
pub const CREDENTIAL_NAMESPACE: &str = "postgres/";

/// The keychain entry of one database login. Built only from the login's parts; every part is
/// lower-cased and reduced to `a-z 0-9 . _ -` (anything else becomes `-`), so no part can add a
/// `/` and leave the namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialRef {
    name: String,
}

fn clean(s: &str) -> String {
    let out: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c) || c == '.' { c } else { '-' })
        .collect();
    // `..` is not a valid entry name; a host like `a..b` still gets an entry of its own.
    out.replace("..", ".-")
}

impl CredentialRef {
    /// The entry of `user@host:port/database`.
    pub fn postgres(user: &str, host: &str, port: u16, database: &str) -> CredentialRef {
        CredentialRef {
            name: format!("{CREDENTIAL_NAMESPACE}{}@{}:{port}/{}", clean(user), clean(host), clean(database)),
        }
    }

    /// The keychain entry name (not a secret).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stored password (`secret.not_found` when this login has none in the keychain).
    pub fn password(&self, store: &dyn SecretStore) -> Result<String, SecretError> {
        store.get(&self.name)
    }

    /// Stores this login's password.
    pub fn store(&self, store: &dyn SecretStore, password: &str) -> Result<(), SecretError> {
        store.set(&self.name, password)
    }

    /// Checks an entry name written in a workspace manifest (`connection.secret`, kept by earlier
    /// versions) against this login's own entry: anything else is refused, never read.
    pub fn check_declared(&self, declared: Option<&str>) -> Result<(), SecretError> {
        match declared {
            None => Ok(()),
            Some(d) if d == self.name => Ok(()),
            Some(d) => {
                Err(SecretError::ForeignEntry { declared: d.escape_debug().to_string(), expected: self.name.clone() })
            }
        }
    }
}

impl std::fmt::Display for CredentialRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryStore;
    use steward_error::ErrorCode;

    #[test]
    fn names_stay_in_the_postgres_namespace_whatever_the_parts() {
        let r = CredentialRef::postgres("App", "db.internal", 5432, "crm");
        assert_eq!(r.name(), "postgres/app@db.internal:5432/crm");
        for (u, h, d) in [
            ("x/../../signing/alice", "h", "d"),
            ("u", "../masking/customer360/v1", "d"),
            ("u", "h", "../../signing/k"),
            ("u@h:1/d", "masking", "v1"),
            ("u", "a..b", "d"),
        ] {
            let r = CredentialRef::postgres(u, h, 1, d);
            let rest = r.name().strip_prefix(CREDENTIAL_NAMESPACE).unwrap();
            assert_eq!(rest.matches('/').count(), 1, "{r}");
            assert_eq!(rest.matches('@').count(), 1, "{r}");
            assert!(!r.name().contains(".."), "{r}");
            assert_eq!(r.password(&MemoryStore::new()).unwrap_err().code(), "secret.not_found", "a valid name: {r}");
        }
    }

    #[test]
    fn a_declared_entry_other_than_the_own_one_is_refused_and_never_read() {
        let store = MemoryStore::new();
        store.set("signing/alice", "SEED-NOT-TO-LEAK").unwrap();
        let r = CredentialRef::postgres("app", "evil.example", 5432, "crm");
        r.check_declared(None).unwrap();
        r.check_declared(Some("postgres/app@evil.example:5432/crm")).unwrap();
        let e = r.check_declared(Some("signing/alice")).unwrap_err();
        assert_eq!(e.code(), "secret.foreign_entry");
        let msg = e.to_string();
        assert!(msg.contains("signing/alice") && msg.contains(r.name()), "{msg}");
        assert!(!msg.contains("SEED"), "{msg}");
        assert_eq!(r.password(&store).unwrap_err().code(), "secret.not_found");
    }
}
