//! # steward-secrets
//!
//! Owns secrets: database passwords, signing and masking keys live only in the OS keychain —
//! Secret Service on Linux, the Keychain on macOS, the Credential Manager on Windows — under the
//! service name `steward`. Workspaces never hold a secret. A database source reaches only its own
//! login's entry, through a [`CredentialRef`] derived from the login (never a name from a file);
//! keys made on first use are made once ([`get_or_create`]).
//!
//! It must not log, print or put a secret into an error message. [`MemoryStore`] exists for
//! tests of code that needs a store; the real store is tested against the real keychain.

mod credential;
mod once;

pub use credential::{CredentialRef, CREDENTIAL_NAMESPACE};
pub use once::{get_or_create, state_dir};

use std::collections::HashMap;
use std::sync::Mutex;

/// Keychain service name under which every Steward secret is stored.
pub const SERVICE: &str = "steward";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("keychain entry `{name}` not found; store the secret again")]
    NotFound { name: String },
    #[error(
        "keychain entry name `{name}` is not valid: use 1-128 characters of a-z, 0-9, `.`, `_`, `-`, `/`, `:` or `@`"
    )]
    InvalidName { name: String },
    #[error(
        "the OS keychain is not available ({message}); on Linux, Steward needs a Secret Service such as gnome-keyring"
    )]
    Unavailable { message: String },
    #[error("keychain entry `{name}`: {message}")]
    Keychain { name: String, message: String },
    #[error(
        "connection.secret names keychain entry `{declared}`, but a database source may only use its own login's entry `{expected}`; remove the `secret:` line (Steward derives the entry from user, host, port and database)"
    )]
    ForeignEntry { declared: String, expected: String },
    #[error("the lock guarding keychain changes ({path}) failed: {message}")]
    Lock { path: String, message: String },
    #[error("the operating system's random number generator failed ({message}); no key was made")]
    Random { message: String },
}

steward_error::error_codes!(SecretError {
    Self::NotFound { .. } => "secret.not_found",
    Self::InvalidName { .. } => "secret.invalid_name",
    Self::Unavailable { .. } => "secret.unavailable",
    Self::Keychain { .. } => "secret.keychain",
    Self::ForeignEntry { .. } => "secret.foreign_entry",
    Self::Lock { .. } => "secret.lock",
    Self::Random { .. } => "secret.random",
});

/// A place secrets are kept, by name.
pub trait SecretStore: Send + Sync {
    fn set(&self, name: &str, secret: &str) -> Result<(), SecretError>;
    fn get(&self, name: &str) -> Result<String, SecretError>;
    fn delete(&self, name: &str) -> Result<(), SecretError>;
}

fn check_name(name: &str) -> Result<(), SecretError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/:@".contains(c))
        && !name.contains("..")
        && !name.starts_with('/');
    if ok {
        Ok(())
    } else {
        Err(SecretError::InvalidName { name: name.escape_debug().to_string() })
    }
}

/// The OS keychain.
#[derive(Debug, Default, Clone, Copy)]
pub struct Keychain;

impl Keychain {
    fn entry(name: &str) -> Result<keyring::Entry, SecretError> {
        check_name(name)?;
        keyring::Entry::new(SERVICE, name).map_err(|e| map_err(name, e))
    }
}

fn map_err(name: &str, e: keyring::Error) -> SecretError {
    // keyring's messages never contain the secret itself; they describe the platform failure.
    match e {
        keyring::Error::NoEntry => SecretError::NotFound { name: name.to_string() },
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            SecretError::Unavailable { message: inner.to_string() }
        }
        other => SecretError::Keychain { name: name.to_string(), message: other.to_string() },
    }
}

impl SecretStore for Keychain {
    fn set(&self, name: &str, secret: &str) -> Result<(), SecretError> {
        Self::entry(name)?.set_password(secret).map_err(|e| map_err(name, e))?;
        tracing::info!(entry = name, "secret stored in the keychain");
        Ok(())
    }

    fn get(&self, name: &str) -> Result<String, SecretError> {
        Self::entry(name)?.get_password().map_err(|e| map_err(name, e))
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        Self::entry(name)?.delete_credential().map_err(|e| map_err(name, e))?;
        tracing::info!(entry = name, "secret deleted from the keychain");
        Ok(())
    }
}

/// An in-memory store for tests of code that needs one.
#[derive(Debug, Default)]
pub struct MemoryStore {
    secrets: Mutex<Option<HashMap<String, String>>>,
}

impl MemoryStore {
    pub const fn new() -> Self {
        MemoryStore { secrets: Mutex::new(None) }
    }
}

impl SecretStore for MemoryStore {
    fn set(&self, name: &str, secret: &str) -> Result<(), SecretError> {
        check_name(name)?;
        self.secrets
            .lock()
            .map_err(|_| SecretError::Unavailable { message: "poisoned".into() })?
            .get_or_insert_with(HashMap::new)
            .insert(name.into(), secret.into());
        Ok(())
    }

    fn get(&self, name: &str) -> Result<String, SecretError> {
        check_name(name)?;
        self.secrets
            .lock()
            .map_err(|_| SecretError::Unavailable { message: "poisoned".into() })?
            .as_ref()
            .and_then(|m| m.get(name))
            .cloned()
            .ok_or_else(|| SecretError::NotFound { name: name.into() })
    }

    fn delete(&self, name: &str) -> Result<(), SecretError> {
        check_name(name)?;
        self.secrets
            .lock()
            .map_err(|_| SecretError::Unavailable { message: "poisoned".into() })?
            .as_mut()
            .and_then(|m| m.remove(name))
            .map(|_| ())
            .ok_or_else(|| SecretError::NotFound { name: name.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_error::ErrorCode;

    fn round_trip(store: &dyn SecretStore, name: &str) {
        let secret = "s3cr3t-ünïcode-✓";
        store.set(name, secret).unwrap();
        assert_eq!(store.get(name).unwrap(), secret);
        store.set(name, "rotated").unwrap();
        assert_eq!(store.get(name).unwrap(), "rotated");
        store.delete(name).unwrap();
        let e = store.get(name).unwrap_err();
        assert_eq!(e.code(), "secret.not_found");
        assert!(!e.to_string().contains("rotated"));
    }

    #[test]
    fn memory_store_round_trip_and_names() {
        let m = MemoryStore::default();
        round_trip(&m, "pg/crm@test");
        assert_eq!(m.set("Bad Name", "x").unwrap_err().code(), "secret.invalid_name");
        assert_eq!(m.set("../etc", "x").unwrap_err().code(), "secret.invalid_name");
    }

    /// The real OS keychain. `make test` runs this inside a private D-Bus session with an
    /// unlocked gnome-keyring (scripts/with-keyring.sh); it fails, rather than skips, without one.
    #[test]
    fn real_os_keychain_round_trip() {
        let name = format!("test/round-trip-{}", std::process::id());
        round_trip(&Keychain, &name);
    }
}
