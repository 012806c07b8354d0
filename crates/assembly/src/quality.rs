//! Quality rules of a product, evaluated on its assembled tables: how many rows break each rule,
//! with a few of the offending values as samples.

use polars::prelude::*;
use serde::Serialize;
use steward_model::ENTITY_TABLE;
use steward_model::{Columns, QualityRule};

use crate::{pe, Assembled, AssemblyError};

/// Offending values shown per rule.
pub const SAMPLES: usize = 5;

/// One quality rule evaluated: the one shape the CLI's JSON and the desktop both send.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "QualityResult"))]
pub struct RuleResult {
    /// Where the rule is in the definition: `quality[3]`.
    pub path: String,
    /// Position of the rule in the definition.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub index: usize,
    pub rule: String,
    pub table: String,
    pub columns: Vec<String>,
    /// Rows breaking the rule (for `row_count`: 1 when the count is out of bounds).
    pub violations: u64,
    /// Rows the rule looked at.
    pub checked: u64,
    pub samples: Vec<String>,
    pub passed: bool,
}

fn values(df: &DataFrame, column: &str) -> Vec<String> {
    let Ok(c) = df.column(column) else { return vec![] };
    let mut out: Vec<String> = vec![];
    for i in 0..df.height() {
        if out.len() >= SAMPLES {
            break;
        }
        let v = c
            .get(i)
            .map(|v| if v.is_null() { "null".to_string() } else { v.str_value().into_owned() })
            .unwrap_or_default();
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn count(lf: LazyFrame, at: &str) -> Result<u64, AssemblyError> {
    let df = lf.select([len()]).collect().map_err(pe(at))?;
    Ok(df.columns().first().and_then(|c| c.get(0).ok()).and_then(|v| v.extract::<u64>()).unwrap_or(0))
}

impl Assembled {
    fn table(&self, name: Option<&str>) -> Option<(String, LazyFrame)> {
        match name {
            None => Some((ENTITY_TABLE.to_string(), self.entity.clone())),
            Some(n) => self.related.iter().find(|r| r.name == n).map(|r| (r.name.clone(), r.frame.clone())),
        }
    }

    /// Evaluates every rule; a rule naming an unknown table or column is an error.
    pub fn evaluate_quality(&self, rules: &[QualityRule]) -> Result<Vec<RuleResult>, AssemblyError> {
        let mut out = vec![];
        for (index, rule) in rules.iter().enumerate() {
            let at = format!("quality[{index}]");
            let (table, lf) = self.table(rule.table()).ok_or_else(|| AssemblyError::Polars {
                at: at.clone(),
                message: format!("`{}` is not a table of the product", rule.table().unwrap_or_default()),
            })?;
            let checked = count(lf.clone(), &at)?;
            let (violations, samples) = match rule {
                QualityRule::NotNull { column, .. } => (count(lf.filter(col(column.as_str()).is_null()), &at)?, vec![]),
                QualityRule::Unique { column, .. } => {
                    let cols: Vec<Expr> = match column {
                        Columns::One(c) => vec![col(c.as_str())],
                        Columns::Many(cs) => cs.iter().map(|c| col(c.as_str())).collect(),
                    };
                    let first = column.names().first().map(|s| s.to_string()).unwrap_or_default();
                    let dups = lf
                        .group_by(cols)
                        .agg([len().alias("__n")])
                        .filter(col("__n").gt(lit(1)))
                        .sort(["__n"], SortMultipleOptions::default().with_order_descending(true))
                        .collect()
                        .map_err(pe(&at))?;
                    let rows: u64 = dups
                        .column("__n")
                        .ok()
                        .and_then(|c| c.cast(&DataType::UInt64).ok())
                        .and_then(|c| c.u64().ok().map(|x| x.iter().flatten().sum()))
                        .unwrap_or(0);
                    (rows, values(&dups, &first))
                }
                QualityRule::AcceptedValues { column, values: ok, .. } => {
                    let c = col(column.as_str());
                    let allowed = ok
                        .iter()
                        .fold(lit(false), |acc, v| acc.or(c.clone().cast(DataType::String).eq(lit(v.clone()))));
                    let bad = lf.filter(c.clone().is_not_null().and(allowed.not())).collect().map_err(pe(&at))?;
                    (bad.height() as u64, values(&bad, column))
                }
                QualityRule::Range { column, min, max, .. } => {
                    let c = col(column.as_str()).cast(DataType::Float64);
                    let mut outside = lit(false);
                    if let Some(lo) = min {
                        outside = outside.or(c.clone().lt(lit(*lo)));
                    }
                    if let Some(hi) = max {
                        outside = outside.or(c.clone().gt(lit(*hi)));
                    }
                    let bad = lf.filter(outside).collect().map_err(pe(&at))?;
                    (bad.height() as u64, values(&bad, column))
                }
                QualityRule::Regex { column, pattern, .. } => {
                    let re = regex::Regex::new(pattern)
                        .map_err(|e| AssemblyError::Polars { at: format!("{at}.pattern"), message: e.to_string() })?;
                    let df = lf.select([col(column.as_str()).cast(DataType::String)]).collect().map_err(pe(&at))?;
                    let strings = df.column(column).map_err(pe(&at))?.str().map_err(pe(&at))?.clone();
                    let mut bad = 0u64;
                    let mut samples = vec![];
                    for v in strings.iter().flatten() {
                        if !re.is_match(v) {
                            bad += 1;
                            if samples.len() < SAMPLES && !samples.iter().any(|s: &String| s == v) {
                                samples.push(v.to_string());
                            }
                        }
                    }
                    (bad, samples)
                }
                QualityRule::RowCount { min, max, .. } => {
                    let out_of_bounds = min.is_some_and(|m| checked < m) || max.is_some_and(|m| checked > m);
                    (u64::from(out_of_bounds), if out_of_bounds { vec![format!("{checked} rows")] } else { vec![] })
                }
            };
            out.push(RuleResult {
                path: at.clone(),
                index,
                rule: rule.kind().to_string(),
                table,
                columns: rule.columns().iter().map(|s| s.to_string()).collect(),
                violations,
                checked,
                samples,
                passed: violations == 0,
            });
        }
        Ok(out)
    }
}
