//! Delimited text: dialect sniffing (delimiter, quote, header), encodings (UTF-8 with or without
//! BOM, UTF-16 with BOM, Windows-1252/Latin-1), and a record scan that counts rows exactly and
//! reports ragged rows and unterminated quotes with their line numbers.

use std::borrow::Cow;
use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;
use serde::Serialize;

use crate::SourceError;

/// Rows read to infer column types.
pub(crate) const INFER_ROWS: usize = 10_000;
/// Bytes of the file looked at to sniff the dialect.
const SNIFF_BYTES: usize = 64 * 1024;

/// How a delimited text file is written, as detected (or as the steward set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CsvDialect {
    pub delimiter: char,
    pub quote: char,
    pub has_header: bool,
    /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `windows-1252`.
    pub encoding: String,
}

/// Settings a steward may force instead of detection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CsvOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_header: Option<bool>,
    /// Read rows with too many or too few fields (padding with nulls, dropping extras)
    /// instead of refusing the file.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_ragged: bool,
}

/// File content decoded to UTF-8, and the encoding it had.
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, [u8]>,
    pub encoding: &'static str,
}

fn line_of(bytes: &[u8], pos: usize) -> u64 {
    bytes[..pos.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Decodes `bytes` to UTF-8. `complete` says whether `bytes` is the whole file (a head may end
/// in the middle of a character).
pub(crate) fn decode<'a>(path: &Path, bytes: &'a [u8], complete: bool) -> Result<Decoded<'a>, SourceError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return match check_utf8(path, rest, complete) {
            Ok(()) => Ok(Decoded { text: Cow::Borrowed(rest), encoding: "utf-8-bom" }),
            Err(e) => Err(e.unwrap_or_else(|| SourceError::Encoding {
                path: path.to_path_buf(),
                message: "starts with a UTF-8 byte-order mark but is not valid UTF-8; re-save it as UTF-8".into(),
            })),
        };
    }
    for (bom, enc, name) in
        [(&b"\xFF\xFE"[..], encoding_rs::UTF_16LE, "utf-16le"), (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE, "utf-16be")]
    {
        if bytes.starts_with(bom) {
            let (text, had_errors) = enc.decode_without_bom_handling(&bytes[2..]);
            if had_errors && complete {
                return Err(SourceError::Encoding {
                    path: path.to_path_buf(),
                    message: format!("starts with a {name} byte-order mark but is not valid {name}"),
                });
            }
            return Ok(Decoded { text: Cow::Owned(text.into_owned().into_bytes()), encoding: name });
        }
    }
    match check_utf8(path, bytes, complete) {
        Ok(()) => Ok(Decoded { text: Cow::Borrowed(bytes), encoding: "utf-8" }),
        Err(Some(e)) => Err(e),
        Err(None) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok(Decoded { text: Cow::Owned(text.into_owned().into_bytes()), encoding: "windows-1252" })
        }
    }
}

/// `Ok` when valid UTF-8; `Err(None)` when it is single-byte text; `Err(Some)` for a file that
/// mixes UTF-8 with another encoding.
fn check_utf8(path: &Path, bytes: &[u8], complete: bool) -> Result<(), Option<SourceError>> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        // A head cut in the middle of a character is fine.
        Err(e) if !complete && e.error_len().is_none() => Ok(()),
        Err(e) => {
            let at = e.valid_up_to();
            let utf8_before = bytes[..at].iter().any(|&b| b >= 0x80);
            if utf8_before {
                Err(Some(SourceError::Encoding {
                    path: path.to_path_buf(),
                    message: format!(
                        "line {}: mixed encodings: UTF-8 text earlier in the file, but byte 0x{:02X} here is not UTF-8; re-save the file as UTF-8",
                        line_of(bytes, at),
                        bytes[at]
                    ),
                }))
            } else {
                Err(None)
            }
        }
    }
}

/// Splits one record into fields, for sniffing only (handles quotes, not multi-line fields).
fn split_line(line: &[u8], delim: u8, quote: u8) -> Vec<Vec<u8>> {
    let mut fields = vec![];
    let mut cur = vec![];
    let mut in_q = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if in_q {
            if b == quote {
                if line.get(i + 1) == Some(&quote) {
                    cur.push(quote);
                    i += 1;
                } else {
                    in_q = false;
                }
            } else {
                cur.push(b);
            }
        } else if b == quote && cur.is_empty() {
            in_q = true;
        } else if b == delim {
            fields.push(std::mem::take(&mut cur));
        } else if b != b'\r' {
            cur.push(b);
        }
        i += 1;
    }
    fields.push(cur);
    fields
}

fn looks_numeric(field: &[u8]) -> bool {
    let s = String::from_utf8_lossy(field);
    let s = s.trim();
    !s.is_empty() && s.parse::<f64>().is_ok()
}

/// Detects delimiter, quote and header from the start of the (UTF-8) text.
pub(crate) fn sniff(text: &[u8], opts: &CsvOptions, encoding: &str) -> CsvDialect {
    // At least the first two whole lines, however wide the header is.
    let second_newline = text.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(1).map_or(text.len(), |(i, _)| i + 1);
    let head = &text[..text.len().min(SNIFF_BYTES.max(second_newline))];
    let lines: Vec<&[u8]> =
        head.split(|&b| b == b'\n').filter(|l| !l.iter().all(|b| b.is_ascii_whitespace())).take(50).collect();
    // Drop a last line that may be cut short by the sniff window.
    let lines = if head.len() < text.len() && lines.len() > 2 { &lines[..lines.len() - 1] } else { &lines[..] };
    // Quotes sit at field boundaries; an apostrophe inside a name (O'Brien) does not count.
    let boundary_quotes = |q: u8| -> usize {
        lines
            .iter()
            .map(|l| {
                (0..l.len())
                    .filter(|&i| {
                        l[i] == q
                            && (i == 0
                                || b",;\t|".contains(&l[i - 1])
                                || i + 1 == l.len()
                                || b",;\t|\r".contains(&l[i + 1]))
                    })
                    .count()
            })
            .sum()
    };
    let (double, single) = (boundary_quotes(b'"'), boundary_quotes(b'\''));
    let quote = if single > double && single >= 2 { b'\'' } else { b'"' };
    let delimiter = opts.delimiter.map(|c| c as u8).unwrap_or_else(|| {
        let mut best = (b',', 0usize, 0usize); // (delimiter, consistent lines, fields)
        for d in [b',', b';', b'\t', b'|'] {
            let counts: Vec<usize> = lines.iter().map(|l| split_line(l, d, quote).len()).collect();
            let Some(&first) = counts.first() else { continue };
            if first < 2 {
                continue;
            }
            let consistent = counts.iter().filter(|&&c| c == first).count();
            if consistent > best.1 || (consistent == best.1 && first > best.2) {
                best = (d, consistent, first);
            }
        }
        best.0
    });
    let has_header = opts.has_header.unwrap_or_else(|| {
        let rows: Vec<Vec<Vec<u8>>> = lines.iter().take(20).map(|l| split_line(l, delimiter, quote)).collect();
        match rows.split_first() {
            None => true,
            Some((first, rest)) => {
                // A first row with numbers where later rows have numbers too is data, not names.
                let numeric_cols: Vec<usize> = (0..first.len())
                    .filter(|&c| !rest.is_empty() && rest.iter().all(|r| r.get(c).is_some_and(|f| looks_numeric(f))))
                    .collect();
                let first_has_numbers_there = numeric_cols.iter().any(|&c| looks_numeric(&first[c]));
                let distinct = {
                    let mut seen = std::collections::HashSet::new();
                    first.iter().all(|f| seen.insert(f.clone()))
                };
                !first_has_numbers_there && distinct && first.iter().all(|f| !f.is_empty())
            }
        }
    });
    CsvDialect { delimiter: delimiter as char, quote: quote as char, has_header, encoding: encoding.to_string() }
}

/// What a full record scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Data records (the header row not counted).
    pub rows: u64,
    pub fields: usize,
}

/// Walks every record: counts rows, and refuses ragged rows and unterminated quotes with the
/// line they start on. `complete` is false for a head of the file, whose last record may be cut.
pub(crate) fn scan_records(
    path: &Path,
    text: &[u8],
    d: &CsvDialect,
    allow_ragged: bool,
    complete: bool,
) -> Result<Scan, SourceError> {
    let (delim, quote) = (d.delimiter as u8, d.quote as u8);
    let mut line: u64 = 1;
    let mut record_line: u64 = 1;
    let mut fields = 1usize;
    let mut field_len = 0usize;
    let mut in_q = false;
    let mut expected: Option<usize> = None;
    let mut records: u64 = 0;
    let mut ragged: Vec<(u64, usize)> = vec![];
    let mut record_empty = true;
    let mut i = 0;
    let n = text.len();
    let mut end_record = |fields: usize, record_line: u64, record_empty: bool, ragged: &mut Vec<(u64, usize)>| {
        if record_empty {
            return; // blank line
        }
        match expected {
            None => expected = Some(fields),
            Some(e) if e != fields => ragged.push((record_line, fields)),
            _ => {}
        }
        records += 1;
    };
    // Fast path: a whole line without a quote character is a record; count its delimiters.
    // The careful loop below takes over at the first line with a quote, and for the last line.
    while i < n {
        let end = memchr::memchr(b'\n', &text[i..]).map_or(n, |k| i + k);
        let line_bytes = &text[i..end];
        if end == n || memchr::memchr(quote, line_bytes).is_some() {
            break;
        }
        let content = line_bytes.strip_suffix(b"\r").unwrap_or(line_bytes);
        let fields_here = 1 + content.iter().filter(|&&b| b == delim).count();
        end_record(fields_here, line, content.is_empty(), &mut ragged);
        line += 1;
        record_line = line;
        i = end + 1;
    }
    while i < n {
        let b = text[i];
        if in_q {
            if b == quote {
                if i + 1 < n && text[i + 1] == quote {
                    i += 1;
                } else {
                    in_q = false;
                }
            } else if b == b'\n' {
                line += 1;
            }
        } else if b == quote && field_len == 0 {
            in_q = true;
            record_empty = false;
            field_len = 1;
        } else if b == delim {
            fields += 1;
            field_len = 0;
            record_empty = false;
        } else if b == b'\n' {
            end_record(fields, record_line, record_empty, &mut ragged);
            line += 1;
            record_line = line;
            fields = 1;
            field_len = 0;
            record_empty = true;
        } else if b != b'\r' {
            field_len += 1;
            record_empty = false;
        }
        i += 1;
    }
    if in_q {
        if !complete {
            // The head ends inside a quoted field that continues further on.
            return Ok(Scan {
                rows: records.saturating_sub(u64::from(d.has_header)),
                fields: expected.unwrap_or(fields),
            });
        }
        return Err(SourceError::Malformed {
            path: path.to_path_buf(),
            line: record_line,
            message: "a quoted field is never closed (the file may be truncated)".into(),
        });
    }
    let cut_last = !record_empty && !text.ends_with(b"\n");
    if complete || !cut_last {
        end_record(fields, record_line, record_empty, &mut ragged);
    }
    let expected = expected.unwrap_or(0);
    if !ragged.is_empty() && !allow_ragged {
        let (line, found) = ragged[0];
        if ragged.len() == 1 && cut_last && line == record_line && found < expected {
            return Err(SourceError::Malformed {
                path: path.to_path_buf(),
                line,
                message: format!("the last row is cut short ({found} of {expected} fields); the file may be truncated"),
            });
        }
        return Err(SourceError::Ragged {
            path: path.to_path_buf(),
            line,
            expected,
            found,
            more: ragged[1..].iter().map(|r| r.0).collect(),
        });
    }
    Ok(Scan { rows: records.saturating_sub(u64::from(d.has_header)), fields: expected })
}

/// Parses UTF-8 text with Polars.
pub(crate) fn read_frame(
    path: &Path,
    text: &[u8],
    d: &CsvDialect,
    allow_ragged: bool,
    n_rows: Option<usize>,
) -> Result<DataFrame, SourceError> {
    let (delim, quote) = (d.delimiter as u8, d.quote as u8);
    let read = |infer: usize, n_rows: Option<usize>, text_columns: Option<SchemaRef>| {
        CsvReadOptions::default()
            .with_has_header(d.has_header)
            .with_infer_schema_length(Some(infer))
            .with_n_rows(n_rows)
            .with_schema_overwrite(text_columns)
            .map_parse_options(|o| {
                o.with_separator(delim)
                    .with_quote_char(Some(quote))
                    .with_try_parse_dates(true)
                    .with_truncate_ragged_lines(allow_ragged)
            })
            .into_reader_with_file_handle(Cursor::new(text))
            .finish()
            .map_err(|e| SourceError::read(path, e))
    };
    let df = read(INFER_ROWS, n_rows, None)?;
    // Codes with leading zeros (postal codes `01234`, ids `007`) are text: read as numbers they
    // would lose their zeros. The sample rows are read once more as text to find them.
    let numeric: Vec<&Column> = df.columns().iter().filter(|c| c.dtype().is_primitive_numeric()).collect();
    if numeric.is_empty() {
        return Ok(df);
    }
    let raw = read(0, Some(INFER_ROWS), None)?;
    let zero_led = |v: &str| {
        let v = v.trim().trim_start_matches(['+', '-']);
        v.len() > 1 && v.starts_with('0') && v.as_bytes()[1].is_ascii_digit()
    };
    let codes: Vec<Field> = numeric
        .iter()
        .filter(|c| {
            raw.column(c.name().as_str())
                .ok()
                .and_then(|r| r.str().ok().map(|s| s.iter().flatten().any(zero_led)))
                .unwrap_or(false)
        })
        .map(|c| Field::new(c.name().clone(), DataType::String))
        .collect();
    if codes.is_empty() {
        return Ok(df);
    }
    read(INFER_ROWS, n_rows, Some(std::sync::Arc::new(Schema::from_iter(codes))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_error::ErrorCode;

    fn p() -> &'static Path {
        Path::new("t.csv")
    }

    /// Found on unseen data: postal codes `01234` and `00501` became the integers 1234 and 501.
    #[test]
    fn codes_with_leading_zeros_stay_text() {
        let text = b"zip,amount,ratio\n01234,1,0.5\n75001,2,0\n00501,3,-0.25\n";
        let d = sniff(text, &CsvOptions::default(), "utf-8");
        let df = read_frame(p(), text, &d, false, None).unwrap();
        assert_eq!(df.column("zip").unwrap().dtype(), &DataType::String);
        assert_eq!(df.column("zip").unwrap().str().unwrap().get(2), Some("00501"));
        assert_eq!(df.column("amount").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("ratio").unwrap().dtype(), &DataType::Float64);
    }

    #[test]
    fn sniffs_semicolon_tab_and_pipe() {
        for (text, want) in [
            ("a;b;c\n1;2;3\n4;5;6\n", ';'),
            ("a\tb\tc\n1\t2\t3\n", '\t'),
            ("a|b\n1|2\n", '|'),
            ("name,city\n\"Doe; Jane\",Paris\n", ','),
        ] {
            assert_eq!(sniff(text.as_bytes(), &CsvOptions::default(), "utf-8").delimiter, want, "{text}");
        }
    }

    #[test]
    fn detects_single_quotes_but_not_apostrophes() {
        let d = sniff(b"id,name\n1,'Doe, Jane'\n2,'Smith'\n", &CsvOptions::default(), "utf-8");
        assert_eq!((d.quote, d.delimiter), ('\'', ','));
        let d = sniff(b"id,name\n1,O'Brien\n2,Kid's corner\n", &CsvOptions::default(), "utf-8");
        assert_eq!(d.quote, '"');
    }

    #[test]
    fn detects_header_or_its_absence() {
        let o = CsvOptions::default();
        assert!(sniff(b"id,amount\n1,2.5\n2,3\n", &o, "utf-8").has_header);
        assert!(!sniff(b"1,2.5\n2,3\n3,4\n", &o, "utf-8").has_header);
        assert!(!sniff(b"100001,10,2015-01-28\n100002,11,2015-01-29\n", &o, "utf-8").has_header);
    }

    #[test]
    fn decodes_bom_latin1_and_utf16() {
        let d = decode(p(), b"\xEF\xBB\xBFname\nZo\xC3\xAB\n", true).unwrap();
        assert_eq!((d.encoding, &d.text[..]), ("utf-8-bom", &b"name\nZo\xC3\xAB\n"[..]));
        let d = decode(p(), b"name\nZo\xEB\n", true).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(std::str::from_utf8(&d.text).unwrap(), "name\nZoë\n");
        let utf16: Vec<u8> =
            b"\xFF\xFE".iter().copied().chain("a,b\n1,2\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let d = decode(p(), &utf16, true).unwrap();
        assert_eq!((d.encoding, &d.text[..]), ("utf-16le", &b"a,b\n1,2\n"[..]));
    }

    #[test]
    fn mixed_encodings_are_refused_with_the_line() {
        let e = decode(p(), b"name\nZo\xC3\xAB\nBj\xF6rn\n", true).err().unwrap();
        assert_eq!(e.code(), "source.encoding");
        assert!(e.to_string().contains("line 3"), "{e}");
    }

    #[test]
    fn counts_records_with_quoted_newlines_and_crlf() {
        let text = b"id,note\r\n1,\"two\nlines\"\r\n2,\"say \"\"hi\"\"\"\r\n\r\n3,x\r\n";
        let d = sniff(text, &CsvOptions::default(), "utf-8");
        assert_eq!(scan_records(p(), text, &d, false, true).unwrap(), Scan { rows: 3, fields: 2 });
    }

    #[test]
    fn ragged_rows_name_their_lines() {
        let text = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n13\n";
        let d = sniff(text, &CsvOptions::default(), "utf-8");
        let e = scan_records(p(), text, &d, false, true).unwrap_err();
        assert_eq!(e.code(), "source.ragged");
        assert_eq!(e.to_string(), "t.csv: line 3 has 2 fields, expected 3 (also ragged: lines 4, 6)");
        assert_eq!(scan_records(p(), text, &d, true, true).unwrap().rows, 5);
    }

    #[test]
    fn truncated_files_are_told_apart() {
        let d = sniff(b"a,b,c\n1,2,3\n", &CsvOptions::default(), "utf-8");
        let e = scan_records(p(), b"a,b,c\n1,2,3\n4,5", &d, false, true).unwrap_err();
        assert!(e.to_string().contains("line 3") && e.to_string().contains("truncated"), "{e}");
        let e = scan_records(p(), b"a,b,c\n1,2,3\n4,\"unfinished", &d, false, true).unwrap_err();
        assert_eq!(e.code(), "source.malformed");
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
