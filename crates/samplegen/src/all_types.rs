//! A small workspace holding one column of every type a source can hand Steward: exact decimals
//! of any precision and scale, 128-bit and unsigned 64-bit integers, times, durations, binary,
//! categorical and enum text, an all-null column, nested lists, structs and fixed-size arrays,
//! and time-zone-aware timestamps — with nulls and extreme values. Tests run every command over
//! it; the UI's type tests decode the same table.

use std::path::Path;

use polars::prelude::*;

use crate::write::{werr, write_parquet};
use crate::GenError;

/// Rows of the all-types table.
pub const ALL_TYPES_ROWS: usize = 6;

fn col(s: Series) -> Column {
    s.into()
}

fn cast(s: Series, dtype: &DataType) -> PolarsResult<Column> {
    Ok(s.strict_cast(dtype)?.into())
}

/// The table: `id` is the key, every other column has a type of its own.
pub fn all_types_frame() -> PolarsResult<DataFrame> {
    let n = ALL_TYPES_ROWS;
    let id = col(Series::new("id".into(), (1..=n as i64).collect::<Vec<_>>()));
    let price = cast(
        Series::new(
            "price".into(),
            [Some("711.56"), Some("-0.05"), Some("9999999999999.99"), None, Some("0.10"), Some("1.00")],
        ),
        &DataType::Decimal(15, 2),
    )?;
    let ratio = cast(
        Series::new(
            "ratio".into(),
            [
                Some("3.1415926535"),
                Some("-0.0000000001"),
                Some("123456789012345678901234567.0000000001"),
                Some("0.0000000000"),
                None,
                Some("-99.5000000000"),
            ],
        ),
        &DataType::Decimal(38, 10),
    )?;
    let big = col(Series::new("big".into(), [Some(i128::MAX), Some(-5i128), Some(0), None, Some(i128::MIN), Some(42)]));
    let counter = col(Series::new(
        "counter".into(),
        [Some(u64::MAX), Some(0u64), Some(1), None, Some(9_007_199_254_740_993), Some(7)],
    ));
    let ns = |h: i64, m: i64, s: i64, frac: i64| ((h * 60 + m) * 60 + s) * 1_000_000_000 + frac;
    let at_time = col(Series::new(
        "at_time".into(),
        [
            Some(ns(13, 45, 30, 123_456_789)),
            Some(0),
            Some(ns(23, 59, 59, 999_999_999)),
            None,
            Some(ns(8, 0, 0, 0)),
            Some(ns(0, 0, 1, 500_000_000)),
        ],
    )
    .into_time());
    let wait = col(Series::new(
        "wait".into(),
        [Some(90_061_001i64), Some(0), Some(-1_500), None, Some(3_600_000), Some(86_400_000 * 400)],
    )
    .into_duration(TimeUnit::Milliseconds));
    let blob_values: [Option<&[u8]>; 6] =
        [Some(&[0x00, 0x01, 0xff]), Some(b"abc"), Some(&[]), None, Some(&[0xde, 0xad, 0xbe, 0xef]), Some(b"\n\"")];
    let blob = col(Series::new("blob".into(), blob_values));
    let tier = cast(
        Series::new("tier".into(), [Some("gold"), Some("silver"), Some("gold"), None, Some("bronze"), Some("silver")]),
        &DataType::from_categories(Categories::global()),
    )?;
    let states = FrozenCategories::new(["open", "closed", "on hold"])?;
    let state = cast(
        Series::new("state".into(), [Some("open"), Some("closed"), Some("on hold"), None, Some("open"), Some("open")]),
        &DataType::from_frozen_categories(states),
    )?;
    let nothing = col(Series::new_null("nothing".into(), n));
    let tags = col(Series::new(
        "tags".into(),
        [
            Some(Series::new("".into(), ["vip", "eu"])),
            Some(Series::new("".into(), Vec::<&str>::new())),
            Some(Series::new("".into(), [Some("x"), None])),
            None,
            Some(Series::new("".into(), ["a"])),
            Some(Series::new("".into(), ["b", "c", "d"])),
        ],
    ));
    let point = StructChunked::from_series(
        "point".into(),
        n,
        [
            Series::new("x".into(), [Some(1.5f64), Some(-2.0), None, Some(0.0), Some(1e-7), Some(123456789.0)]),
            Series::new("label".into(), [Some("a"), None, Some("c"), Some("d"), Some("é"), Some("f")]),
        ]
        .iter(),
    )?
    .into_series();
    let line = |sku: &str, qty: i32| -> PolarsResult<Series> {
        Ok(StructChunked::from_series(
            "".into(),
            1,
            [Series::new("sku".into(), [sku]), Series::new("qty".into(), [qty])].iter(),
        )?
        .into_series())
    };
    let lines_of = |items: &[(&str, i32)]| -> PolarsResult<Series> {
        let mut out: Option<Series> = None;
        for (sku, qty) in items {
            let s = line(sku, *qty)?;
            out = Some(match out {
                None => s,
                Some(mut acc) => {
                    acc.append(&s)?;
                    acc
                }
            });
        }
        Ok(out.unwrap_or_else(|| {
            Series::new_empty("".into(), &line("", 0).map(|s| s.dtype().clone()).unwrap_or(DataType::Null))
        }))
    };
    let lines = col(Series::new(
        "lines".into(),
        [
            Some(lines_of(&[("A-1", 2), ("B-7", 1)])?),
            Some(lines_of(&[])?),
            Some(lines_of(&[("C-3", 10)])?),
            None,
            Some(lines_of(&[("A-1", 1)])?),
            Some(lines_of(&[("D-9", -1), ("E-2", 0), ("F-4", 3)])?),
        ],
    ));
    let triple = cast(
        Series::new(
            "triple".into(),
            [
                Some(Series::new("".into(), [1i32, 2, 3])),
                Some(Series::new("".into(), [0i32, 0, 0])),
                Some(Series::new("".into(), [-1i32, i32::MAX, i32::MIN])),
                None,
                Some(Series::new("".into(), [4i32, 5, 6])),
                Some(Series::new("".into(), [7i32, 8, 9])),
            ],
        ),
        &DataType::Array(Box::new(DataType::Int32), 3),
    )?;
    let paris = TimeZone::opt_try_new(Some("Europe/Paris"))?;
    let seen_at = col(Series::new(
        "seen_at".into(),
        [
            Some(1_700_000_000_000i64),
            Some(0),
            Some(1_719_792_000_000),
            None,
            Some(-86_400_000),
            Some(1_711_846_800_000),
        ],
    )
    .into_datetime(TimeUnit::Milliseconds, paris));
    let small =
        col(Series::new("small".into(), [Some(1.5f32), Some(-0.0), Some(f32::MAX), None, Some(0.1), Some(3.0)]));
    let byte = col(Series::new("byte".into(), [Some(0u8), Some(255), Some(1), None, Some(2), Some(3)]));
    let tiny = col(Series::new("tiny".into(), [Some(-128i8), Some(127), Some(0), None, Some(1), Some(-1)]));
    let ok = col(Series::new("ok".into(), [Some(true), Some(false), None, Some(true), Some(false), Some(true)]));
    let day = col(Series::new("day".into(), [Some(19_000i32), Some(0), Some(-1), None, Some(20_000), Some(2_932_896)])
        .into_date());
    let name = col(Series::new(
        "name".into(),
        [Some("Zoë Ångström"), Some("O'Brien, \"Pat\""), Some("line\nbreak"), None, Some(""), Some("李雷")],
    ));
    DataFrame::new(
        n,
        vec![
            id,
            name,
            price,
            ratio,
            big,
            counter,
            at_time,
            wait,
            blob,
            tier,
            state,
            nothing,
            tags,
            point.into(),
            lines,
            triple,
            seen_at,
            small,
            byte,
            tiny,
            ok,
            day,
        ],
    )
}

/// The child table: several rows per parent, with exact amounts.
pub fn all_types_child_frame() -> PolarsResult<DataFrame> {
    let parent = [1i64, 1, 2, 3, 3, 3, 5, 6];
    let amount = cast(
        Series::new(
            "amount".into(),
            [
                Some("10.125"),
                Some("-3.500"),
                Some("0.001"),
                None,
                Some("1.000"),
                Some("999999.999"),
                Some("2.250"),
                Some("0.000"),
            ],
        ),
        &DataType::Decimal(10, 3),
    )?;
    DataFrame::new(
        parent.len(),
        vec![
            col(Series::new("line_id".into(), (1..=parent.len() as i64).collect::<Vec<_>>())),
            col(Series::new("parent_id".into(), parent)),
            amount,
            col(Series::new(
                "at_time".into(),
                [Some(0i64), Some(1_000_000_000), None, Some(5), Some(6), Some(7), Some(8), Some(9)],
            )
            .into_time()),
        ],
    )
}

const MANIFEST: &str = "# Steward workspace: every column type a source can produce (tests).\nversion: 1\nname: All types\nsources:\n- id: types\n  name: All types\n  kind: parquet\n  path: types.parquet\n- id: lines\n  name: Child rows\n  kind: parquet\n  path: lines.parquet\n";

const PRODUCT: &str = "steward: steward.product/v1
metadata:
  name: all_types
  domain: test
  owner: steward@example.com
  version: 1.0.0
entity:
  name: Thing
  source: types
  key: id
  fields:
    - { column: id, type: i64 }
    - { column: name }
    - { column: price }
    - { column: ratio }
    - { column: big }
    - { column: counter }
    - { column: at_time }
    - { column: wait }
    - { column: blob }
    - { column: tier }
    - { column: state }
    - { column: nothing }
    - { column: tags }
    - { column: point }
    - { column: lines }
    - { column: triple }
    - { column: seen_at }
    - { column: small }
    - { column: byte }
    - { column: tiny }
    - { column: ok }
    - { column: day }
related:
  - name: children
    source: lines
    join:
      - { parent: id, child: parent_id }
    cardinality: one_to_many
    fields:
      - { column: line_id, type: i64 }
      - { column: parent_id, type: i64 }
      - { column: amount }
      - { column: at_time }
quality:
  - { rule: not_null, column: price }
  - { rule: unique, column: id }
  - { rule: range, table: children, column: amount, min: 0, max: 1000 }
masking:
  everything:
    checks:
      quasi_identifiers: [tier, day]
      max_leaks: 0
    rules:
      - { field: name, rule: fake, params: { kind: name } }
      - { field: price, rule: noise, params: { pct: 5 } }
      - { field: ratio, rule: redact }
      - { field: big, rule: keyed_pseudonym }
      - { field: counter, rule: null }
      - { field: at_time, rule: redact }
      - { field: wait, rule: null }
      - { field: blob, rule: keyed_pseudonym }
      - { field: tier, rule: shuffle }
      - { field: state, rule: constant, params: { value: hidden } }
      - { field: day, rule: generalise, params: { to: year } }
      - { field: children.amount, rule: noise, params: { pct: 10 } }
";

/// Writes the all-types workspace into `dir`: `types.parquet`, `lines.parquet`, `steward.yaml`
/// and `products/all_types.yaml`.
pub fn write_all_types(dir: &Path) -> Result<(), GenError> {
    std::fs::create_dir_all(dir.join("products")).map_err(|e| werr(dir, e))?;
    let mut types = all_types_frame().map_err(|e| werr(dir, e))?;
    write_parquet(&dir.join("types.parquet"), &mut types)?;
    let mut lines = all_types_child_frame().map_err(|e| werr(dir, e))?;
    write_parquet(&dir.join("lines.parquet"), &mut lines)?;
    let put = |name: &str, text: &str| std::fs::write(dir.join(name), text).map_err(|e| werr(&dir.join(name), e));
    put("steward.yaml", MANIFEST)?;
    put("products/all_types.yaml", PRODUCT)
}
