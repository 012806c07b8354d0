//! `steward workspace`: making a folder a workspace.

use std::path::Path;

use crate::args::Format;
use crate::render::to_json;
use crate::CliError;

pub(crate) fn init(dir: &Path, name: Option<&str>, format: Format) -> Result<String, CliError> {
    let ws = steward_app::init_workspace(dir, name)?;
    if format == Format::Json {
        return to_json(
            &serde_json::json!({ "workspace": ws.root(), "name": ws.name(), "manifest": ws.manifest_path() }),
        );
    }
    Ok(format!(
        "created workspace `{}`: {}\nnext: steward sources add FILE --workspace {}\n",
        ws.name(),
        ws.manifest_path().display(),
        dir.display()
    ))
}
