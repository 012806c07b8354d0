//! Masking a product with one of its masking profiles, and the privacy officer's report: which
//! rule masks which field (with its properties), original values that survive, collisions of
//! remapped keys, and re-identification risk — checked against the profile's thresholds.

use std::collections::BTreeMap;
use steward_model::ENTITY_TABLE;

use polars::prelude::*;
use serde::Serialize;
use steward_assembly::Assembled;
use steward_model::{MaskingProfile, ProductDefinition};
use steward_privacy::{MaskingKey, Rule, RuleKind, RuleProperties};
use steward_secrets::{SecretError, SecretStore};
use steward_workspace::Workspace;

use crate::AppError;

/// The keychain entry holding a product's masking key of one version.
pub fn masking_key_name(product: &str, version: u32) -> String {
    format!("masking/{product}/v{version}")
}

fn fresh_key_hex() -> Result<String, SecretError> {
    MaskingKey::generate().map(|k| k.to_hex()).map_err(|e| SecretError::Random { message: e.to_string() })
}

/// The masking key of `product` at `version`, created in the keychain on first use. The key
/// never leaves the keychain except into this process's memory. Concurrent first uses (threads
/// of the desktop, or several Steward processes) create it once and all get the stored key.
pub fn masking_key(secrets: &dyn SecretStore, product: &str, version: u32) -> Result<MaskingKey, AppError> {
    steward_model::check_product_name(product).map_err(AppError::InvalidInput)?;
    let name = masking_key_name(product, version);
    let hex = steward_secrets::get_or_create(secrets, &name, fresh_key_hex)?;
    MaskingKey::from_hex(&hex).ok_or_else(|| {
        AppError::InvalidInput(format!(
            "keychain entry `{name}` does not hold a masking key; delete it to make a new one"
        ))
    })
}

/// The profile named `name`, or a clear error listing the product's profiles.
pub fn profile<'a>(def: &'a ProductDefinition, name: &str) -> Result<&'a MaskingProfile, AppError> {
    def.masking.get(name).ok_or_else(|| {
        let have: Vec<&str> = def.masking.keys().map(String::as_str).collect();
        AppError::InvalidInput(format!(
            "{}: no masking profile `{name}`; it has: {}",
            def.metadata.name,
            if have.is_empty() { "none".to_string() } else { have.join(", ") }
        ))
    })
}

/// One masked field of the product and the rule that masks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MaskedField {
    /// `entity` or a related table's name.
    pub table: String,
    pub field: String,
    /// Where the rule is: `masking[analytics].rules[2]`.
    pub at: String,
    pub rule: String,
    /// Why the rule applies: `field` or `tag:email`; `join key` for keys remapped with the root's.
    pub via: String,
    pub properties: RuleProperties,
}

struct Planned {
    field: MaskedField,
    rule: Rule,
}

/// The fields of every table of `a`: entity fields, then each related table's.
fn table_fields(a: &Assembled) -> Result<Vec<(String, Vec<String>)>, AppError> {
    let names = |lf: &LazyFrame, at: &str| -> Result<Vec<String>, AppError> {
        let schema = lf.clone().collect_schema().map_err(|e| AppError::InvalidInput(format!("{at}: {e}")))?;
        Ok(schema.iter_names().map(|s| s.to_string()).collect())
    };
    let mut out = vec![(ENTITY_TABLE.to_string(), names(&a.entity, ENTITY_TABLE)?)];
    for r in &a.related {
        out.push((r.name.clone(), names(r.frame(), &r.name)?));
    }
    Ok(out)
}

/// Product field → source column, for one table of the definition (`invoices.lines`).
pub(crate) fn source_columns(def: &ProductDefinition, table: &str) -> (String, BTreeMap<String, String>) {
    let tree = def.tree();
    let (source, fields) = if table == ENTITY_TABLE {
        (&def.entity.source, &def.entity.fields)
    } else {
        match tree.find(table) {
            Some(i) => (&tree.nodes[i].table.source, &tree.nodes[i].table.fields),
            None => return (String::new(), BTreeMap::new()),
        }
    };
    (source.clone(), fields.iter().map(|f| (f.name().to_string(), f.column.clone())).collect())
}

/// Which rule masks which field. Rules naming a field come before rules by tag; a field takes
/// the first rule that covers it. A key remapped on the root is remapped alike in every table
/// joined by it, so joins still join.
fn plan(ws: &Workspace, def: &ProductDefinition, a: &Assembled, name: &str) -> Result<Vec<Planned>, AppError> {
    let p = profile(def, name)?;
    let version = p.key_version.unwrap_or(1);
    let tables = table_fields(a)?;
    let mut out: Vec<Planned> = vec![];
    let taken = |out: &Vec<Planned>, t: &str, f: &str| out.iter().any(|x| x.field.table == t && x.field.field == f);
    // Rule `i` masking `table.field`, applied because of `via`.
    let planned = |i: usize, rule: &Rule, table: &str, field: &str, via: String| Planned {
        field: MaskedField {
            table: table.to_string(),
            field: field.to_string(),
            at: format!("masking[{name}].rules[{i}]"),
            rule: p.rules[i].rule().to_string(),
            via,
            properties: steward_privacy::properties(&rule.kind),
        },
        rule: rule.clone(),
    };
    let parsed: Vec<(usize, Rule)> = p.rules.iter().enumerate().map(|(i, r)| (i, Rule::of(r, version))).collect();
    let by_field = parsed.iter().filter(|(i, _)| p.rules[*i].field.is_some());
    let by_tag = parsed.iter().filter(|(i, _)| p.rules[*i].tag.is_some());
    for (i, rule) in by_field {
        let target = p.rules[*i].field.as_deref().unwrap_or_default();
        let (table, field) = steward_model::split_field_path(target);
        let (table, field) = (table.to_string(), field.to_string());
        let Some((_, fields)) = tables.iter().find(|(t, _)| *t == table) else {
            let have: Vec<&str> = tables.iter().map(|(t, _)| t.as_str()).collect();
            return Err(AppError::InvalidInput(format!(
                "masking[{name}].rules[{i}].field: no table `{table}`; the product has: {}",
                have.join(", ")
            )));
        };
        if !fields.contains(&field) {
            return Err(AppError::InvalidInput(format!(
                "masking[{name}].rules[{i}].field: `{table}` has no field `{field}`; it has: {}",
                fields.join(", ")
            )));
        }
        if taken(&out, &table, &field) {
            continue;
        }
        out.push(planned(*i, rule, &table, &field, "field".into()));
        // A remapped key is remapped alike wherever it is joined on, at every depth, so joins
        // still join; the root's key also in every table that carries it.
        if rule.kind == RuleKind::KeyRemap {
            let mut todo = vec![(table.clone(), field.clone())];
            while let Some((t, f)) = todo.pop() {
                let parent = if t == ENTITY_TABLE { None } else { a.related.iter().position(|r| r.name == t) };
                for r in &a.related {
                    let mut follow: Vec<String> = vec![];
                    if r.parent == parent {
                        follow.extend(
                            r.parent_keys.iter().zip(&r.child_keys).filter(|(p, _)| **p == f).map(|(_, c)| c.clone()),
                        );
                    }
                    if t == ENTITY_TABLE && a.key.contains(&f) && !r.fields.contains(&f) {
                        follow.push(f.clone());
                    }
                    for c in follow {
                        if !taken(&out, &r.name, &c) {
                            out.push(planned(*i, rule, &r.name, &c, "join key".into()));
                            todo.push((r.name.clone(), c));
                        }
                    }
                }
            }
        }
    }
    for (i, rule) in by_tag {
        let tag = p.rules[*i].tag.as_deref().unwrap_or_default();
        for (table, fields) in &tables {
            let (source, columns) = source_columns(def, table);
            let Ok(src) = ws.source(&source) else { continue };
            for f in fields {
                let column = columns.get(f).cloned().unwrap_or_else(|| f.clone());
                let tagged = src.classifications.get(&column).is_some_and(|t| t.accepted.iter().any(|x| x == tag));
                if tagged && !taken(&out, table, f) {
                    out.push(planned(*i, rule, table, f, format!("tag:{tag}")));
                }
            }
        }
    }
    Ok(out)
}

/// A product's tables before and after masking, collected.
pub struct MaskedTables {
    /// (table, original, masked), entity first.
    pub tables: Vec<(String, DataFrame, DataFrame)>,
    pub fields: Vec<MaskedField>,
    /// The root's key column, carried by every table.
    pub key: Option<String>,
}

fn mask_table(
    table: &str,
    df: &DataFrame,
    entity_col: Option<&str>,
    planned: &[&Planned],
    key: &MaskingKey,
) -> Result<DataFrame, AppError> {
    let rules: Vec<(&str, &Rule)> = planned.iter().map(|p| (p.field.field.as_str(), &p.rule)).collect();
    steward_privacy::apply_rules(df, &rules, key, entity_col).map_err(|e| {
        // Name the rule that failed, and where it is in the definition.
        let at = match &e {
            steward_privacy::PrivacyError::Column { column, .. } => {
                planned.iter().find(|p| p.field.field == *column).map(|p| p.field.at.clone())
            }
            _ => None,
        };
        AppError::InvalidInput(format!("{}{table}.{e}", at.map(|a| format!("{a}: ")).unwrap_or_default()))
    })
}

/// Masks every table of `a` with profile `name` under `key`.
pub fn mask_tables(
    ws: &Workspace,
    def: &ProductDefinition,
    a: &Assembled,
    name: &str,
    key: &MaskingKey,
) -> Result<MaskedTables, AppError> {
    mask_collected(ws, def, a, original_tables(a)?, name, key)
}

/// [`mask_tables`] over the product's tables already collected (`originals`: every table of
/// `a` by path, entity first), as a session holds them between edits.
pub fn mask_collected(
    ws: &Workspace,
    def: &ProductDefinition,
    a: &Assembled,
    originals: Vec<(String, DataFrame)>,
    name: &str,
    key: &MaskingKey,
) -> Result<MaskedTables, AppError> {
    let planned = plan(ws, def, a, name)?;
    let mut tables = vec![];
    for (table, df) in originals {
        let here: Vec<&Planned> = planned.iter().filter(|p| p.field.table == table).collect();
        // One noise offset and date shift per entity, at every depth: every table carries the
        // root's key.
        let masked = mask_table(&table, &df, a.key.first().map(String::as_str), &here, key)?;
        tables.push((table, df, masked));
    }
    // What a rule preserves depends on the column it met: said as it is (`partial` on an
    // integer writes text).
    let fields = planned
        .into_iter()
        .map(|p| {
            let mut f = p.field;
            let dtype = tables.iter().find(|(t, _, _)| *t == f.table).and_then(|(_, o, _)| o.column(&f.field).ok());
            if let Some(c) = dtype {
                f.properties = steward_privacy::properties_on(&p.rule.kind, c.dtype());
            }
            f
        })
        .collect();
    Ok(MaskedTables { tables, fields, key: a.key.first().cloned() })
}

/// Every table of the product by path (entity first), collected as it is.
pub fn original_tables(a: &Assembled) -> Result<Vec<(String, DataFrame)>, AppError> {
    let collect =
        |lf: &LazyFrame, at: &str| lf.clone().collect().map_err(|e| AppError::InvalidInput(format!("{at}: {e}")));
    let mut out = vec![(ENTITY_TABLE.to_string(), collect(&a.entity, ENTITY_TABLE)?)];
    for r in &a.related {
        out.push((r.name.clone(), collect(r.frame(), &r.name)?));
    }
    Ok(out)
}

/// The product with its tables replaced by their masked rows: previews and exports of it show
/// only masked values.
pub fn masked_assembled(a: &Assembled, masked: &MaskedTables) -> Assembled {
    with_tables(a, masked.tables.iter().map(|(t, _, m)| (t.as_str(), m)))
}

/// The product over rows already collected (`tables` by name, as [`original_tables`] gives
/// them): assembling it again reads nothing.
pub fn with_tables<'a>(a: &Assembled, tables: impl IntoIterator<Item = (&'a str, &'a DataFrame)>) -> Assembled {
    let mut out = a.clone();
    for (t, rows) in tables {
        if t == ENTITY_TABLE {
            out.entity = rows.clone().lazy();
        } else if let Some(r) = out.related.iter_mut().find(|r| r.name == t) {
            r.set_frame(rows.clone().lazy());
        }
    }
    out
}

/// Leaks found in one table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableLeaks {
    pub table: String,
    pub columns: Vec<steward_privacy::ColumnLeaks>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KeyCollisions {
    pub table: String,
    pub field: String,
    pub collisions: u64,
}

/// What `steward privacy check` and the privacy officer's view show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrivacyReport {
    pub product: String,
    pub profile: String,
    pub key_version: u32,
    pub fields: Vec<MaskedField>,
    pub leaks: Vec<TableLeaks>,
    pub total_leaks: u64,
    pub collisions: Vec<KeyCollisions>,
    pub risk: Option<steward_privacy::Reidentification>,
    /// Originals of masked fields found in columns left in clear, anywhere in the product (each
    /// row counts as a leak).
    pub found_elsewhere: Vec<steward_privacy::FoundElsewhere>,
    /// Fields holding personal data that no rule of the profile masks.
    pub uncovered: Vec<crate::coverage::Uncovered>,
    /// Derived fields computed from masked fields that are not masked themselves.
    pub warnings: Vec<String>,
    /// Thresholds of the profile that the masked product breaks.
    pub violations: Vec<String>,
}

/// Masks the product with profile `name` and measures it. `quasi`/`sensitive` override the
/// profile's declared checks.
pub fn privacy_report(
    ws: &Workspace,
    def: &ProductDefinition,
    a: &Assembled,
    name: &str,
    secrets: &dyn SecretStore,
    quasi: Option<&[String]>,
    sensitive: Option<&str>,
) -> Result<(PrivacyReport, MaskedTables), AppError> {
    let p = profile(def, name)?;
    let key = masking_key(secrets, &def.metadata.name, p.key_version.unwrap_or(1))?;
    let masked = mask_tables(ws, def, a, name, &key)?;
    let report = measure(ws, def, name, &masked, quasi, sensitive)?;
    Ok((report, masked))
}

/// The privacy report of tables already masked with profile `name` (callers that keep masked
/// tables, like the desktop, measure them without masking again).
pub fn measure(
    ws: &Workspace,
    def: &ProductDefinition,
    name: &str,
    masked: &MaskedTables,
    quasi: Option<&[String]>,
    sensitive: Option<&str>,
) -> Result<PrivacyReport, AppError> {
    measure_with(ws, def, name, masked, quasi, sensitive, None)
}

/// [`measure`], reusing what `memo` holds of the same assembled product: the search for
/// originals in columns left in clear, and the product's personal data.
pub(crate) fn measure_with(
    ws: &Workspace,
    def: &ProductDefinition,
    name: &str,
    masked: &MaskedTables,
    quasi: Option<&[String]>,
    sensitive: Option<&str>,
    memo: Option<&crate::coverage::MeasureMemo>,
) -> Result<PrivacyReport, AppError> {
    let p = profile(def, name)?;
    let version = p.key_version.unwrap_or(1);
    let checks = p.checks.clone().unwrap_or_default();
    let (leaks, found_elsewhere) = crate::coverage::both(
        || crate::coverage::same_row_leaks(masked),
        || match memo {
            Some(m) => m.found_elsewhere(masked),
            None => crate::coverage::found_elsewhere(masked),
        },
    )?;
    let mut collisions = vec![];
    for (t, o, m) in &masked.tables {
        for f in masked.fields.iter().filter(|f| f.table == *t && f.rule == "key_remap") {
            let (Ok(oc), Ok(mc)) = (o.column(&f.field), m.column(&f.field)) else { continue };
            let n = steward_privacy::collisions(oc, mc).map_err(|e| AppError::InvalidInput(e.to_string()))?;
            collisions.push(KeyCollisions { table: t.clone(), field: f.field.clone(), collisions: n });
        }
    }
    let uncovered = match memo {
        Some(m) => m.uncovered(ws, def, masked)?,
        None => crate::coverage::uncovered(ws, def, masked),
    };
    let total_leaks: u64 = leaks.iter().flat_map(|t| t.columns.iter()).map(|c| c.total()).sum::<u64>()
        + found_elsewhere.iter().map(|f| f.rows).sum::<u64>();
    let quasi: Vec<String> = quasi.map(<[String]>::to_vec).unwrap_or(checks.quasi_identifiers.clone());
    let sensitive = sensitive.map(String::from).or(checks.sensitive.clone());
    let risk = if quasi.is_empty() {
        None
    } else {
        let entity = &masked.tables[0].2;
        Some(
            steward_privacy::reidentification(entity, &quasi, sensitive.as_deref())
                .map_err(|e| AppError::InvalidInput(format!("entity: {e}")))?,
        )
    };
    // A derived field over masked inputs carries the originals unless masked too.
    let mut warnings = vec![];
    let tree = def.tree();
    let derived = def.entity.derived.iter().map(|d| (ENTITY_TABLE, d)).chain(
        tree.nodes
            .iter()
            .zip(&tree.paths)
            .flat_map(|(n, path)| n.table.derived.iter().map(move |d| (path.as_str(), d))),
    );
    for (table, d) in derived {
        let masked_here: Vec<&str> =
            masked.fields.iter().filter(|f| f.table == table).map(|f| f.field.as_str()).collect();
        if masked_here.contains(&d.name.as_str()) {
            continue;
        }
        let uses: Vec<&str> = masked_here
            .iter()
            .copied()
            .filter(|f| d.sql.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == *f))
            .collect();
        if !uses.is_empty() {
            warnings.push(format!(
                "{table}.{}: derived from masked {} but not masked itself; it still shows the originals",
                d.name,
                uses.join(", ")
            ));
        }
    }
    let mut violations = vec![];
    if let Some(max) = checks.max_leaks {
        if total_leaks > max {
            violations.push(format!("{total_leaks} original values survive masking (at most {max} allowed)"));
        }
    }
    if let Some(max) = checks.max_uncovered {
        if uncovered.len() as u64 > max {
            let list: Vec<String> = uncovered
                .iter()
                .map(|u| format!("{} ({})", crate::coverage::field_path(&u.table, &u.field), u.tag))
                .collect();
            violations.push(format!(
                "{} fields hold personal data no rule covers (at most {max} allowed): {}",
                uncovered.len(),
                list.join(", ")
            ));
        }
    }
    for c in collisions.iter().filter(|c| c.collisions > 0) {
        violations.push(format!("{}.{}: {} remapped keys collide", c.table, c.field, c.collisions));
    }
    if let Some(r) = &risk {
        if let Some(min) = checks.min_k {
            if r.k < min {
                violations.push(format!("k = {} over {} (at least {min} required)", r.k, quasi.join(", ")));
            }
        }
        if let (Some(min), Some(l)) = (checks.min_l, r.l) {
            if l < min {
                violations
                    .push(format!("l = {l} for {} (at least {min} required)", sensitive.clone().unwrap_or_default()));
            }
        }
    }
    Ok(PrivacyReport {
        product: def.metadata.name.clone(),
        profile: name.to_string(),
        key_version: version,
        fields: masked.fields.clone(),
        leaks,
        total_leaks,
        collisions,
        risk,
        found_elsewhere,
        uncovered,
        warnings,
        violations,
    })
}

/// Rotates a profile's masking key: the profile moves to the next key version (a new key in the
/// keychain), so every masked output changes. Returns the new version; the caller saves `def`.
pub fn rotate_masking_key(def: &mut ProductDefinition, name: &str, secrets: &dyn SecretStore) -> Result<u32, AppError> {
    let product = def.metadata.name.clone();
    let p = def
        .masking
        .get_mut(name)
        .ok_or_else(|| AppError::InvalidInput(format!("{product}: no masking profile `{name}`")))?;
    let next = p.key_version.unwrap_or(1) + 1;
    // A key already made for that version (an earlier rotation that was not saved) is kept.
    steward_secrets::get_or_create(secrets, &masking_key_name(&product, next), fresh_key_hex)?;
    p.key_version = Some(next);
    Ok(next)
}

/// The originals of `values`, masked in `field` (`phone`, `orders.card`) by profile `name` with
/// a reversible rule (FF1), for whoever holds the masking key in their keychain. `key_version`
/// reads values masked before a key rotation (default: the profile's current version). A
/// missing key is an error, never a new key: a new key would reveal nonsense.
#[allow(clippy::too_many_arguments)]
pub fn reveal_values(
    ws: &Workspace,
    def: &ProductDefinition,
    a: &Assembled,
    name: &str,
    field: &str,
    values: &[String],
    secrets: &dyn SecretStore,
    key_version: Option<u32>,
) -> Result<Vec<String>, AppError> {
    let p = profile(def, name)?;
    let (table, column) = steward_model::split_field_path(field);
    let planned = plan(ws, def, a, name)?;
    let Some(found) = planned.iter().find(|x| x.field.table == table && x.field.field == column) else {
        let masked: Vec<String> = planned
            .iter()
            .map(|x| {
                if x.field.table == ENTITY_TABLE {
                    x.field.field.clone()
                } else {
                    format!("{}.{}", x.field.table, x.field.field)
                }
            })
            .collect();
        return Err(AppError::InvalidInput(format!(
            "masking[{name}]: `{field}` is not masked by this profile; it masks: {}",
            if masked.is_empty() { "nothing".to_string() } else { masked.join(", ") }
        )));
    };
    let version = key_version.unwrap_or(p.key_version.unwrap_or(1));
    let entry = masking_key_name(&def.metadata.name, version);
    let key = match secrets.get(&entry) {
        Ok(hex) => MaskingKey::from_hex(&hex)
            .ok_or_else(|| AppError::InvalidInput(format!("keychain entry `{entry}` does not hold a masking key")))?,
        Err(SecretError::NotFound { .. }) => {
            return Err(AppError::InvalidInput(format!(
                "no masking key `{entry}` in this keychain: only its holders can reveal values masked with it"
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let mut rule = found.rule.clone();
    rule.version = version;
    tracing::info!(product = %def.metadata.name, profile = name, field, count = values.len(), "revealing masked values");
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            steward_privacy::reveal(&rule, &key, field, v)
                .map_err(|e| AppError::InvalidInput(format!("{} (value {})", e, i + 1)))
        })
        .collect()
}

/// The masked instance key of the entity whose original key is `key` (rules may remap keys).
pub fn masked_key(masked: &MaskedTables, key_fields: &[String], key: &[String]) -> Option<Vec<String>> {
    let (_, original, m) = masked.tables.first()?;
    let cols: Vec<&Column> = key_fields.iter().map(|k| original.column(k).ok()).collect::<Option<_>>()?;
    let row = (0..original.height())
        .find(|&i| cols.iter().zip(key).all(|(c, v)| c.get(i).map(|x| x.str_value() == v.as_str()).unwrap_or(false)))?;
    key_fields
        .iter()
        .map(|k| m.column(k).ok().and_then(|c| c.get(row).ok()).map(|v| v.str_value().into_owned()))
        .collect()
}

/// Exports the product masked with profile `name`, key range by key range like an unmasked
/// export (so it works when the product is larger than memory): each range is assembled, masked
/// and written before the next. `keys` are original instance keys. A `shuffle` rule shuffles
/// within each range.
#[allow(clippy::too_many_arguments)]
pub fn export_masked(
    ws: &Workspace,
    def: &ProductDefinition,
    secrets: &dyn SecretStore,
    name: &str,
    format: steward_assembly::ExportFormat,
    dir: &std::path::Path,
    keys: &[Vec<String>],
    batch_entities: Option<u32>,
) -> Result<steward_assembly::ExportSummary, AppError> {
    let a = crate::assemble_product_scanned(ws, def, secrets)?;
    let p = profile(def, name)?;
    let key = masking_key(secrets, &def.metadata.name, p.key_version.unwrap_or(1))?;
    let options = crate::product::export_options(ws, def, &a, keys, batch_entities)?;
    let mask = |part: &Assembled| -> Result<Assembled, steward_assembly::AssemblyError> {
        let masked = mask_tables(ws, def, part, name, &key).map_err(|e| steward_assembly::AssemblyError::Polars {
            at: format!("masking[{name}]"),
            message: e.to_string(),
        })?;
        Ok(masked_assembled(part, &masked))
    };
    Ok(steward_assembly::export_each(&a, format, dir, keys, options, Some(&mask))?)
}
