//! Checks of a definition on its own: format, names, and references between its parts.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{Derived, Field, ProductDefinition, QualityRule, ENTITY_TABLE, FORMAT};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, at a precise place in the definition: the one shape the CLI's JSON and the
/// desktop both send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ModelIssue"))]
pub struct Issue {
    /// Where: `related[orders].join[0].parent`.
    pub path: String,
    pub severity: Severity,
    /// Stable code: `model.unknown_field`, `model.join_type_mismatch`…
    pub code: String,
    pub message: String,
}

impl Issue {
    pub fn error(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Issue { path: path.into(), severity: Severity::Error, code: code.into(), message: message.into() }
    }

    pub fn warning(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Issue { path: path.into(), severity: Severity::Warning, code: code.into(), message: message.into() }
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// How deep related tables may nest under the root (customer → invoices → lines is 2).
pub const MAX_DEPTH: usize = 16;

/// Whether `s` is a valid name of a product, table or domain — the one rule for names, shared
/// with the registry: 1-64 of `a-z`, `0-9`, `-` and `_`, starting with a letter.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Checks a product name before anything derives a path or a keychain entry from it: 1-64
/// characters of `a-z`, `0-9`, `-` and `_`, starting with a letter — so never `..`, `/` or an
/// absolute path.
pub fn check_product_name(name: &str) -> Result<(), String> {
    if is_name(name) {
        Ok(())
    } else {
        Err(format!(
            "product name `{}` is not valid: use 1-64 lowercase letters, digits, `-` and `_`, starting with a letter",
            name.escape_debug()
        ))
    }
}

/// Product field names of a table: selected fields (renamed) and derived fields. `None` when the
/// table selects every column of its source (known only from the data).
fn names(fields: &[Field], derived: &[Derived]) -> Option<Vec<String>> {
    if fields.is_empty() {
        return None;
    }
    Some(fields.iter().map(|f| f.name().to_string()).chain(derived.iter().map(|d| d.name.clone())).collect())
}

fn check_fields(at: &str, fields: &[Field], derived: &[Derived], out: &mut Vec<Issue>) {
    let mut seen = HashSet::new();
    for (i, f) in fields.iter().enumerate() {
        if f.column.trim().is_empty() {
            out.push(Issue::error(format!("{at}.fields[{i}].column"), "model.empty", "must not be empty"));
        }
        if !seen.insert(f.name().to_string()) {
            out.push(Issue::error(
                format!("{at}.fields[{i}]"),
                "model.duplicate_field",
                format!("`{}` is already a field of this table", f.name()),
            ));
        }
    }
    for (i, d) in derived.iter().enumerate() {
        if d.sql.trim().is_empty() {
            out.push(Issue::error(format!("{at}.derived[{i}].sql"), "model.empty", "must not be empty"));
        }
        if !seen.insert(d.name.clone()) {
            out.push(Issue::error(
                format!("{at}.derived[{i}].name"),
                "model.duplicate_field",
                format!("`{}` is already a field of this table", d.name),
            ));
        }
    }
}

/// Everything wrong with a definition that can be told without reading data.
pub fn check(def: &ProductDefinition) -> Vec<Issue> {
    let mut out = vec![];
    if def.steward != FORMAT {
        out.push(Issue::error(
            "steward",
            "model.format",
            format!("`{}` is not a format this Steward reads; expected `{FORMAT}`", def.steward),
        ));
    }
    let m = &def.metadata;
    if !is_name(&m.name) {
        out.push(Issue::error(
            "metadata.name",
            "model.name",
            format!("`{}`: use lowercase letters, digits, `-` and `_`", m.name),
        ));
    }
    if semver::Version::parse(&m.version).is_err() {
        out.push(Issue::error(
            "metadata.version",
            "model.version",
            format!("`{}` is not a semantic version (1.2.0)", m.version),
        ));
    }
    for (field, v) in [("metadata.owner", &m.owner), ("metadata.domain", &m.domain)] {
        if v.trim().is_empty() {
            out.push(Issue::error(field, "model.empty", "must not be empty"));
        }
    }

    let e = &def.entity;
    check_fields("entity", &e.fields, &e.derived, &mut out);
    let entity_fields = names(&e.fields, &e.derived);
    let keys = e.key.names();
    if keys.is_empty() || keys.iter().any(|k| k.trim().is_empty()) {
        out.push(Issue::error("entity.key", "model.empty", "the instance key needs at least one field"));
    }
    if let Some(fields) = &entity_fields {
        for k in &keys {
            if !fields.iter().any(|f| f == k) {
                out.push(Issue::error(
                    "entity.key",
                    "model.unknown_field",
                    format!("`{k}` is not a field of the entity"),
                ));
            }
        }
    }

    let tree = def.tree();
    if let Some(n) = tree.nodes.iter().find(|n| n.depth + 1 > MAX_DEPTH) {
        out.push(Issue::error(
            tree.ats[n.index].clone(),
            "model.too_deep",
            format!("tables nest {} levels deep here; Steward reads at most {MAX_DEPTH}", n.depth + 1),
        ));
    }
    // Names are unique among a table's children and lookups: `invoices.lines` is one table.
    let mut tables: HashSet<(Option<usize>, String)> = HashSet::new();
    // A table's own fields, without what its lookups add.
    let owner_fields = |node: Option<usize>| match node {
        None => entity_fields.clone(),
        Some(i) => names(&tree.nodes[i].table.fields, &tree.nodes[i].table.derived),
    };
    let related = tree.nodes.iter().map(|n| {
        let r = n.table;
        (tree.ats[n.index].clone(), n.parent, true, &r.name, &r.source, &r.join, &r.fields, &r.derived[..])
    });
    let lookups = tree.lookups.iter().map(|l| {
        let r = l.reference;
        (l.at.clone(), l.owner, false, &r.name, &r.source, &r.join, &r.fields, &[][..])
    });
    for (at, parent, is_related, name, source, join, fields, derived) in related.chain(lookups) {
        if !is_name(name) {
            out.push(Issue::error(format!("{at}.name"), "model.name", "use lowercase letters, digits, `-` and `_`"));
        }
        if !tables.insert((parent, name.clone())) {
            out.push(Issue::error(
                format!("{at}.name"),
                "model.duplicate_table",
                format!("`{name}` names another table"),
            ));
        }
        if source.trim().is_empty() {
            out.push(Issue::error(format!("{at}.source"), "model.empty", "must name a workspace source"));
        }
        check_fields(&at, fields, derived, &mut out);
        if join.is_empty() {
            out.push(Issue::error(format!("{at}.join"), "model.empty", "needs at least one parent/child pair"));
        }
        let own = names(fields, derived);
        let parent_fields = if parent.is_none() { entity_fields.clone() } else { tree.field_names(def, parent) };
        let columns: Option<Vec<&str>> =
            (!fields.is_empty()).then(|| fields.iter().map(|f| f.column.as_str()).collect());
        for (i, j) in join.iter().enumerate() {
            if let Some(fs) = &parent_fields {
                if !fs.contains(&j.parent) {
                    out.push(Issue::error(
                        format!("{at}.join[{i}].parent"),
                        "model.unknown_field",
                        format!("`{}` is not a field of {}", j.parent, tree.describe(parent)),
                    ));
                }
            }
            if let (Some(cols), Some(own)) = (&columns, &own) {
                if !cols.contains(&j.child.as_str()) && !own.contains(&j.child) {
                    out.push(Issue::error(
                        format!("{at}.join[{i}].child"),
                        "model.unknown_field",
                        format!("`{}` is not among the selected columns of `{name}`", j.child),
                    ));
                }
            }
        }
        if is_related {
            if let Some(own) = &own {
                if !own.is_empty() && own.iter().all(|f| join.iter().any(|j| j.child == *f)) {
                    out.push(Issue::error(
                        format!("{at}.fields"),
                        "model.only_keys",
                        format!("`{name}` selects only its join key, so its rows would carry nothing: select at least one other field"),
                    ));
                }
                // Every table carries the root's instance key (exports cut one entity out of any
                // table by it): a field of that name that is not the key would be ambiguous.
                for k in &keys {
                    // Joined on the parent's field of that name, which is the root's key itself
                    // (or carries it): the same value.
                    let name_of =
                        |c: &String| fields.iter().find(|f| f.column == *c).map_or(c.clone(), |f| f.name().to_string());
                    let is_the_key = join.iter().any(|j| name_of(&j.child) == *k && j.parent == *k);
                    if own.iter().any(|f| f == k) && !is_the_key {
                        out.push(Issue::error(
                            format!("{at}.fields"),
                            "model.key_name_taken",
                            format!("`{k}` names the root's instance key, which every table carries; rename this field with `as`"),
                        ));
                    }
                }
            }
        } else if let (Some(own), Some(owner)) = (&own, &owner_fields(parent)) {
            for f in own {
                if owner.contains(f) && !join.iter().any(|j| j.child == *f) {
                    out.push(Issue::error(
                        format!("{at}.fields"),
                        "model.duplicate_field",
                        format!("`{f}` already names a field of {}; rename it with `as`", tree.describe(parent)),
                    ));
                }
            }
        }
    }

    for (i, rule) in def.quality.iter().enumerate() {
        let at = format!("quality[{i}]");
        let table_fields = match rule.table() {
            None | Some(ENTITY_TABLE) => entity_fields.clone(),
            Some(t) => match tree.find(t) {
                Some(n) => tree.field_names(def, Some(n)),
                None => {
                    out.push(Issue::error(
                        format!("{at}.table"),
                        "model.unknown_table",
                        format!("`{t}` is not a related table of this product; it has: {}", tree.paths.join(", ")),
                    ));
                    continue;
                }
            },
        };
        if let Some(fs) = &table_fields {
            for c in rule.columns() {
                if !fs.iter().any(|f| f == c) {
                    out.push(Issue::error(
                        format!("{at}.column"),
                        "model.unknown_field",
                        format!("`{c}` is not a field of `{}`", rule.table().unwrap_or(&def.entity.name)),
                    ));
                }
            }
        }
        match rule {
            QualityRule::Regex { pattern, .. } => {
                if let Err(e) = regex::Regex::new(pattern) {
                    out.push(Issue::error(format!("{at}.pattern"), "model.regex", format!("not a valid pattern: {e}")));
                }
            }
            QualityRule::Range { min: Some(lo), max: Some(hi), .. } if lo > hi => {
                out.push(Issue::error(format!("{at}.min"), "model.range", format!("min {lo} is above max {hi}")));
            }
            QualityRule::Range { min: None, max: None, .. } => {
                out.push(Issue::error(at.clone(), "model.range", "a range needs min, max or both"));
            }
            QualityRule::RowCount { min: Some(lo), max: Some(hi), .. } if lo > hi => {
                out.push(Issue::error(format!("{at}.min"), "model.range", format!("min {lo} is above max {hi}")));
            }
            QualityRule::AcceptedValues { values, .. } if values.is_empty() => {
                out.push(Issue::error(format!("{at}.values"), "model.empty", "list at least one accepted value"));
            }
            _ => {}
        }
    }

    for (name, profile) in &def.masking {
        if !is_name(name) {
            out.push(Issue::error(
                format!("masking[{name}]"),
                "model.name",
                "use lowercase letters, digits, `-` and `_`",
            ));
        }
        for (i, r) in profile.rules.iter().enumerate() {
            if r.field.is_some() == r.tag.is_some() {
                out.push(Issue::error(
                    format!("masking[{name}].rules[{i}]"),
                    "model.masking_target",
                    "give exactly one of `field` or `tag`",
                ));
            }
        }
    }
    out
}
