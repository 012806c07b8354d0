//! Pages of a source at any offset, for grids that scroll through every row. Parquet, Arrow
//! files, SQLite and PostgreSQL read a page where it lies; other formats (CSV, JSON lines, Excel)
//! can only reach a later page by reading the whole file, so the rows read are kept — for the
//! two sources paged last, and only while their file is unchanged.

use std::sync::Mutex;
use std::time::SystemTime;

use polars::prelude::DataFrame;

use crate::targets::Target;
use crate::AppError;

/// Sources kept whole at once: a steward pages through one, perhaps comparing it with another.
const KEPT: usize = 2;

/// A file's length and modification time: a rewritten file is read again.
type Stamp = Option<(u64, SystemTime)>;

struct Kept {
    source: String,
    stamp: Stamp,
    /// The columns kept as text when it was read: changing them reads the source again.
    keep_text: Vec<String>,
    rows: DataFrame,
}

/// Pages of sources, keeping those read whole (see the module docs).
#[derive(Default)]
pub struct SourcePages {
    kept: Mutex<Vec<Kept>>,
    /// Held while a source is read whole: a grid asks for two pages at once, and the second
    /// waits for the first's read instead of reading the file again.
    reading: Mutex<()>,
}

fn stamp(path: &std::path::Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

impl SourcePages {
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows `offset .. offset + limit` of source `source_id`, read through `target`.
    pub fn page(&self, source_id: &str, target: &Target, offset: usize, limit: usize) -> Result<DataFrame, AppError> {
        let limit = limit.min(steward_sources::MAX_PREVIEW_ROWS);
        let loc = match target {
            Target::File(loc) if offset > 0 && !steward_sources::pages_in_place(loc)? => loc,
            _ => return Ok(target.page(offset, limit)?),
        };
        let now = stamp(&loc.path);
        let stopped = || AppError::InvalidInput("source pages: a reader stopped".into());
        let kept_page = || -> Result<Option<DataFrame>, AppError> {
            let kept = self.kept.lock().map_err(|_| stopped())?;
            Ok(kept
                .iter()
                .find(|k| k.source == source_id && k.stamp == now && now.is_some() && k.keep_text == loc.keep_text)
                .map(|k| k.rows.slice(offset as i64, limit)))
        };
        if let Some(page) = kept_page()? {
            return Ok(page);
        }
        let _reading = self.reading.lock().map_err(|_| stopped())?;
        if let Some(page) = kept_page()? {
            return Ok(page);
        }
        let rows = target.load()?;
        tracing::debug!(source = source_id, rows = rows.height(), "source kept for paging");
        let page = rows.slice(offset as i64, limit);
        let mut kept = self.kept.lock().map_err(|_| stopped())?;
        kept.retain(|k| k.source != source_id);
        kept.push(Kept { source: source_id.to_string(), stamp: now, keep_text: loc.keep_text.clone(), rows });
        if kept.len() > KEPT {
            kept.remove(0);
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_sources::Location;

    fn csv(dir: &std::path::Path, rows: usize) -> Target {
        let path = dir.join("big.csv");
        let mut text = String::from("id,name\n");
        for i in 0..rows {
            text.push_str(&format!("{i},n{i}\n"));
        }
        std::fs::write(&path, text).unwrap();
        Target::File(Location { path, ..Default::default() })
    }

    #[test]
    fn pages_reach_every_row_and_follow_a_rewritten_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = csv(dir.path(), 2_500);
        let pages = SourcePages::new();
        let first = pages.page("big", &target, 0, 1000).unwrap();
        assert_eq!(first.height(), 1000);
        let last = pages.page("big", &target, 2_000, 1000).unwrap();
        assert_eq!(last.height(), 500, "the last page holds what is left");
        assert_eq!(last.column("id").unwrap().get(0).unwrap().extract::<i64>(), Some(2_000));
        assert_eq!(pages.page("big", &target, 9_000, 1000).unwrap().height(), 0, "past the end: no rows");
        // The file is rewritten (longer): the kept rows are not served again.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let target = csv(dir.path(), 3_000);
        assert_eq!(pages.page("big", &target, 2_000, 1000).unwrap().height(), 1000);
    }
}
