//! Editing product definitions from the modeller: open a definition with its revision and canvas
//! layout, save an edit atomically unless the file changed underneath (an edit made outside the
//! app wins and is reloaded, never overwritten), create a product, and notice outside edits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use steward_model::ProductDefinition;
use steward_workspace::{write_atomic, Workspace};

use crate::{product_path, AppError, PRODUCTS_DIR};

/// Where a node sits on the modeller's canvas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    pub x: f64,
    pub y: f64,
}

/// Node positions by node id (`entity`, `related:orders`, `reference:country`). Kept in the
/// workspace's hidden state, not in the definition: moving a box is not a change to the product.
pub type Layout = BTreeMap<String, Position>;

/// A definition as opened for editing.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDocument {
    /// Identifies the file's content; a save names the revision it was based on.
    pub revision: String,
    pub definition: ProductDefinition,
    pub layout: Layout,
}

/// The revision of a definition file's bytes (FNV-1a, 64 bits, as hex). Stable across runs and
/// builds, so the UI can tell its own saves from edits made elsewhere.
pub fn revision_of(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn read(path: &Path) -> Result<String, AppError> {
    std::fs::read_to_string(path)
        .map_err(|source| AppError::Model(steward_model::ModelError::Io { path: path.to_path_buf(), source }))
}

fn layout_path(ws: &Workspace, id: &str) -> PathBuf {
    ws.state_dir().join("layout").join(format!("{id}.json"))
}

/// Opens product `id` for editing.
pub fn open_product(ws: &Workspace, id: &str) -> Result<ProductDocument, AppError> {
    let path = product_path(ws, id);
    let text = read(&path)?;
    let definition = steward_model::parse(&text, &path)?;
    // A layout that cannot be read is only a layout: the canvas lays the model out again.
    let layout = std::fs::read(layout_path(ws, id))
        .ok()
        .and_then(|b| match serde_json::from_slice(&b) {
            Ok(l) => Some(l),
            Err(e) => {
                tracing::warn!(product = id, "ignoring unreadable canvas layout: {e}");
                None
            }
        })
        .unwrap_or_default();
    Ok(ProductDocument { revision: revision_of(text.as_bytes()), definition, layout })
}

/// Saves an edit of product `id` made on top of revision `base`, atomically, keeping the
/// file's leading comments. Refuses with `model.conflict` when the file no longer is `base`
/// (someone edited it outside the app): the caller reloads instead of overwriting that edit.
/// Returns the new revision.
pub fn save_product(ws: &Workspace, id: &str, def: &ProductDefinition, base: &str) -> Result<String, AppError> {
    let path = product_path(ws, id);
    let current = read(&path)?;
    if revision_of(current.as_bytes()) != base {
        return Err(AppError::Conflict(format!(
            "{}: changed outside Steward since it was opened; reload it to keep both",
            path.display()
        )));
    }
    let text = steward_model::to_yaml_replacing(def, &current);
    if text != current {
        write_atomic(&path, text.as_bytes())?;
        tracing::debug!(product = id, "saved definition");
    }
    Ok(revision_of(text.as_bytes()))
}

/// Creates product `id` from `def`; refuses to replace an existing file.
pub fn create_product(ws: &Workspace, id: &str, def: &ProductDefinition) -> Result<String, AppError> {
    let path = product_path(ws, id);
    if path.exists() {
        return Err(AppError::InvalidInput(format!("{}: a product with this id already exists", path.display())));
    }
    // A workspace's first product makes its products folder.
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| {
            AppError::Workspace(steward_workspace::WorkspaceError::Io { path: dir.to_path_buf(), source })
        })?;
    }
    let text = steward_model::to_yaml(def);
    write_atomic(&path, text.as_bytes())?;
    Ok(revision_of(text.as_bytes()))
}

/// Saves where the canvas's nodes are.
pub fn save_layout(ws: &Workspace, id: &str, layout: &Layout) -> Result<(), AppError> {
    let path = layout_path(ws, id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| {
            AppError::Workspace(steward_workspace::WorkspaceError::Io { path: dir.to_path_buf(), source })
        })?;
    }
    let bytes = serde_json::to_vec_pretty(layout).map_err(|e| AppError::InvalidInput(e.to_string()))?;
    write_atomic(&path, &bytes)?;
    Ok(())
}

/// The revision of every `products/*.yaml`, by product id: polled to notice outside edits.
pub fn product_revisions(ws: &Workspace) -> BTreeMap<String, String> {
    let dir = ws.root().join(PRODUCTS_DIR);
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            if !path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                return None;
            }
            let id = path.file_stem()?.to_str()?.to_string();
            let bytes = std::fs::read(&path).ok()?;
            Some((id, revision_of(&bytes)))
        })
        .collect()
}

/// What changed between two snapshots of [`product_revisions`]: ids added, edited or removed.
pub fn changed_products(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut out: Vec<String> =
        after.iter().filter(|(id, rev)| before.get(*id) != Some(rev)).map(|(id, _)| id.clone()).collect();
    out.extend(before.keys().filter(|id| !after.contains_key(*id)).cloned());
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
        std::fs::create_dir_all(dir.path().join("products")).unwrap();
        std::fs::copy(sample.join("steward.yaml"), dir.path().join("steward.yaml")).unwrap();
        std::fs::copy(sample.join("products/customer360.yaml"), dir.path().join("products/customer360.yaml")).unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        (dir, ws)
    }

    #[test]
    fn an_edit_is_saved_and_reopens_with_its_comments() {
        let (_d, ws) = workspace();
        let doc = open_product(&ws, "customer360").unwrap();
        let mut def = doc.definition.clone();
        def.entity.fields[1].rename = Some("given_name".into());
        let rev = save_product(&ws, "customer360", &def, &doc.revision).unwrap();
        assert_ne!(rev, doc.revision);
        let again = open_product(&ws, "customer360").unwrap();
        assert_eq!(again.definition, def);
        assert_eq!(again.revision, rev);
        let text = std::fs::read_to_string(product_path(&ws, "customer360")).unwrap();
        assert!(text.starts_with("# Customer 360"), "{text}");
        assert!(text.contains("- { column: first_name, as: given_name, type: str }"), "{text}");
    }

    #[test]
    fn an_outside_edit_is_never_overwritten() {
        let (_d, ws) = workspace();
        let doc = open_product(&ws, "customer360").unwrap();
        let path = product_path(&ws, "customer360");
        let outside = std::fs::read_to_string(&path).unwrap().replace("version: 1.0.0", "version: 1.1.0");
        std::fs::write(&path, &outside).unwrap();
        let before = product_revisions(&ws);
        let err = save_product(&ws, "customer360", &doc.definition, &doc.revision).unwrap_err();
        assert_eq!(err.code(), "model.conflict");
        assert!(err.to_string().contains("customer360.yaml: changed outside Steward"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), outside);
        assert!(changed_products(&before, &product_revisions(&ws)).is_empty());
        let mut def = doc.definition;
        def.metadata.version = "2.0.0".into();
        std::fs::write(&path, steward_model::to_yaml(&def)).unwrap();
        assert_eq!(changed_products(&before, &product_revisions(&ws)), ["customer360"]);
    }

    #[test]
    fn layout_round_trips_and_a_broken_one_is_ignored() {
        let (_d, ws) = workspace();
        let layout = Layout::from([("entity".to_string(), Position { x: 10.0, y: -4.5 })]);
        save_layout(&ws, "customer360", &layout).unwrap();
        assert_eq!(open_product(&ws, "customer360").unwrap().layout, layout);
        std::fs::write(layout_path(&ws, "customer360"), "{not json").unwrap();
        assert!(open_product(&ws, "customer360").unwrap().layout.is_empty());
    }

    #[test]
    fn creating_never_replaces_a_product() {
        let (_d, ws) = workspace();
        let def = open_product(&ws, "customer360").unwrap().definition;
        let err = create_product(&ws, "customer360", &def).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        create_product(&ws, "copy", &def).unwrap();
        assert_eq!(open_product(&ws, "copy").unwrap().definition, def);
    }
}
