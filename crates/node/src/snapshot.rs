//! What a node serves of one product at one moment ([`Snapshot`]): the published definition
//! assembled from the workspace's sources once, and each granted profile's view of that same
//! data — the original rows for `unmasked` grants, each masking profile's rows for the others —
//! as the whole product table, nested and indexed by the root's key (a masked view by the
//! masked key, which is what its consumers hold). Views are built for the profiles valid grants
//! name; a profile granted later is built from the same collected rows when first needed.
//! [`Served`] holds the current snapshot and swaps a new one in whole when a source changes: a
//! request reads one snapshot from start to end, old or new, never a mix.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Instant, UNIX_EPOCH};

use axum::body::Bytes;
use polars::prelude::{CompatLevel, DataFrame, PlSmallStr, SchemaExt};
use steward_app::{SourceKind, Workspace};
use steward_assembly::{Assembled, ProductTable};
use steward_registry_client::UNMASKED;
use steward_secrets::SecretStore;

use crate::published::Published;
use crate::NodeError;

/// Entities per Arrow record batch of a whole-product stream.
pub const STREAM_PAGE: u32 = 65_536;

/// Provenance written into a stream's schema metadata (`steward.product`, …).
pub type StreamMetadata = BTreeMap<PlSmallStr, PlSmallStr>;

/// One profile's view: the product table as that profile's consumers see them.
pub struct View {
    pub table: ProductTable,
    /// The masking key version the profile used; none for `unmasked`.
    pub key_version: Option<u32>,
    /// The stream as it is, and LZ4-compressed.
    streams: [OnceLock<Result<Bytes, String>>; 2],
}

impl View {
    fn new(table: ProductTable, key_version: Option<u32>) -> View {
        View { table, key_version, streams: [OnceLock::new(), OnceLock::new()] }
    }

    /// The whole table as an Arrow IPC stream — record batches of [`STREAM_PAGE`] entities, in
    /// the layout every Arrow reader knows, `meta` in its schema — encoded on the first request
    /// and kept: every later one sends the same bytes. (Everything `meta` says is the same for
    /// every request of a view: product, definition, profile, key version, as-of time.) With
    /// `lz4`, its buffers are LZ4-compressed (Arrow's IPC compression, read by pyarrow and
    /// Polars): half the bytes or less, for consumers across a network.
    pub fn stream(&self, meta: StreamMetadata, lz4: bool) -> Result<Bytes, NodeError> {
        self.streams[usize::from(lz4)]
            .get_or_init(|| self.encode(meta, lz4).map_err(|e| e.to_string()))
            .clone()
            .map_err(NodeError::Io)
    }

    fn encode(&self, meta: StreamMetadata, lz4: bool) -> Result<Bytes, String> {
        use polars_arrow::io::ipc::write::{Compression, StreamWriter, WriteOptions};
        let started = Instant::now();
        let level = CompatLevel::oldest();
        let mut out = Vec::new();
        let compression = lz4.then_some(Compression::LZ4);
        let mut writer = StreamWriter::new(&mut out, WriteOptions { compression });
        writer.set_custom_schema_metadata(Arc::new(meta));
        writer.start(&self.table.frame().schema().to_arrow(level), None).map_err(|e| e.to_string())?;
        let mut offset = 0usize;
        while offset < self.table.len() {
            // A copy of the page's rows: the batches hold only their own values.
            let page = self.table.page(offset as i64, STREAM_PAGE).map_err(|e| e.to_string())?;
            for batch in page.iter_chunks(level, true) {
                writer.write(&batch, None).map_err(|e| e.to_string())?;
            }
            offset += STREAM_PAGE as usize;
        }
        writer.finish().map_err(|e| e.to_string())?;
        tracing::info!(bytes = out.len(), lz4, took_ms = started.elapsed().as_millis() as u64, "Arrow stream encoded");
        Ok(Bytes::from(out))
    }
}

/// Where one source stood when read: a file's length and modification time, a database
/// table's row count and newest row version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub source: String,
    pub state: String,
    /// A file's modification time (ns since the epoch); 0 for a database.
    pub modified_ns: u128,
}

/// What identifies the data a snapshot was built from: a [`Mark`] per source.
pub type Fingerprint = Vec<Mark>;

/// One reading of the sources, and the views of it built so far.
pub struct Snapshot {
    /// Counts snapshots of this product: 1 for the first, then one more for each swap.
    pub generation: u64,
    /// When the sources were read (RFC 3339).
    pub as_of: String,
    pub fingerprint: Fingerprint,
    /// The product as assembled (unmasked), and its tables as collected: what every view is
    /// made of.
    assembled: Assembled,
    originals: Vec<(String, DataFrame)>,
    views: RwLock<HashMap<String, Arc<View>>>,
    /// One view is built at a time: two requests for a profile not yet built wait for one build.
    building: Mutex<()>,
}

impl Snapshot {
    /// The view of `profile`, when it has been built.
    pub fn view(&self, profile: &str) -> Option<Arc<View>> {
        self.views.read().unwrap_or_else(|p| p.into_inner()).get(profile).cloned()
    }

    /// The profiles whose views are built.
    pub fn built(&self) -> BTreeSet<String> {
        self.views.read().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    /// How many entities the product holds.
    pub fn entities(&self) -> usize {
        self.originals.first().map_or(0, |(_, rows)| rows.height())
    }

    /// The view of `profile`, built from this snapshot's rows if it was not yet.
    pub fn prepare(
        &self,
        ws: &Workspace,
        p: &Published,
        secrets: &dyn SecretStore,
        profile: &str,
    ) -> Result<Arc<View>, NodeError> {
        if let Some(v) = self.view(profile) {
            return Ok(v);
        }
        let _one = self.building.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = self.view(profile) {
            return Ok(v);
        }
        let started = Instant::now();
        let view = Arc::new(self.make(ws, p, secrets, profile)?);
        tracing::info!(product = %p.name(), %profile, took_ms = started.elapsed().as_millis() as u64, "view built");
        self.views.write().unwrap_or_else(|p| p.into_inner()).insert(profile.to_string(), view.clone());
        Ok(view)
    }

    fn make(&self, ws: &Workspace, p: &Published, secrets: &dyn SecretStore, profile: &str) -> Result<View, NodeError> {
        let def = &p.def;
        let table = |a: &Assembled| {
            ProductTable::build(a).map_err(|e| NodeError::Workspace(format!("{}: {profile}: {e}", p.name())))
        };
        let view = View::new;
        if profile == UNMASKED {
            let a = steward_app::with_tables(&self.assembled, self.originals.iter().map(|(t, d)| (t.as_str(), d)));
            return Ok(view(table(&a)?, None));
        }
        let Some(masking) = def.masking.get(profile) else {
            return Err(NodeError::Forbidden(format!(
                "the grant names profile `{profile}`, which {}@{} does not define",
                p.name(),
                p.version()
            )));
        };
        let version = masking.key_version.unwrap_or(1);
        let key = steward_app::masking_key(secrets, &def.metadata.name, version)?;
        let masked = steward_app::mask_collected(ws, def, &self.assembled, self.originals.clone(), profile, &key)?;
        Ok(view(table(&steward_app::masked_assembled(&self.assembled, &masked))?, Some(version)))
    }
}

/// Where every source `p`'s definition reads stands now. A database that cannot be reached
/// says so in its mark: the next successful reading differs, and is read again.
pub fn fingerprint(ws: &Workspace, p: &Published, secrets: &dyn SecretStore) -> Fingerprint {
    let mut out = vec![];
    for id in steward_app::product_sources(&p.def) {
        let Ok(s) = ws.source(id) else { continue };
        let (state, modified_ns) = if s.kind == SourceKind::Postgres {
            let state = steward_app::target(ws, id, secrets)
                .map_err(|e| e.to_string())
                .and_then(|t| t.database_fingerprint().map_err(|e| e.to_string()));
            let state = state.map(Option::unwrap_or_default).unwrap_or_else(|e| {
                tracing::warn!(source = %id, error = %e, "cannot read the source's fingerprint");
                format!("unreadable: {e}")
            });
            (state, 0)
        } else {
            match std::fs::metadata(ws.source_path(s)) {
                Ok(m) => {
                    let ns =
                        m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
                    (format!("{}:{ns}", m.len()), ns)
                }
                Err(e) => (format!("unreadable: {e}"), 0),
            }
        };
        out.push(Mark { source: id.clone(), state, modified_ns });
    }
    out
}

/// How long a file must have been left alone before it is read: one still being written is
/// read once its writer is done.
pub const QUIET: std::time::Duration = std::time::Duration::from_millis(300);

/// Whether every file source has been left alone for [`QUIET`].
pub fn quiet(fp: &Fingerprint) -> bool {
    let now = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    fp.iter().all(|m| now.saturating_sub(m.modified_ns) >= QUIET.as_nanos())
}

/// [`build`] once the sources are quiet and stay unchanged while read (a few tries).
pub fn build_stable(
    ws: &Workspace,
    p: &Published,
    secrets: &dyn SecretStore,
    generation: u64,
    profiles: &BTreeSet<String>,
) -> Result<Snapshot, NodeError> {
    let mut tries = 0;
    loop {
        while !quiet(&fingerprint(ws, p, secrets)) {
            std::thread::sleep(QUIET);
        }
        match build(ws, p, secrets, generation, profiles) {
            Err(NodeError::Workspace(m)) if m.ends_with("read again") && tries < 5 => tries += 1,
            other => return other,
        }
    }
}

/// Reads the sources and builds the views of `profiles`; refused when a source changed
/// meanwhile.
pub fn build(
    ws: &Workspace,
    p: &Published,
    secrets: &dyn SecretStore,
    generation: u64,
    profiles: &BTreeSet<String>,
) -> Result<Snapshot, NodeError> {
    let before = fingerprint(ws, p, secrets);
    let as_of = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let assembled = steward_app::assemble_product(ws, &p.def, secrets)?;
    let originals = steward_app::original_tables(&assembled)?;
    // A source rewritten while it was read: these rows may hold part of each version.
    if fingerprint(ws, p, secrets) != before {
        return Err(NodeError::Workspace(format!("{}: a source changed while it was read; read again", p.name())));
    }
    let snapshot = Snapshot {
        generation,
        as_of,
        fingerprint: before,
        assembled,
        originals,
        views: RwLock::new(HashMap::new()),
        building: Mutex::new(()),
    };
    for profile in profiles {
        snapshot.prepare(ws, p, secrets, profile)?;
    }
    Ok(snapshot)
}

/// A product as a node serves it: the published definition, where its rows come from, and the
/// current snapshot.
pub struct Served {
    pub published: Published,
    workspace: Workspace,
    secrets: Arc<dyn SecretStore>,
    current: RwLock<Arc<Snapshot>>,
    pub refreshes: AtomicU64,
    /// The last refresh's duration, in microseconds.
    pub last_refresh_us: AtomicU64,
}

impl Served {
    pub fn new(published: Published, workspace: Workspace, secrets: Arc<dyn SecretStore>, first: Snapshot) -> Served {
        Served {
            published,
            workspace,
            secrets,
            current: RwLock::new(Arc::new(first)),
            refreshes: AtomicU64::new(0),
            last_refresh_us: AtomicU64::new(0),
        }
    }

    /// The snapshot a request reads from start to end.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `snapshot`'s view of `profile`, built now if it was not yet (blocking: off the server's
    /// workers).
    pub fn view(&self, snapshot: &Snapshot, profile: &str) -> Result<Arc<View>, NodeError> {
        snapshot.prepare(&self.workspace, &self.published, self.secrets.as_ref(), profile)
    }

    /// Builds, in the current snapshot, the views of granted `profiles` not built yet: a grant
    /// fetched since is ready before its consumer's first request.
    pub fn prepare(&self, profiles: &BTreeSet<String>) -> Result<(), NodeError> {
        let now = self.current();
        for profile in profiles.difference(&now.built()) {
            self.view(&now, profile)?;
        }
        Ok(())
    }

    /// Builds a new snapshot when a source changed — the views of `profiles` (those valid
    /// grants name) — then swaps it in whole. Returns whether it did. The old snapshot stays in
    /// use until the new one is complete.
    pub fn refresh(&self, profiles: &BTreeSet<String>) -> Result<bool, NodeError> {
        let now = self.current();
        let fp = fingerprint(&self.workspace, &self.published, self.secrets.as_ref());
        // Unchanged, or still being written (read next round).
        if fp == now.fingerprint || !quiet(&fp) {
            return Ok(false);
        }
        let started = Instant::now();
        let next = build(&self.workspace, &self.published, self.secrets.as_ref(), now.generation + 1, profiles)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(next);
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        self.last_refresh_us.store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        tracing::info!(product = %self.published.name(), took_ms = started.elapsed().as_millis() as u64, "sources changed: swapped in a new snapshot");
        Ok(true)
    }
}
