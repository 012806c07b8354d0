//! # steward-workspace
//!
//! Owns the *workspace*: a plain, git-friendly folder holding `steward.yaml` (the steward's list of
//! sources, never any secret) and, later, product definitions. Local state and caches live in the
//! hidden `.steward/` subfolder, which ignores itself in git.
//!
//! This crate knows where things are and writes user-edited files atomically. It must not read
//! the data inside a source (that is `steward-sources`) and must not hold credentials: a source
//! that needs one stores a keychain reference, never the secret.

mod atomic;
mod id;
mod manifest;

pub use atomic::write_atomic;
pub use id::{is_valid_id, Id, InvalidId, MAX_ID_LEN};
pub use manifest::{ColumnTags, Connection, SourceKind, SourceRef, SslMode, WorkspaceManifest, MANIFEST_VERSION};

use std::path::{Component, Path, PathBuf};

/// File name of the workspace manifest, at the root of the workspace folder.
pub const MANIFEST_FILE: &str = "steward.yaml";
/// Hidden folder for local state and caches; never committed.
pub const STATE_DIR: &str = ".steward";

/// Everything that can go wrong opening or changing a workspace. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{path}: no such workspace folder")]
    NotFound { path: PathBuf },
    #[error("{path}: not a Steward workspace (no {MANIFEST_FILE}); create one with `steward workspace init {path}`, or add a first source with `steward sources add FILE -w FOLDER`")]
    NoManifest { path: PathBuf },
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid { path: PathBuf, line: Option<usize>, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no source with id `{id}` in this workspace")]
    UnknownSource { path: PathBuf, id: String },
}

steward_error::error_codes!(WorkspaceError {
    Self::NotFound { .. } => "workspace.not_found",
    Self::NoManifest { .. } => "workspace.no_manifest",
    Self::Invalid { .. } => "workspace.invalid",
    Self::Io { .. } => "workspace.io",
    Self::UnknownSource { .. } => "workspace.unknown_source",
});

pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;

/// An opened workspace folder.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    manifest: WorkspaceManifest,
}

impl Workspace {
    /// Opens the workspace at `root`, validating its manifest and making sure the hidden state
    /// folder exists.
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref();
        if !root.is_dir() {
            return Err(WorkspaceError::NotFound { path: root.to_path_buf() });
        }
        let root = root.canonicalize().map_err(|source| WorkspaceError::Io { path: root.to_path_buf(), source })?;
        let manifest_path = root.join(MANIFEST_FILE);
        if !manifest_path.is_file() {
            return Err(WorkspaceError::NoManifest { path: root });
        }
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|source| WorkspaceError::Io { path: manifest_path.clone(), source })?;
        let manifest = WorkspaceManifest::parse(&text, &manifest_path)?;
        let ws = Workspace { root, manifest };
        ws.ensure_state_dir()?;
        tracing::debug!(root = %ws.root.display(), sources = ws.manifest.sources.len(), "opened workspace");
        Ok(ws)
    }

    /// Creates a new, empty workspace at `root` (the folder may exist but must not hold a manifest).
    pub fn init(root: impl AsRef<Path>, name: &str) -> Result<Self> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(|source| WorkspaceError::Io { path: root.to_path_buf(), source })?;
        let manifest_path = root.join(MANIFEST_FILE);
        if manifest_path.exists() {
            return Err(WorkspaceError::Invalid {
                path: manifest_path,
                line: None,
                message: "a workspace already exists here".into(),
            });
        }
        let manifest = WorkspaceManifest { version: MANIFEST_VERSION, name: name.to_string(), sources: vec![] };
        write_atomic(&manifest_path, manifest.to_yaml().as_bytes())?;
        Workspace::open(root)
    }

    /// Writes `manifest` as the workspace manifest of `root`, replacing any existing one
    /// atomically after validating it, then opens the workspace.
    pub fn create_or_replace(root: impl AsRef<Path>, manifest: &WorkspaceManifest) -> Result<Self> {
        let root = root.as_ref();
        std::fs::create_dir_all(root).map_err(|source| WorkspaceError::Io { path: root.to_path_buf(), source })?;
        let manifest_path = root.join(MANIFEST_FILE);
        manifest.validate(&manifest_path)?;
        write_atomic(&manifest_path, manifest.to_yaml().as_bytes())?;
        Workspace::open(root)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    pub fn manifest(&self) -> &WorkspaceManifest {
        &self.manifest
    }

    pub fn sources(&self) -> &[SourceRef] {
        &self.manifest.sources
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.root.join(MANIFEST_FILE)
    }

    /// The hidden folder for local state and caches.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    pub fn source(&self, id: &str) -> Result<&SourceRef> {
        self.manifest
            .sources
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| WorkspaceError::UnknownSource { path: self.manifest_path(), id: id.to_string() })
    }

    /// Absolute path of a file-backed source; relative paths are relative to the workspace root.
    pub fn source_path(&self, source: &SourceRef) -> PathBuf {
        let p = Path::new(&source.path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    /// Adds a source and saves the manifest atomically. The manifest on disk is unchanged when
    /// the new source is refused.
    pub fn add_source(&mut self, source: SourceRef) -> Result<()> {
        self.update_manifest(|next, _| {
            next.sources.push(source);
            Ok(())
        })
    }

    /// Records the steward's decision on a classification tag for a column (accepting removes an
    /// earlier rejection and the other way round), and saves the manifest atomically.
    pub fn set_classification(&mut self, source_id: &str, column: &str, tag: &str, accepted: bool) -> Result<()> {
        self.update_manifest(|next, path| {
            let src = source_mut(next, path, source_id)?;
            let tags = src.classifications.entry(column.to_string()).or_default();
            tags.accepted.retain(|t| t != tag);
            tags.rejected.retain(|t| t != tag);
            if accepted {
                tags.accepted.push(tag.to_string());
                tags.accepted.sort();
            } else {
                tags.rejected.push(tag.to_string());
                tags.rejected.sort();
            }
            Ok(())
        })
    }

    /// Keeps `column` of a source as text though its values read as ISO-8601 dates (or, with
    /// `keep` false, reads it as dates again), and saves the manifest atomically.
    pub fn set_keep_text(&mut self, source_id: &str, column: &str, keep: bool) -> Result<()> {
        self.update_manifest(|next, path| {
            let src = source_mut(next, path, source_id)?;
            src.keep_text.retain(|c| c != column);
            if keep {
                src.keep_text.push(column.to_string());
            }
            Ok(())
        })
    }

    /// Read-modify-write of the manifest under the workspace's lock (`.steward/manifest.lock`,
    /// held across processes): the change applies to the manifest as it is on disk now, so
    /// concurrent commands each keep the other's change. Nothing is written when `change` or
    /// validation fails.
    fn update_manifest(&mut self, change: impl FnOnce(&mut WorkspaceManifest, &Path) -> Result<()>) -> Result<()> {
        let path = self.manifest_path();
        let _lock = ManifestLock::acquire(&self.state_dir())?;
        let text =
            std::fs::read_to_string(&path).map_err(|source| WorkspaceError::Io { path: path.clone(), source })?;
        let mut next = WorkspaceManifest::parse(&text, &path)?;
        change(&mut next, &path)?;
        next.validate(&path)?;
        write_atomic(&path, next.to_yaml().as_bytes())?;
        self.manifest = next;
        Ok(())
    }

    fn ensure_state_dir(&self) -> Result<()> {
        let dir = self.state_dir();
        std::fs::create_dir_all(&dir).map_err(|source| WorkspaceError::Io { path: dir.clone(), source })?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            write_atomic(&ignore, b"# Steward local state and caches: never committed\n*\n")?;
        }
        Ok(())
    }
}

/// Source `id` of `manifest` (read from `path`), to change.
fn source_mut<'a>(manifest: &'a mut WorkspaceManifest, path: &Path, id: &str) -> Result<&'a mut SourceRef> {
    manifest
        .sources
        .iter_mut()
        .find(|s| s.id == id)
        .ok_or_else(|| WorkspaceError::UnknownSource { path: path.to_path_buf(), id: id.to_string() })
}

/// An exclusive lock on the workspace manifest, released when dropped. Threads of one process
/// each open their own handle, so the OS lock serialises them too.
struct ManifestLock(std::fs::File);

impl ManifestLock {
    fn acquire(state_dir: &Path) -> Result<ManifestLock> {
        let path = state_dir.join("manifest.lock");
        let io = |source| WorkspaceError::Io { path: path.clone(), source };
        std::fs::create_dir_all(state_dir).map_err(io)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(ManifestLock(file))
    }
}

impl Drop for ManifestLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// True when `rel` stays inside the folder it is relative to (no `..`, no root, no prefix).
pub(crate) fn is_contained_relative(rel: &Path) -> bool {
    rel.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_error::ErrorCode;

    fn write(dir: &Path, text: &str) {
        std::fs::write(dir.join(MANIFEST_FILE), text).unwrap();
    }

    #[test]
    fn opens_a_valid_workspace_and_creates_ignored_state_dir() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "version: 1\nname: Demo\nsources:\n  - id: orders\n    name: Orders\n    kind: csv\n    path: orders.csv\n",
        );
        let ws = Workspace::open(dir.path()).unwrap();
        assert_eq!(ws.name(), "Demo");
        assert_eq!(ws.sources().len(), 1);
        assert_eq!(ws.source("orders").unwrap().kind, SourceKind::Csv);
        assert!(ws.source_path(ws.source("orders").unwrap()).ends_with("orders.csv"));
        let ignore = std::fs::read_to_string(ws.state_dir().join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"));
    }

    #[test]
    fn missing_folder_and_missing_manifest_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let err = Workspace::open(dir.path().join("nope")).unwrap_err();
        assert_eq!(err.code(), "workspace.not_found");
        let err = Workspace::open(dir.path()).unwrap_err();
        assert_eq!(err.code(), "workspace.no_manifest");
        assert!(err.to_string().contains("steward.yaml"));
    }

    #[test]
    fn broken_yaml_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "version: 1\nname: Demo\nsources:\n  - id: [unclosed\n");
        let err = Workspace::open(dir.path()).unwrap_err();
        assert_eq!(err.code(), "workspace.invalid");
        let msg = err.to_string();
        assert!(msg.contains("steward.yaml:"), "{msg}");
        assert!(matches!(err, WorkspaceError::Invalid { line: Some(_), .. }), "{msg}");
    }

    #[test]
    fn duplicate_ids_escaping_paths_and_secrets_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "version: 1\nname: D\nsources:\n  - {id: a, name: A, kind: csv, path: a.csv}\n  - {id: a, name: B, kind: csv, path: b.csv}\n",
        );
        let msg = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("sources[1].id") && msg.contains("duplicate"), "{msg}");

        write(dir.path(), "version: 1\nname: D\nsources:\n  - {id: a, name: A, kind: csv, path: ../../etc/passwd}\n");
        let msg = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("sources[0].path"), "{msg}");

        write(
            dir.path(),
            "version: 1\nname: D\nsources:\n  - {id: a, name: A, kind: csv, path: a.csv, password: hunter2}\n",
        );
        let msg = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("password"), "{msg}");
        assert!(!msg.contains("hunter2"), "the secret must not be echoed: {msg}");
    }

    #[test]
    fn postgres_sources_hold_a_connection_and_a_keychain_reference_only() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "version: 1\nname: D\nsources:\n  - id: crmdb\n    name: CRM DB\n    kind: postgres\n    table: crm.customers\n    connection: {host: db.local, port: 5432, database: crm, user: app, secret: postgres/crmdb}\n",
        );
        let ws = Workspace::open(dir.path()).unwrap();
        let c = ws.source("crmdb").unwrap().connection.clone().unwrap();
        assert_eq!((c.port, c.secret.as_deref()), (5432, Some("postgres/crmdb")));
        write(dir.path(), "version: 1\nname: D\nsources:\n  - {id: x, name: X, kind: postgres, connection: {host: h, port: 1, database: d, user: u, password: hunter2}}\n");
        let msg = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("password") && !msg.contains("hunter2"), "{msg}");
        write(dir.path(), "version: 1\nname: D\nsources:\n  - {id: x, name: X, kind: postgres}\n");
        assert!(Workspace::open(dir.path()).unwrap_err().to_string().contains("sources[0].connection"));
    }

    #[test]
    fn postgres_tls_settings_round_trip_and_stay_in_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let pg = |extra: &str| {
            format!("version: 1\nname: D\nsources:\n  - {{id: x, name: X, kind: postgres, connection: {{host: h, port: 1, database: d, user: u{extra}}}}}\n")
        };
        write(dir.path(), &pg(", sslmode: verify-ca, sslrootcert: certs/ca.pem"));
        let ws = Workspace::open(dir.path()).unwrap();
        let c = ws.source("x").unwrap().connection.clone().unwrap();
        assert_eq!((c.sslmode, c.sslrootcert.as_deref()), (Some(SslMode::VerifyCa), Some("certs/ca.pem")));
        write(dir.path(), &pg(", sslmode: bogus"));
        assert!(Workspace::open(dir.path()).unwrap_err().to_string().contains("bogus"));
        write(dir.path(), &pg(", sslrootcert: ../../ca.pem"));
        assert!(Workspace::open(dir.path()).unwrap_err().to_string().contains("sslrootcert"));
    }

    #[test]
    fn newer_manifest_version_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "version: 99\nname: D\nsources: []\n");
        let msg = Workspace::open(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("version 99"), "{msg}");
    }

    #[test]
    fn add_source_round_trips_and_keeps_file_intact_on_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), "Fresh").unwrap();
        ws.add_source(SourceRef {
            id: "orders".into(),
            name: "Orders".into(),
            kind: SourceKind::Csv,
            path: "data/orders.csv".into(),
            connection: None,
            table: None,
            header_row: None,
            system: Some("Shop".into()),
            description: None,
            classifications: Default::default(),
            keep_text: vec![],
        })
        .unwrap();
        let before = std::fs::read_to_string(ws.manifest_path()).unwrap();
        let err = ws
            .add_source(SourceRef {
                id: "orders".into(),
                name: "Again".into(),
                kind: SourceKind::Csv,
                path: "x.csv".into(),
                connection: None,
                table: None,
                header_row: None,
                system: None,
                description: None,
                classifications: Default::default(),
                keep_text: vec![],
            })
            .unwrap_err();
        assert_eq!(err.code(), "workspace.invalid");
        assert_eq!(std::fs::read_to_string(ws.manifest_path()).unwrap(), before);
        let reopened = Workspace::open(dir.path()).unwrap();
        assert_eq!(reopened.sources(), ws.sources());
        assert_eq!(reopened.sources()[0].system.as_deref(), Some("Shop"));
    }

    fn csv_source(id: String) -> SourceRef {
        SourceRef {
            path: format!("{id}.csv"),
            name: id.to_uppercase(),
            id,
            kind: SourceKind::Csv,
            connection: None,
            table: None,
            header_row: None,
            system: None,
            description: None,
            classifications: Default::default(),
            keep_text: vec![],
        }
    }

    /// Each adder opened the workspace before the others wrote: without the lock and the fresh
    /// read, the last writer's manifest dropped every other source.
    #[test]
    fn concurrent_adders_lose_no_source() {
        let dir = tempfile::tempdir().unwrap();
        Workspace::init(dir.path(), "Busy").unwrap();
        let barrier = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            for t in 0..8 {
                let (dir, barrier) = (dir.path(), &barrier);
                s.spawn(move || {
                    let mut ws = Workspace::open(dir).unwrap();
                    barrier.wait();
                    for i in 0..5 {
                        ws.add_source(csv_source(format!("t{t}-s{i}"))).unwrap();
                    }
                });
            }
        });
        let ws = Workspace::open(dir.path()).unwrap();
        assert_eq!(ws.sources().len(), 40, "{:?}", ws.sources().iter().map(|s| &s.id).collect::<Vec<_>>());
    }

    #[test]
    fn a_classification_keeps_a_source_added_by_another_command() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "version: 1\nname: D\nsources:\n  - {id: crm, name: CRM, kind: csv, path: a.csv}\n");
        let mut stale = Workspace::open(dir.path()).unwrap();
        Workspace::open(dir.path()).unwrap().add_source(csv_source("orders".into())).unwrap();
        stale.set_classification("crm", "email", "email", true).unwrap();
        let ids: Vec<String> = Workspace::open(dir.path()).unwrap().sources().iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids, ["crm", "orders"]);
        assert_eq!(stale.sources().len(), 2, "the handle sees what it wrote");
    }

    #[test]
    fn classification_decisions_persist_and_flip() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "version: 1\nname: D\nsources:\n  - {id: crm, name: CRM, kind: csv, path: a.csv}\n");
        let mut ws = Workspace::open(dir.path()).unwrap();
        ws.set_classification("crm", "email", "email", true).unwrap();
        ws.set_classification("crm", "phone", "phone", false).unwrap();
        ws.set_classification("crm", "phone", "phone", true).unwrap();
        let text = std::fs::read_to_string(ws.manifest_path()).unwrap();
        assert!(text.contains("classifications:"), "{text}");
        let back = Workspace::open(dir.path()).unwrap();
        let c = &back.source("crm").unwrap().classifications;
        assert_eq!(c["email"].accepted, ["email"]);
        assert_eq!((c["phone"].accepted.as_slice(), c["phone"].rejected.len()), (&["phone".to_string()][..], 0));
        assert_eq!(ws.set_classification("nope", "x", "email", true).unwrap_err().code(), "workspace.unknown_source");
    }

    #[test]
    fn columns_kept_as_text_persist_once_each_and_go_back() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "version: 1\nname: D\nsources:\n  - {id: crm, name: CRM, kind: sqlite, path: a.db, table: employees}\n",
        );
        let mut ws = Workspace::open(dir.path()).unwrap();
        ws.set_keep_text("crm", "birthdate", true).unwrap();
        ws.set_keep_text("crm", "hiredate", true).unwrap();
        ws.set_keep_text("crm", "birthdate", true).unwrap();
        assert_eq!(Workspace::open(dir.path()).unwrap().source("crm").unwrap().keep_text, ["hiredate", "birthdate"]);
        ws.set_keep_text("crm", "hiredate", false).unwrap();
        assert_eq!(Workspace::open(dir.path()).unwrap().source("crm").unwrap().keep_text, ["birthdate"]);
        assert_eq!(ws.set_keep_text("nope", "x", true).unwrap_err().code(), "workspace.unknown_source");
    }
}
