//! What a node serves of one product at one moment ([`Snapshot`]): the published definition
//! assembled from the workspace's sources once, and every profile's view of that same data —
//! the original rows for `unmasked` grants, each masking profile's rows for the others — each
//! indexed by the root's key (a masked view by the masked key, which is what its consumers
//! hold). [`Served`] holds the current snapshot and swaps a new one in whole when a source
//! changes: a request reads one snapshot from start to end, old or new, never a mix.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Instant, UNIX_EPOCH};

use steward_app::{SourceKind, Workspace};
use steward_assembly::{Assembled, Lookup};
use steward_registry_client::UNMASKED;
use steward_secrets::SecretStore;

use crate::published::Published;
use crate::NodeError;

/// One profile's view: the product's tables as that profile's consumers see them.
pub struct View {
    pub assembled: Assembled,
    pub lookup: Lookup,
    /// The masking key version the profile used; none for `unmasked`.
    pub key_version: Option<u32>,
}

/// What identifies the data a snapshot was built from: per file source, its length and
/// modification time. A database source is read once per snapshot (see the README).
pub type Fingerprint = Vec<(String, u64, u128)>;

/// Every profile's view of the product, built from one reading of the sources.
pub struct Snapshot {
    /// Counts snapshots of this product: 1 for the first, then one more for each swap.
    pub generation: u64,
    /// When the sources were read (RFC 3339).
    pub as_of: String,
    pub fingerprint: Fingerprint,
    views: HashMap<String, Arc<View>>,
}

impl Snapshot {
    pub fn view(&self, profile: &str) -> Option<&Arc<View>> {
        self.views.get(profile)
    }

    pub fn entities(&self) -> usize {
        self.views.get(UNMASKED).map_or(0, |v| v.lookup.len())
    }
}

/// The current fingerprint of the file sources `p`'s definition reads.
pub fn fingerprint(ws: &Workspace, p: &Published) -> Fingerprint {
    let mut out = vec![];
    for id in steward_app::product_sources(&p.def) {
        let Ok(s) = ws.source(id) else { continue };
        if s.kind == SourceKind::Postgres {
            continue;
        }
        let (len, modified) = match std::fs::metadata(ws.source_path(s)) {
            Ok(m) => {
                (m.len(), m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos()))
            }
            Err(_) => (0, 0),
        };
        out.push((id.clone(), len, modified));
    }
    out
}

/// How long a file must have been left alone before it is read: one still being written is
/// read once its writer is done.
pub const QUIET: std::time::Duration = std::time::Duration::from_millis(300);

/// Whether every file source has been left alone for [`QUIET`].
pub fn quiet(fp: &Fingerprint) -> bool {
    let now = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    fp.iter().all(|(_, _, modified)| now.saturating_sub(*modified) >= QUIET.as_nanos())
}

/// [`build`] once the sources are quiet and stay unchanged while read (a few tries).
pub fn build_stable(
    ws: &Workspace,
    p: &Published,
    secrets: &dyn SecretStore,
    generation: u64,
) -> Result<Snapshot, NodeError> {
    let mut tries = 0;
    loop {
        while !quiet(&fingerprint(ws, p)) {
            std::thread::sleep(QUIET);
        }
        match build(ws, p, secrets, generation) {
            Err(NodeError::Workspace(m)) if m.ends_with("read again") && tries < 5 => tries += 1,
            other => return other,
        }
    }
}

/// Reads the sources and builds every profile's view; refused when a source changed meanwhile.
pub fn build(ws: &Workspace, p: &Published, secrets: &dyn SecretStore, generation: u64) -> Result<Snapshot, NodeError> {
    let before = fingerprint(ws, p);
    let as_of = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let def = &p.def;
    let a = steward_app::assemble_product(ws, def, secrets)?;
    let originals = steward_app::original_tables(&a)?;
    let mut views = HashMap::new();
    let lookup = |a: &Assembled, at: &str| {
        Lookup::build(a).map_err(|e| NodeError::Workspace(format!("{}: {at}: {e}", p.name())))
    };
    for (name, profile) in &def.masking {
        let version = profile.key_version.unwrap_or(1);
        let key = steward_app::masking_key(secrets, &def.metadata.name, version)?;
        let masked = steward_app::mask_collected(ws, def, &a, originals.clone(), name, &key)?;
        let m = steward_app::masked_assembled(&a, &masked);
        views.insert(
            name.clone(),
            Arc::new(View { lookup: lookup(&m, name)?, assembled: m, key_version: Some(version) }),
        );
    }
    let whole = lookup(&a, UNMASKED)?;
    views.insert(UNMASKED.to_string(), Arc::new(View { lookup: whole, assembled: a, key_version: None }));
    // A source rewritten while it was read: these views may hold part of each version.
    if fingerprint(ws, p) != before {
        return Err(NodeError::Workspace(format!("{}: a source changed while it was read; read again", p.name())));
    }
    Ok(Snapshot { generation, as_of, fingerprint: before, views })
}

/// A product as a node serves it: the published definition and the current snapshot.
pub struct Served {
    pub published: Published,
    current: RwLock<Arc<Snapshot>>,
    pub refreshes: AtomicU64,
    /// The last refresh's duration, in microseconds.
    pub last_refresh_us: AtomicU64,
}

impl Served {
    pub fn new(published: Published, first: Snapshot) -> Served {
        Served {
            published,
            current: RwLock::new(Arc::new(first)),
            refreshes: AtomicU64::new(0),
            last_refresh_us: AtomicU64::new(0),
        }
    }

    /// The snapshot a request reads from start to end.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Builds a new snapshot when a file source changed, then swaps it in whole. Returns whether
    /// it did. The old snapshot stays in use until the new one is complete.
    pub fn refresh(&self, ws: &Workspace, secrets: &dyn SecretStore) -> Result<bool, NodeError> {
        let now = self.current();
        let fp = fingerprint(ws, &self.published);
        // Unchanged, or still being written (read next round).
        if fp == now.fingerprint || !quiet(&fp) {
            return Ok(false);
        }
        let started = Instant::now();
        let next = build(ws, &self.published, secrets, now.generation + 1)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        self.last_refresh_us.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        tracing::info!(product = %self.published.name(), took_ms = started.elapsed().as_millis() as u64, "sources changed: swapped in a new snapshot");
        Ok(true)
    }
}
