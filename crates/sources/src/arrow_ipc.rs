//! Previews travel to the desktop grid as Arrow IPC (file format) bytes, not as JSON rows.

use std::sync::Arc;

use polars::prelude::*;

use crate::SourceError;
use steward_display::grid_frame;

/// Schema metadata key holding the JSON list of each column's type label.
pub const TYPES_METADATA_KEY: &str = "steward:types";

/// Encodes `df` for a grid as uncompressed Arrow IPC using the classic (non-view) string layout,
/// which every Arrow reader, including the one in the desktop UI, understands. Values an Arrow
/// reader would show differently from the CLI travel as the CLI's text ([`grid_frame`]); each
/// column's type label travels in the schema metadata under [`TYPES_METADATA_KEY`].
pub fn to_arrow_ipc(df: &mut DataFrame, origin: &std::path::Path) -> Result<Vec<u8>, SourceError> {
    let encode = |message: String| SourceError::Encode { path: origin.to_path_buf(), message };
    let (mut grid, labels) = grid_frame(df).map_err(|e| encode(e.to_string()))?;
    let labels = serde_json::to_string(&labels).map_err(|e| encode(e.to_string()))?;
    let mut metadata = std::collections::BTreeMap::<PlSmallStr, PlSmallStr>::new();
    metadata.insert(TYPES_METADATA_KEY.into(), labels.into());
    let mut buf = Vec::with_capacity(grid.estimated_size() + 4096);
    let mut writer = IpcWriter::new(&mut buf).with_compat_level(CompatLevel::oldest()).with_compression(None);
    writer.set_custom_schema_metadata(Arc::new(metadata));
    writer.finish(&mut grid).map_err(|e| encode(e.to_string()))?;
    Ok(buf)
}
