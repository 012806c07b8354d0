//! Name evidence for join keys: what a column's name says it refers to, once a table's column
//! prefix (`o_` in `o_custkey`) and the usual suffixes are set aside.

/// The prefix most columns of a table share before their first `_` (`o_` for TPC-H's `orders`:
/// `o_orderkey`, `o_custkey`…), when at least three quarters of its columns (and at least two)
/// carry it and it is short (at most 3 letters).
pub fn table_prefix(columns: &[String]) -> Option<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in columns {
        if let Some((p, rest)) = c.split_once('_') {
            if !p.is_empty() && p.len() <= 3 && !rest.is_empty() && p.chars().all(|ch| ch.is_ascii_alphabetic()) {
                *counts.entry(p).or_default() += 1;
            }
        }
    }
    let (p, n) = counts.into_iter().max_by_key(|(p, n)| (*n, std::cmp::Reverse(*p)))?;
    (n >= 2 && n * 4 >= columns.len() * 3).then(|| format!("{}_", p.to_ascii_lowercase()))
}

/// A column's name without its table's prefix, lowercased: `o_custkey` → `custkey`.
pub fn stem(column: &str, prefix: Option<&str>) -> String {
    let c = column.to_ascii_lowercase();
    match prefix.and_then(|p| c.strip_prefix(p)) {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => c,
    }
}

/// `invoices` → `invoice`, `categories` → `category`.
pub fn singular(s: &str) -> String {
    match s.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => s.strip_suffix('s').filter(|x| !x.ends_with('s')).unwrap_or(s).to_string(),
    }
}

/// Whether a stem names a key: `id`, `key`, `code`, `no`, `number`, `ref`, or ends with one.
pub fn key_like(stem: &str) -> bool {
    const SUFFIXES: [&str; 6] = ["id", "key", "code", "no", "number", "ref"];
    SUFFIXES
        .iter()
        .any(|s| stem == *s || stem.ends_with(&format!("_{s}")) || (stem.len() > s.len() + 1 && stem.ends_with(s)))
}

/// A key that names no entity (`id`, `key`): every table's own surrogate key is called so, so
/// two of them alike say nothing about a relationship.
pub fn bare_key(stem: &str) -> bool {
    key_like(stem) && subject(stem).is_none()
}

/// The entity a key stem names, without the key word: `custkey` → `cust`, `customer_id` →
/// `customer`; `None` for a bare `id`/`key`.
fn subject(stem: &str) -> Option<String> {
    for s in ["_id", "_key", "_code", "_no", "_number", "_ref", "id", "key", "code", "number"] {
        if let Some(rest) = stem.strip_suffix(s) {
            let rest = rest.trim_end_matches('_');
            return (!rest.is_empty()).then(|| rest.to_string());
        }
    }
    None
}

/// How strongly names say that `child_col` of `child_table` refers to `parent_col` of
/// `parent_table`: 1.0 for the same stem (`o_custkey` → `c_custkey`, `customer_id` →
/// `customer_id`), or a table's bare `id` named after the table (`customer_id` → `customers.id`);
/// 0.8 when the child's subject abbreviates the parent table (`custkey` → `customer.c_key`); 0.6
/// when the child's stem ends with the parent's (`billing_customer_id` → `customer_id`); 0
/// otherwise.
pub fn name_score(parent_table: &str, parent_stem: &str, child_stem: &str) -> f64 {
    if parent_stem == child_stem {
        return 1.0;
    }
    let table = singular(&parent_table.to_ascii_lowercase());
    let bare = matches!(parent_stem, "id" | "key" | "code");
    if let Some(named) = subject(child_stem) {
        if bare && (named == table || singular(&named) == table) {
            return 1.0;
        }
        // `custkey` against the table `customer`: an abbreviation of at least three letters.
        if named.len() >= 3 && table.starts_with(&named) && subject(parent_stem).is_none_or(|p| p == named) {
            return 0.8;
        }
    }
    if parent_stem.len() >= 4 && child_stem.ends_with(&format!("_{parent_stem}")) {
        return 0.6;
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn prefixes_and_stems() {
        let orders = cols(&["o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_comment"]);
        assert_eq!(table_prefix(&orders).as_deref(), Some("o_"));
        assert_eq!(stem("o_custkey", Some("o_")), "custkey");
        assert_eq!(table_prefix(&cols(&["customer_id", "first_name", "last_name", "email"])), None);
        assert_eq!(
            table_prefix(&cols(&["ps_partkey", "ps_suppkey", "ps_availqty", "ps_supplycost"])).as_deref(),
            Some("ps_")
        );
    }

    #[test]
    fn names_that_refer_to_keys() {
        assert_eq!(name_score("customer", "custkey", "custkey"), 1.0);
        assert_eq!(name_score("customers", "id", "customer_id"), 1.0);
        assert_eq!(name_score("nation", "nationkey", "nationkey"), 1.0);
        assert_eq!(name_score("customer", "key", "custkey"), 0.8);
        assert_eq!(name_score("customers", "customer_id", "billing_customer_id"), 0.6);
        assert_eq!(name_score("orders", "orderkey", "custkey"), 0.0);
        assert_eq!(name_score("part", "partkey", "suppkey"), 0.0);
        assert!(key_like("custkey") && key_like("customer_id") && key_like("id") && !key_like("comment"));
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("address"), "address");
    }
}
