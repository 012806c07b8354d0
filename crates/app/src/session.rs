//! A product session: what a front-end that shows products keeps between requests — assembled
//! products, their 360 indexes and their masked tables — and the rules for when each is stale.
//!
//! Each cached value carries the revision (content hash) of what it was made from: the
//! definition's entity, related tables and lookups for an assembly and its index (an edit of
//! masking or quality rules keeps them), and the definition file *and* the workspace manifest
//! for a masking (tag rules follow the steward's accepted tags, kept in
//! `steward.yaml`). A request whose revisions differ rebuilds; nothing depends on file times.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use polars::prelude::DataFrame;
use steward_assembly::{Assembled, Lookup, RuleResult};
use steward_model::{ProductDefinition, TableRef};
use steward_secrets::SecretStore;
use steward_workspace::Workspace;

use crate::{revision_of, AppError, MaskedTables, PrivacyReport};

/// Which rows of a product: a page of the product table (related tables nested), or one
/// entity's rows of one table for the 360 view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowsQuery {
    Page { offset: u32, limit: u32 },
    Entity { key: Vec<String>, table: TableRef },
}

/// Original or masked rows, side by side in the privacy view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    Masked,
    /// The original values of these columns only (what the officer revealed).
    Original {
        columns: Vec<String>,
    },
}

type Stamped<T> = (String, T);

/// Values by key, each with the revision it was made from.
type Cache<K, V> = Mutex<HashMap<K, Stamped<V>>>;

/// Caches of one front-end's products. Cheap to share (`Arc`); safe across threads.
#[derive(Default)]
pub struct ProductSession {
    products: Cache<String, Assembled>,
    lookups: Cache<String, Arc<Lookup>>,
    masked: Cache<(String, String), Arc<MaskedTables>>,
    relations: Cache<(), Arc<crate::RelationsReport>>,
    memos: Cache<String, Arc<crate::coverage::MeasureMemo>>,
    /// Products whose index [`ProductSession::prepare_lookup`] is building.
    preparing: Mutex<std::collections::HashSet<String>>,
}

/// Revision of what a product is assembled from — its entity, related tables and lookups — so
/// an edit of its masking profiles, quality rules or metadata reuses the assembly.
fn assembly_revision(def: &ProductDefinition) -> String {
    let shape = serde_json::to_vec(&(&def.entity, &def.related, &def.reference)).unwrap_or_default();
    revision_of(&shape)
}

fn poisoned() -> AppError {
    AppError::InvalidInput("the product cache is unavailable after an earlier failure: restart Steward".into())
}

fn cached<K: Eq + std::hash::Hash, V: Clone>(map: &Cache<K, V>, key: &K, stamp: &str) -> Option<V> {
    let guard = map.lock().ok()?;
    guard.get(key).filter(|(s, _)| s == stamp).map(|(_, v)| v.clone())
}

fn keep<K: Eq + std::hash::Hash, V>(map: &Cache<K, V>, key: K, stamp: String, value: V) -> Result<(), AppError> {
    map.lock().map_err(|_| poisoned())?.insert(key, (stamp, value));
    Ok(())
}

impl ProductSession {
    pub fn new() -> Self {
        Self::default()
    }

    /// Product `id` parsed, with the revision of its file.
    pub fn definition(&self, ws: &Workspace, id: &str) -> Result<(String, ProductDefinition), AppError> {
        let path = crate::existing_product_file(ws, id)?;
        let bytes =
            std::fs::read(&path).map_err(|source| steward_model::ModelError::Io { path: path.clone(), source })?;
        let text = String::from_utf8_lossy(&bytes);
        Ok((revision_of(&bytes), steward_model::parse(&text, &path)?))
    }

    /// The assembled product, rebuilt when what it is assembled from changed.
    pub fn assembled(&self, ws: &Workspace, id: &str, secrets: &dyn SecretStore) -> Result<Assembled, AppError> {
        let (_, def) = self.definition(ws, id)?;
        self.assembled_at(ws, id, &assembly_revision(&def), &def, secrets)
    }

    fn assembled_at(
        &self,
        ws: &Workspace,
        id: &str,
        revision: &str,
        def: &ProductDefinition,
        secrets: &dyn SecretStore,
    ) -> Result<Assembled, AppError> {
        if let Some(a) = cached(&self.products, &id.to_string(), revision) {
            return Ok(a);
        }
        let a = crate::assemble_product(ws, def, secrets)?;
        keep(&self.products, id.to_string(), revision.to_string(), a.clone())?;
        Ok(a)
    }

    /// The product's tables collected and indexed by the root's key: built on the first 360
    /// view, privacy report or page after the product's structure changed, and kept while it
    /// holds (an edit of masking rules or quality rules keeps it).
    pub fn lookup(&self, ws: &Workspace, id: &str, secrets: &dyn SecretStore) -> Result<Arc<Lookup>, AppError> {
        let (_, def) = self.definition(ws, id)?;
        self.lookup_at(ws, id, &assembly_revision(&def), &def, secrets)
    }

    /// Builds the product's index ahead of need (a front-end calls it in the background after
    /// the first page): nothing when it is built already or another call is building it.
    pub fn prepare_lookup(&self, ws: &Workspace, id: &str, secrets: &dyn SecretStore) -> Result<(), AppError> {
        if !self.preparing.lock().map_err(|_| poisoned())?.insert(id.to_string()) {
            return Ok(());
        }
        let built = self.lookup(ws, id, secrets).map(|_| ());
        self.preparing.lock().map_err(|_| poisoned())?.remove(id);
        built
    }

    fn lookup_at(
        &self,
        ws: &Workspace,
        id: &str,
        revision: &str,
        def: &ProductDefinition,
        secrets: &dyn SecretStore,
    ) -> Result<Arc<Lookup>, AppError> {
        if let Some(l) = cached(&self.lookups, &id.to_string(), revision) {
            return Ok(l);
        }
        let a = self.assembled_at(ws, id, revision, def, secrets)?;
        let l = Arc::new(Lookup::build(&a)?);
        keep(&self.lookups, id.to_string(), revision.to_string(), l.clone())?;
        Ok(l)
    }

    /// Rows of the product: a page of the product table, or one entity's rows of one table.
    pub fn rows(
        &self,
        ws: &Workspace,
        id: &str,
        query: &RowsQuery,
        secrets: &dyn SecretStore,
    ) -> Result<DataFrame, AppError> {
        match query {
            RowsQuery::Page { offset, limit } => {
                let (_, def) = self.definition(ws, id)?;
                let revision = assembly_revision(&def);
                let a = self.assembled_at(ws, id, &revision, &def, secrets)?;
                // From the index once it is built; until then straight from the sources, so the
                // first page after opening a product does not wait for every table.
                match cached(&self.lookups, &id.to_string(), &revision) {
                    Some(l) => Ok(l.product_page(&a, i64::from(*offset), *limit)?),
                    None => Ok(a.product_page(i64::from(*offset), *limit)?),
                }
            }
            RowsQuery::Entity { key, table } => {
                let view = self.lookup(ws, id, secrets)?.entity_360(key)?;
                match table {
                    TableRef::Entity => Ok(view.entity),
                    TableRef::Related(name) => {
                        let have: Vec<String> = view.related.iter().map(|(n, _)| n.clone()).collect();
                        view.related.into_iter().find(|(n, _)| n == name).map(|(_, df)| df).ok_or_else(|| {
                            AppError::InvalidInput(format!(
                                "table: `{name}` is not a table of {id}; it has: {}",
                                std::iter::once(TableRef::Entity.name().to_string())
                                    .chain(have)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                        })
                    }
                }
            }
        }
    }

    /// The product's quality rules evaluated on its assembled tables.
    pub fn quality(&self, ws: &Workspace, id: &str, secrets: &dyn SecretStore) -> Result<Vec<RuleResult>, AppError> {
        let (_, def) = self.definition(ws, id)?;
        let a = self.assembled_at(ws, id, &assembly_revision(&def), &def, secrets)?;
        Ok(a.evaluate_quality(&def.quality)?)
    }

    /// One column of one table of the product, profiled over all its rows.
    pub fn profile_column(
        &self,
        ws: &Workspace,
        id: &str,
        table: &TableRef,
        column: &str,
        secrets: &dyn SecretStore,
    ) -> Result<steward_profile::ColumnProfile, AppError> {
        let a = self.assembled(ws, id, secrets)?;
        crate::profile_product_column(&a, table.name(), column)
    }

    /// The product masked with `profile`, rebuilt when the definition or the workspace's
    /// accepted tags changed.
    pub fn masked(
        &self,
        ws: &Workspace,
        id: &str,
        profile: &str,
        secrets: &dyn SecretStore,
    ) -> Result<(ProductDefinition, Arc<MaskedTables>), AppError> {
        let (revision, def) = self.definition(ws, id)?;
        let manifest = std::fs::read(ws.manifest_path()).map(|b| revision_of(&b)).unwrap_or_default();
        let stamp = format!("{revision}+{manifest}");
        let key = (id.to_string(), profile.to_string());
        if let Some(m) = cached(&self.masked, &key, &stamp) {
            return Ok((def, m));
        }
        let assembly = assembly_revision(&def);
        let a = self.assembled_at(ws, id, &assembly, &def, secrets)?;
        let p = crate::masking_profile(&def, profile)?;
        let masking_key = crate::masking_key(secrets, &def.metadata.name, p.key_version.unwrap_or(1))?;
        // The tables are collected once per structure: a rule edit masks them again, nothing more.
        let originals = self.lookup_at(ws, id, &assembly, &def, secrets)?.tables();
        let m = Arc::new(crate::masking::mask_collected(ws, &def, &a, originals, profile, &masking_key)?);
        keep(&self.masked, key, stamp, m.clone())?;
        Ok((def, m))
    }

    /// Relationship suggestions across the workspace's sources, kept until `steward.yaml` or any
    /// source file changes. Source files are too large to hash on every visit: they are known by
    /// their size and modification time instead (a PostgreSQL table is read again each time).
    pub fn relations(
        &self,
        ws: &Workspace,
        secrets: &dyn SecretStore,
        progress: &mut dyn FnMut(usize, usize, &str) -> bool,
    ) -> Result<Arc<crate::RelationsReport>, AppError> {
        let mut stamp = std::fs::read(ws.manifest_path()).map(|b| revision_of(&b)).unwrap_or_default();
        let mut stable = true;
        for src in ws.sources() {
            match std::fs::metadata(ws.source_path(src)) {
                Ok(m) if src.connection.is_none() => {
                    let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
                    stamp.push_str(&format!("|{}:{}:{:?}", src.id, m.len(), modified));
                }
                _ => stable = false,
            }
        }
        if stable {
            if let Some(r) = cached(&self.relations, &(), &stamp) {
                return Ok(r);
            }
        }
        let r = Arc::new(crate::relations_with_progress(ws, secrets, progress)?);
        if stable {
            keep(&self.relations, (), stamp, r.clone())?;
        }
        Ok(r)
    }

    /// Masks the product with `profile` (or reuses that masking) and measures it.
    pub fn privacy_report(
        &self,
        ws: &Workspace,
        id: &str,
        profile: &str,
        quasi: Option<&[String]>,
        sensitive: Option<&str>,
        secrets: &dyn SecretStore,
    ) -> Result<PrivacyReport, AppError> {
        let (def, masked) = self.masked(ws, id, profile, secrets)?;
        let assembly = assembly_revision(&def);
        let memo = match cached(&self.memos, &id.to_string(), &assembly) {
            Some(m) => m,
            None => {
                let m = Arc::new(crate::coverage::MeasureMemo::default());
                keep(&self.memos, id.to_string(), assembly, m.clone())?;
                m
            }
        };
        crate::masking::measure_with(ws, &def, profile, &masked, quasi, sensitive, Some(&memo))
    }

    /// The first `limit` rows of one table, masked — or the original values of chosen columns.
    #[allow(clippy::too_many_arguments)]
    pub fn masked_rows(
        &self,
        ws: &Workspace,
        id: &str,
        profile: &str,
        table: &TableRef,
        side: &Side,
        limit: usize,
        secrets: &dyn SecretStore,
    ) -> Result<DataFrame, AppError> {
        let (_, masked) = self.masked(ws, id, profile, secrets)?;
        let (_, original, m) = masked.tables.iter().find(|(t, _, _)| t == table.name()).ok_or_else(|| {
            let have: Vec<&str> = masked.tables.iter().map(|(t, _, _)| t.as_str()).collect();
            AppError::InvalidInput(format!("table: no table `{}`; the product has: {}", table.name(), have.join(", ")))
        })?;
        match side {
            Side::Masked => Ok(m.head(Some(limit))),
            Side::Original { columns } => Ok(original
                .select(columns.iter().map(String::as_str))
                .map_err(|e| AppError::InvalidInput(format!("columns: {e}")))?
                .head(Some(limit))),
        }
    }

    /// The originals of values masked with a reversible rule, for a holder of the masking key.
    #[allow(clippy::too_many_arguments)]
    pub fn reveal(
        &self,
        ws: &Workspace,
        id: &str,
        profile: &str,
        field: &str,
        values: &[String],
        key_version: Option<u32>,
        secrets: &dyn SecretStore,
    ) -> Result<Vec<String>, AppError> {
        let (_, def) = self.definition(ws, id)?;
        let a = self.assembled_at(ws, id, &assembly_revision(&def), &def, secrets)?;
        crate::reveal_values(ws, &def, &a, profile, field, values, secrets, key_version)
    }
}
