//! Secrets made once: the first use of a key (a masking key, say) creates it, and every caller —
//! threads of this process and other Steward processes of the same user alike — gets the one
//! stored key. Creation runs under a process mutex and a lock file in the user's state folder,
//! and the stored value is read back after it is written.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::{SecretError, SecretStore};

static PROCESS_LOCK: Mutex<()> = Mutex::new(());

/// The user's state folder for Steward: `$STEWARD_STATE_DIR`, else `$XDG_STATE_HOME/steward`,
/// else `~/.local/state/steward`.
pub fn state_dir() -> PathBuf {
    std::env::var_os("STEWARD_STATE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()).map(|x| PathBuf::from(x).join("steward"))
        })
        .or_else(|| {
            std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".local/state/steward"))
        })
        .unwrap_or_else(|| std::env::temp_dir().join("steward-state"))
}

fn lock_error(path: &std::path::Path, e: std::io::Error) -> SecretError {
    SecretError::Lock { path: path.display().to_string(), message: e.to_string() }
}

/// The secret `name`, created with `make` when the store has none. Every concurrent first use
/// gets the same stored value: creation is serialised across threads and processes, and the
/// value returned is the one read back from the store. `make` runs at most once per call and
/// only when the entry is missing; its error (say, no OS randomness) is returned as is.
pub fn get_or_create(
    store: &dyn SecretStore,
    name: &str,
    make: impl FnOnce() -> Result<String, SecretError>,
) -> Result<String, SecretError> {
    // The common case needs no lock: the entry exists.
    match store.get(name) {
        Ok(v) => return Ok(v),
        Err(SecretError::NotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    let _guard = PROCESS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let dir = state_dir();
    std::fs::create_dir_all(&dir).map_err(|e| lock_error(&dir, e))?;
    let path = dir.join("keychain.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| lock_error(&path, e))?;
    file.lock().map_err(|e| lock_error(&path, e))?;
    let result = (|| {
        match store.get(name) {
            Ok(v) => return Ok(v),
            Err(SecretError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        let fresh = make()?;
        store.set(name, &fresh)?;
        tracing::info!(entry = name, "created a secret in the keychain");
        // What the store holds is what every caller uses.
        store.get(name)
    })();
    let _ = file.unlock();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Keychain, MemoryStore};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Barrier;
    use steward_error::ErrorCode;

    fn concurrent_first_use(store: &dyn SecretStore, name: &str, threads: usize) -> (Vec<String>, usize) {
        let made = AtomicUsize::new(0);
        let barrier = Barrier::new(threads);
        let got = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|i| {
                    let (made, barrier) = (&made, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        get_or_create(store, name, || {
                            made.fetch_add(1, Ordering::SeqCst);
                            Ok(format!("value-from-thread-{i}"))
                        })
                        .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect::<Vec<_>>()
        });
        (got, made.load(Ordering::SeqCst))
    }

    #[test]
    fn concurrent_first_uses_share_one_created_value() {
        let store = MemoryStore::new();
        let (got, made) = concurrent_first_use(&store, "test/once-memory", 12);
        assert_eq!(made, 1, "created exactly once");
        assert!(got.iter().all(|g| *g == got[0]), "{got:?}");
        assert_eq!(store.get("test/once-memory").unwrap(), got[0]);
    }

    #[test]
    fn a_failing_maker_stores_nothing() {
        let store = MemoryStore::new();
        let e = get_or_create(&store, "test/once-fail", || Err(SecretError::Random { message: "no entropy".into() }))
            .unwrap_err();
        assert_eq!(e.code(), "secret.random");
        assert_eq!(store.get("test/once-fail").unwrap_err().code(), "secret.not_found");
    }

    /// The real keychain (scripts/with-keyring.sh).
    #[test]
    fn real_keychain_concurrent_first_uses_share_one_value() {
        let name = format!("test/once-{}", std::process::id());
        let (got, made) = concurrent_first_use(&Keychain, &name, 8);
        let stored = Keychain.get(&name).unwrap();
        let _ = Keychain.delete(&name);
        assert_eq!(made, 1);
        assert!(got.iter().all(|g| *g == stored), "every caller gets the stored value: {got:?}");
    }
}
