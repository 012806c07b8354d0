//! Finding and loading product definitions, once for every front-end: a product of a workspace
//! by id, a definition file anywhere (its workspace found by walking up from it, like git), and
//! the checks a definition must pass without data before it is saved, published or served.

use std::path::{Path, PathBuf};

use steward_model::{ProductDefinition, Severity};
use steward_workspace::Workspace;

use crate::{product_path, AppError};

/// Reads and parses a definition file; errors name the file and line.
pub fn load_definition(path: &Path) -> Result<ProductDefinition, AppError> {
    Ok(steward_model::load(path)?)
}

/// The definition file of product `id` of `ws`, which must exist.
pub fn existing_product_file(ws: &Workspace, id: &str) -> Result<PathBuf, AppError> {
    crate::check_id("product", id)?;
    let path = product_path(ws, id);
    if !path.is_file() {
        return Err(AppError::ProductNotFound(format!("{}: no such product definition", path.display())));
    }
    Ok(path)
}

/// Product `id` of `ws`, parsed.
pub fn product_definition(ws: &Workspace, id: &str) -> Result<ProductDefinition, AppError> {
    load_definition(&existing_product_file(ws, id)?)
}

/// The workspace a file belongs to: the nearest folder at or above it holding `steward.yaml`.
pub fn workspace_root_of(file: &Path) -> Option<PathBuf> {
    let abs = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    abs.ancestors().skip(1).find(|d| d.join(steward_workspace::MANIFEST_FILE).is_file()).map(Path::to_path_buf)
}

/// A definition file and the workspace it reads from: `workspace` when given, else the one
/// found above the file. A file in no workspace is refused, naming the file and how to make one.
pub fn open_definition(file: &Path, workspace: Option<&Path>) -> Result<(Workspace, ProductDefinition), AppError> {
    let def = load_definition(file)?;
    let root = match workspace {
        Some(w) => w.to_path_buf(),
        None => workspace_root_of(file).ok_or_else(|| {
            AppError::InvalidInput(format!(
                "{}: not inside a Steward workspace (no steward.yaml in its folder or above it): pass --workspace DIR, or create one with `steward workspace init DIR`",
                file.display()
            ))
        })?,
    };
    Ok((Workspace::open(&root)?, def))
}

/// What can be found wrong with `def` without reading data: errors and warnings.
pub fn definition_issues(def: &ProductDefinition) -> Vec<steward_model::Issue> {
    steward_model::check(def)
}

/// Every problem of `def` that needs no data — its structure, names, joins and its masking rules
/// against the catalog — as one refusal naming each, or `Ok` when none is an error.
pub fn check_definition(def: &ProductDefinition) -> Result<(), AppError> {
    let errors: Vec<String> = steward_model::check(def)
        .into_iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| i.to_string())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::InvalidDefinition(format!("{}: {}", def.metadata.name, errors.join("; "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn a_file_finds_its_workspace_by_walking_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        Workspace::init(dir.path(), "walk").expect("init");
        let deep = dir.path().join("products").join("drafts");
        std::fs::create_dir_all(&deep).expect("mkdir");
        let file = deep.join("p.yaml");
        std::fs::write(&file, "x").expect("write");
        let found = workspace_root_of(&file).expect("found");
        assert_eq!(found, dir.path().canonicalize().expect("canonical"));
    }

    #[test]
    fn a_file_outside_any_workspace_is_refused_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("lonely.yaml");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products/customer360.yaml");
        std::fs::copy(sample, &file).expect("copy");
        let e = open_definition(&file, None).expect_err("no workspace");
        assert!(e.to_string().contains("lonely.yaml") && e.to_string().contains("steward workspace init"), "{e}");
    }

    #[test]
    fn a_missing_product_is_not_found_and_a_bad_id_is_invalid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::init(dir.path(), "ids").expect("init");
        assert_eq!(existing_product_file(&ws, "nope").expect_err("missing").code(), "product.not_found");
        assert_eq!(existing_product_file(&ws, "../etc").expect_err("bad").code(), "app.invalid_input");
    }
}
