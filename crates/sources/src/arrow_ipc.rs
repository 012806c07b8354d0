//! Previews travel to the desktop grid as Arrow IPC (file format) bytes, not as JSON rows.

use polars::prelude::*;

use crate::SourceError;

/// Encodes `df` as uncompressed Arrow IPC using the classic (non-view) string layout, which every
/// Arrow reader, including the one in the desktop UI, understands.
pub fn to_arrow_ipc(df: &mut DataFrame, origin: &std::path::Path) -> Result<Vec<u8>, SourceError> {
    let mut buf = Vec::with_capacity(df.estimated_size() + 4096);
    IpcWriter::new(&mut buf)
        .with_compat_level(CompatLevel::oldest())
        .with_compression(None)
        .finish(df)
        .map_err(|e| SourceError::Encode { path: origin.to_path_buf(), message: e.to_string() })?;
    Ok(buf)
}
