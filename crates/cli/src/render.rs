//! How answers print: aligned tables and cells for people, JSON for scripts, CSV where asked,
//! and text from a registry made safe for a terminal.

use clap::ValueEnum;
use serde::Serialize;

use steward_app::registry::is_deceptive_char;

use crate::args::Format;
use crate::CliError;

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| CliError { code: "cli.json".into(), message: e.to_string() })
}

/// Shortens text for a table cell.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

/// A one-line bar chart: ▁▂▃▄▅▆▇█.
pub(crate) fn sparkline(counts: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    counts.iter().map(|&c| if c == 0 { ' ' } else { BARS[((c * 7) / max) as usize] }).collect()
}

pub(crate) fn thousands(n: u64) -> String {
    steward_app::thousands(n as usize)
}

/// A plain, aligned text table.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - cell.chars().count()));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(headers.to_vec());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect()));
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// `s` safe to print on a terminal: control characters (escape sequences), bidirectional
/// overrides and invisible characters shown escaped.
pub(crate) fn clean(s: &str) -> String {
    s.chars().map(|c| if is_deceptive_char(c) { c.escape_default().to_string() } else { c.to_string() }).collect()
}

pub(crate) fn frame_text(df: &polars::prelude::DataFrame, format: Format) -> Result<String, CliError> {
    use polars::prelude::{JsonFormat, JsonWriter, SerWriter};
    use steward_app::display::{csv_frame, json_frame};
    let unsupported = |(column, e): (String, polars::prelude::PolarsError)| CliError {
        code: "cli.output".into(),
        message: format!("column `{column}` cannot be written as {format:?}: {e}"),
    };
    let mut buf = Vec::new();
    let done = match format {
        Format::Json => {
            let mut df = json_frame(df).map_err(unsupported)?;
            JsonWriter::new(&mut buf).with_json_format(JsonFormat::Json).finish(&mut df)
        }
        Format::Csv => {
            let mut df = csv_frame(df).map_err(unsupported)?;
            polars::prelude::CsvWriter::new(&mut buf).include_header(true).finish(&mut df)
        }
        _ => return Ok(frame_table(df)),
    };
    done.map_err(|e| CliError { code: "cli.output".into(), message: e.to_string() })?;
    Ok(String::from_utf8_lossy(&buf).into_owned() + if format == Format::Json { "\n" } else { "" })
}

/// A frame as an aligned table: every column (none hidden), its type label under its name, and
/// each value as the grids show it (`steward-display`), long ones cut at 40 characters.
pub(crate) fn frame_table(df: &polars::prelude::DataFrame) -> String {
    use steward_app::display::{cell_text, type_label};
    let names: Vec<&str> = df.columns().iter().map(|c| c.name().as_str()).collect();
    let mut rows = vec![df.columns().iter().map(|c| type_label(c.dtype())).collect::<Vec<_>>()];
    for i in 0..df.height() {
        rows.push(
            df.columns()
                .iter()
                .map(|c| {
                    let v = match c.get(i) {
                        // Related rows read as their count, as in the desktop's product table.
                        Ok(polars::prelude::AnyValue::List(rows)) if matches!(c.dtype(), polars::prelude::DataType::List(inner) if inner.is_struct()) => {
                            format!("{} row{}", rows.len(), if rows.len() == 1 { "" } else { "s" })
                        }
                        Ok(v) => cell_text(&v).unwrap_or_else(|| "null".into()),
                        Err(_) => "null".into(),
                    };
                    clip(&v.replace('\n', "⏎").replace(|ch: char| ch.is_control(), "�"), 40)
                })
                .collect(),
        );
    }
    format!("{} rows\n{}", df.height(), table(&names, &rows))
}

/// One row as a list of fields: name, type and value.
pub(crate) fn fields_table(df: &polars::prelude::DataFrame) -> String {
    use steward_app::display::{cell_text, type_label};
    let rows: Vec<Vec<String>> = df
        .columns()
        .iter()
        .map(|c| {
            let value = c.get(0).ok().map(|x| cell_text(&x).unwrap_or_else(|| "null".into()));
            vec![c.name().to_string(), type_label(c.dtype()), value.unwrap_or_default()]
        })
        .collect();
    table(&["field", "type", "value"], &rows)
}

pub(crate) fn formats_only(format: Format, allowed: &[Format], command: &str) -> Result<(), CliError> {
    if allowed.contains(&format) {
        return Ok(());
    }
    let names: Vec<String> =
        allowed.iter().map(|f| f.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()).collect();
    Err(CliError {
        code: "cli.invalid_input".into(),
        message: format!("`{command}` writes {}; not {format:?}", names.join(", ")).to_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(5_000_000), "5,000,000");
    }

    #[test]
    fn control_characters_are_escaped_on_print() {
        assert_eq!(clean("team\u{1b}]8;;https://evil\u{7}x\u{9b}"), "team\\u{1b}]8;;https://evil\\u{7}x\\u{9b}");
        assert_eq!(clean("Ünïcode ok"), "Ünïcode ok");
        assert_eq!(clean("admin\u{202e}gro"), "admin\\u{202e}gro");
    }

    #[test]
    fn table_aligns_unicode_cells() {
        let t = table(&["a", "b"], &[vec!["Zoë".into(), "x".into()], vec!["é".into(), "yy".into()]]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "a    b");
        assert_eq!(lines[2], "Zoë  x");
        assert_eq!(lines[3], "é    yy");
    }
}
