//! Profiling, sensitive-data classification and relationship discovery over workspace sources.

use crate::ErrorCode;
use std::collections::BTreeMap;

use polars::prelude::*;
use serde::Serialize;
use steward_classify::{PiiTag, Suggestion};
use steward_profile::{ColumnProfile, RelationSuggestion};
use steward_workspace::{ColumnTags, Workspace};

use steward_secrets::SecretStore;

use crate::{target, target_of, AppError};

fn load(ws: &Workspace, source_id: &str, secrets: &dyn SecretStore) -> Result<DataFrame, AppError> {
    Ok(target(ws, source_id, secrets)?.load()?)
}

/// Profiles every column of a source. `progress(done, total)` after each column; `false` cancels.
pub fn profile(
    ws: &Workspace,
    source_id: &str,
    secrets: &dyn SecretStore,
    progress: impl FnMut(usize, usize) -> bool,
) -> Result<Vec<ColumnProfile>, AppError> {
    let df = load(ws, source_id, secrets)?;
    steward_profile::profile(&df, progress).map_err(|error| AppError::Profile { source_id: source_id.into(), error })
}

/// Profiles every column of rows read from `label` (a file or database table).
pub fn profile_frame(df: &DataFrame, label: &std::path::Path) -> Result<Vec<ColumnProfile>, AppError> {
    steward_profile::profile(df, |_, _| true)
        .map_err(|error| AppError::Profile { source_id: label.display().to_string(), error })
}

/// Profiles one column of a frame, for a grid's "profile this column" on demand. `owner` names
/// the source or product table in errors.
pub fn profile_frame_column(frame: &DataFrame, column: &str, owner: &str) -> Result<ColumnProfile, AppError> {
    let Ok(c) = frame.column(column) else {
        let have: Vec<&str> = frame.get_column_names().iter().map(|s| s.as_str()).collect();
        return Err(AppError::InvalidInput(format!("{owner}: no column `{column}`; it has: {}", have.join(", "))));
    };
    let one = DataFrame::new(frame.height(), vec![c.clone()])
        .map_err(|e| AppError::InvalidInput(format!("{owner}.{column}: {e}")))?;
    steward_profile::profile(&one, |_, _| true)
        .map_err(|error| AppError::Profile { source_id: owner.to_string(), error })?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::InvalidInput(format!("{owner}.{column}: nothing to profile")))
}

/// Profiles one column of a source.
pub fn profile_column(
    ws: &Workspace,
    source_id: &str,
    column: &str,
    secrets: &dyn SecretStore,
) -> Result<ColumnProfile, AppError> {
    let df = load(ws, source_id, secrets)?;
    profile_frame_column(&df, column, source_id)
}

/// A column, what Steward suggests it holds, and what the steward decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnClassification {
    pub column: String,
    pub dtype: String,
    pub suggestion: Option<Suggestion>,
    pub accepted: Vec<String>,
    pub rejected: Vec<String>,
}

/// Up to `n` non-null values of a column as text, spread evenly over its rows.
fn sample(c: &Column, n: usize) -> Vec<String> {
    let non_null = c.len() - c.null_count();
    if non_null == 0 {
        return vec![];
    }
    let step = (c.len() / n.max(1)).max(1);
    let mut out = Vec::with_capacity(n.min(non_null));
    let mut i = 0;
    while i < c.len() && out.len() < n {
        if let Ok(v) = c.get(i) {
            if !v.is_null() {
                out.push(v.str_value().into_owned());
            }
        }
        i += step;
    }
    out
}

/// Suggests what personal data each column of a source holds, next to the saved decisions.
pub fn classify(
    ws: &Workspace,
    source_id: &str,
    secrets: &dyn SecretStore,
) -> Result<Vec<ColumnClassification>, AppError> {
    let df = load(ws, source_id, secrets)?;
    Ok(classify_frame(&df, &ws.source(source_id)?.classifications))
}

/// Suggestions for every column of a frame, next to decisions already taken.
pub fn classify_frame(df: &DataFrame, saved: &BTreeMap<String, ColumnTags>) -> Vec<ColumnClassification> {
    df.columns()
        .iter()
        .map(|c| {
            // Values are only evidence where they are text, whole numbers or dates: a date's digits
            // are not a phone number, and neither are an amount's.
            let dtype = c.dtype();
            let is_date = matches!(dtype, DataType::Date | DataType::Datetime(_, _));
            let text_like = matches!(dtype, DataType::String | DataType::Categorical(..) | DataType::Enum(..))
                || (dtype.is_integer() && !matches!(dtype, DataType::Int128 | DataType::UInt128));
            let values = if text_like || is_date { sample(c, steward_classify::SAMPLE_SIZE) } else { vec![] };
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            let suggestion = steward_classify::classify_column(c.name(), &refs, is_date)
                .into_iter()
                .find(|s| !is_date || s.tag == steward_classify::PiiTag::BirthDate);
            let tags = saved.get(c.name().as_str()).cloned().unwrap_or_else(ColumnTags::default);
            ColumnClassification {
                column: c.name().to_string(),
                dtype: c.dtype().to_string(),
                suggestion,
                accepted: tags.accepted,
                rejected: tags.rejected,
            }
        })
        .collect()
}

/// Saves the steward's decision on a tag for a column, after checking both exist.
pub fn decide(
    ws: &mut Workspace,
    source_id: &str,
    column: &str,
    tag: &str,
    accepted: bool,
    secrets: &dyn SecretStore,
) -> Result<(), AppError> {
    let tag: PiiTag = tag.parse().map_err(AppError::InvalidInput)?;
    let inspection = target(ws, source_id, secrets)?.inspect()?;
    if !inspection.columns.iter().any(|c| c.name == column) {
        let names: Vec<&str> = inspection.columns.iter().map(|c| c.name.as_str()).collect();
        return Err(AppError::InvalidInput(format!("{source_id}: no column `{column}`; it has: {}", names.join(", "))));
    }
    ws.set_classification(source_id, column, tag.as_str(), accepted)?;
    Ok(())
}

/// A source left out of relationship discovery because it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkippedSource {
    pub source_id: String,
    #[cfg_attr(feature = "ts", ts(type = "ErrorCode"))]
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RelationsReport {
    pub suggestions: Vec<RelationSuggestion>,
    pub skipped: Vec<SkippedSource>,
}

/// Suggests join keys between every pair of the workspace's sources.
pub fn relations(ws: &Workspace, secrets: &dyn SecretStore) -> Result<RelationsReport, AppError> {
    relations_with_progress(ws, secrets, &mut |_, _, _| true)
}

/// [`relations`], reporting `(sources done, sources, what is being read)` as it reads; returning
/// `false` stops it with `profile.cancelled`. Each source is read one column at a time into a
/// summary of its keys (Parquet and Arrow through lazy scans), so memory follows the largest
/// column, not the workspace.
pub fn relations_with_progress(
    ws: &Workspace,
    secrets: &dyn SecretStore,
    progress: &mut dyn FnMut(usize, usize, &str) -> bool,
) -> Result<RelationsReport, AppError> {
    let sources = ws.sources();
    let total = sources.len();
    let mut summaries = vec![];
    let mut skipped = vec![];
    for (i, src) in sources.iter().enumerate() {
        let scanned = target_of(ws, src, secrets).and_then(|t| Ok(t.scan()?)).and_then(|lf| {
            let mut each =
                |done: usize, columns: usize| progress(i, total, &format!("{}: column {done} of {columns}", src.id));
            steward_profile::summarize(&src.id, lf, &mut each)
                .map_err(|error| AppError::Profile { source_id: src.id.clone(), error })
        });
        match scanned {
            Ok(summary) => summaries.push((summary, src)),
            Err(e) if e.code() == "profile.cancelled" => return Err(e),
            Err(e) => {
                skipped.push(SkippedSource { source_id: src.id.clone(), code: e.code().into(), message: e.to_string() })
            }
        }
    }
    // Composite keys: the sources with both columns of a candidate pair are read once more.
    let wanted = steward_profile::wanted_pairs(&summaries.iter().map(|(s, _)| s).collect::<Vec<_>>());
    for (summary, src) in summaries.iter_mut() {
        if !steward_profile::needs_pairs(summary, &wanted) {
            continue;
        }
        if !progress(total, total, &format!("{}: composite keys", src.id)) {
            return Err(AppError::Profile {
                source_id: src.id.clone(),
                error: steward_profile::ProfileError::Cancelled,
            });
        }
        let lf = target_of(ws, src, secrets)?.scan()?;
        steward_profile::summarize_pairs(summary, &lf, &wanted)
            .map_err(|error| AppError::Profile { source_id: src.id.clone(), error })?;
    }
    progress(total, total, "comparing");
    let summaries: Vec<_> = summaries.into_iter().map(|(s, _)| s).collect();
    Ok(RelationsReport { suggestions: steward_profile::discover(&summaries), skipped })
}
