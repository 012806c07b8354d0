//! The desktop grid shows every type's values exactly as the CLI prints them. This writes the
//! all-types table as the grid receives it (`ui/src/fixtures/all-types.arrow`) beside the texts
//! the CLI prints for it (`all-types.expected.json`); the UI's tests decode the bytes and compare.
//! Both files are checked for staleness; `make bindings` regenerates them.

use std::path::Path;

use polars::prelude::*;
use steward_sources::display::{cell_text, type_label};

fn expected(df: &DataFrame) -> serde_json::Value {
    let columns: Vec<serde_json::Value> = df
        .columns()
        .iter()
        .map(|c| {
            let related_rows =
                matches!(c.dtype(), DataType::List(inner) if matches!(inner.as_ref(), DataType::Struct(_)));
            let cells: Vec<Option<String>> = c
                .as_materialized_series()
                .iter()
                .map(|v| match (&v, related_rows) {
                    // The grid summarises lists of rows by their count; the 360 view shows them.
                    (AnyValue::List(s), true) => {
                        Some(format!("{} row{}", s.len(), if s.len() == 1 { "" } else { "s" }))
                    }
                    _ => cell_text(&v),
                })
                .collect();
            serde_json::json!({ "name": c.name().as_str(), "type": type_label(c.dtype()), "cells": cells })
        })
        .collect();
    serde_json::json!({ "rows": df.height(), "columns": columns })
}

fn fresh(path: &Path, want: &[u8]) {
    if std::env::var_os("STEWARD_UPDATE_BINDINGS").is_some() {
        std::fs::write(path, want).unwrap();
    }
    let have = std::fs::read(path).unwrap_or_default();
    assert!(have == want, "{} is stale: run `make bindings` and commit the result", path.display());
}

#[test]
fn the_grid_fixture_of_every_type_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/fixtures");
    let mut df = steward_samplegen::all_types_frame().unwrap();
    let bytes = steward_sources::to_arrow_ipc(&mut df, Path::new("types.parquet")).unwrap();
    let mut text = serde_json::to_string_pretty(&expected(&df)).unwrap();
    text.push('\n');
    fresh(&dir.join("all-types.expected.json"), text.as_bytes());
    fresh(&dir.join("all-types.arrow"), &bytes);
}
