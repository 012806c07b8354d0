//! Engine errors said in a steward's terms. Polars explains a failure to the people who write
//! query plans: a plan dump (`Resolved plan until failure: ---> FAILED HERE RESOLVING 'slice'`),
//! internal operator names and Arrow types. A steward needs which column, which types and what to
//! do. Each failure class Steward meets is translated here; anything else keeps Polars' own first
//! paragraph, never the plan.

use polars::prelude::PolarsError;

/// Markers after which Polars appends plan dumps or context stacks.
const TRAILERS: [&str; 4] = [
    "Resolved plan until failure",
    "Error originated just after this operation",
    "This error occurred with the following context stack",
    "\n\nPlan:",
];

/// Longest message kept from an untranslated error.
const MAX_CHARS: usize = 400;

/// `e`'s message for a person: translated where its class is known, without any plan dump.
pub fn engine_message(e: &PolarsError) -> String {
    let whole = without_plan(&e.to_string());
    let e = root(e);
    let text = without_plan(&e.to_string());
    match e {
        PolarsError::ColumnNotFound(_) => column_not_found(&text).unwrap_or(text),
        PolarsError::SchemaMismatch(_) | PolarsError::ComputeError(_)
            if text.contains("datatypes of join keys don't match") =>
        {
            join_types(&text).unwrap_or(text)
        }
        PolarsError::Duplicate(_) => duplicate(&text).unwrap_or(text),
        PolarsError::ComputeError(_) | PolarsError::InvalidOperation(_) if text.contains("conversion from") => {
            conversion(&text).unwrap_or(text)
        }
        PolarsError::SQLSyntax(_) | PolarsError::SQLInterface(_) => format!("the expression does not parse: {text}"),
        _ => whole,
    }
}

/// The error a context wraps (Polars adds the operator it was in, which says nothing to a steward).
fn root(e: &PolarsError) -> &PolarsError {
    match e {
        PolarsError::Context { error, .. } | PolarsError::ExprContext { error, .. } => root(error),
        _ => e,
    }
}

/// The message before any plan dump or context stack, on one paragraph, bounded.
pub fn without_plan(raw: &str) -> String {
    let mut cut = raw.len();
    for t in TRAILERS {
        if let Some(i) = raw.find(t) {
            cut = cut.min(i);
        }
    }
    let text = raw[..cut].split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim_end_matches([':', ';', ',', ' ']).to_string();
    if text.chars().count() > MAX_CHARS {
        format!("{}…", text.chars().take(MAX_CHARS).collect::<String>())
    } else {
        text
    }
}

/// Text between the first `open` and the next `close` after it.
fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

/// `unable to find column "x"; valid columns: ["a", "b"]`
fn column_not_found(text: &str) -> Option<String> {
    let name = between(text, "unable to find column \"", "\"").or_else(|| between(text, "not found: ", " "))?;
    let valid = between(text, "valid columns: [", "]").map(|v| v.replace('"', ""));
    Some(match valid {
        Some(v) if !v.trim().is_empty() => {
            format!(
                "no column `{name}` here (the columns are: {v}): check the field's column and the joins that use it"
            )
        }
        _ => format!("no column `{name}` here: check the field's column and the joins that use it"),
    })
}

/// ``datatypes of join keys don't match - `a`: i64 on left does not match `b`: str on right``
fn join_types(text: &str) -> Option<String> {
    let left = between(text, "- `", "`")?;
    let left_type = between(text, &format!("`{left}`: "), " on left")?;
    let rest = &text[text.find("on left")?..];
    let right = between(rest, "`", "`")?;
    let right_type = between(rest, &format!("`{right}`: "), " on right")?;
    Some(format!(
        "the join compares `{left}` ({left_type}) with `{right}` ({right_type}): both sides of a join need the same type; \
         join on fields that hold the same key, or add a derived field that casts one side"
    ))
}

/// `column with name 'x' has more than one occurrence`
fn duplicate(text: &str) -> Option<String> {
    let name = between(text, "name '", "'").or_else(|| between(text, "name \"", "\""))?;
    Some(format!("two fields are called `{name}`: rename one of them"))
}

/// ``conversion from `str` to `i64` failed in column 'x' for 3 out of 10 values: ["a", …]``
fn conversion(text: &str) -> Option<String> {
    let from = between(text, "conversion from `", "`")?;
    let to = between(text, "` to `", "`")?;
    let column = between(text, "in column '", "'")?;
    let count = between(text, " for ", " values").unwrap_or("some");
    Some(format!("`{column}`: {count} values are {from} that cannot be read as {to}; keep it as {from}, or fix the values at the source"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn fail(lf: LazyFrame) -> PolarsError {
        lf.collect().expect_err("the plan fails")
    }

    fn frame() -> DataFrame {
        df!("customer_id" => [1i64, 2], "name" => ["a", "b"], "code" => ["1", "x"]).unwrap()
    }

    /// Each failure class a steward meets, made by Polars itself, reads in the steward's terms
    /// and never as a plan.
    #[test]
    fn every_known_failure_class_is_said_plainly() {
        let missing = fail(frame().lazy().slice(0, 10).select([col("customer")]));
        let m = engine_message(&missing);
        assert!(m.starts_with("no column `customer` here"), "{m}");
        assert!(m.contains("customer_id, name, code"), "{m}");

        let other = df!("invoice_id" => ["1", "2"], "total" => [1.0, 2.0]).unwrap();
        let join = fail(frame().lazy().join(
            other.lazy(),
            [col("customer_id")],
            [col("invoice_id")],
            JoinArgs::new(JoinType::Inner),
        ));
        let m = engine_message(&join);
        assert!(m.starts_with("the join compares `customer_id` (i64) with `invoice_id` (str)"), "{m}");

        let cast = fail(frame().lazy().select([col("code").strict_cast(DataType::Int64)]));
        let m = engine_message(&cast);
        assert!(m.contains("`code`") && m.contains("str") && m.contains("i64"), "{m}");

        let dup = fail(frame().lazy().select([col("name"), col("code").alias("name")]));
        assert_eq!(engine_message(&dup), "two fields are called `name`: rename one of them");

        for e in [missing, join, cast, dup] {
            let m = engine_message(&e);
            for dump in ["plan", "FAILED HERE", "RESOLVING", "\n"] {
                assert!(!m.contains(dump), "{dump} in {m}");
            }
        }
    }

    #[test]
    fn counts_are_singular_or_plural() {
        assert_eq!(crate::count(1, "error", "errors"), "1 error");
        assert_eq!(crate::count(0, "error", "errors"), "0 errors");
        assert_eq!(crate::count(1_204_000, "row", "rows"), "1,204,000 rows");
    }

    #[test]
    fn unknown_classes_keep_their_first_paragraph_only() {
        let raw =
            "something odd: x\n\nResolved plan until failure:\n\n\t---> FAILED HERE RESOLVING 'slice' <---\nDF [\"a\"]";
        assert_eq!(without_plan(raw), "something odd: x");
        assert_eq!(without_plan(&"y".repeat(1000)).chars().count(), MAX_CHARS + 1);
    }
}
