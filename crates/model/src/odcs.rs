//! A product definition as an Open Data Contract Standard (ODCS v3) document: its tables as
//! schema objects with typed properties, the instance key as primary key, joins as foreign-key
//! relationships, quality rules as ODCS quality checks, owner, domain and version — for tools
//! that read data contracts.

use serde_json::{json, Map, Value};

use crate::{Derived, Field, FieldType, JoinPair, ProductDefinition, QualityRule};

/// The ODCS version written.
pub const ODCS_API_VERSION: &str = "v3.1.0";

fn logical(t: Option<FieldType>) -> &'static str {
    match t {
        Some(FieldType::I64) => "integer",
        Some(FieldType::F64) => "number",
        Some(FieldType::Bool) => "boolean",
        Some(FieldType::Date) => "date",
        Some(FieldType::Datetime) => "timestamp",
        Some(FieldType::Str) | None => "string",
    }
}

/// A stable id: letters, digits, `-` and `_` only.
fn stable_id(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}

fn property(f: &Field, key: &[&str]) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("name".into(), json!(f.name()));
    p.insert("logicalType".into(), json!(logical(f.field_type)));
    p.insert("physicalName".into(), json!(f.column));
    if let Some(pos) = key.iter().position(|k| *k == f.name()) {
        p.insert("primaryKey".into(), json!(true));
        p.insert("primaryKeyPosition".into(), json!(pos + 1));
        p.insert("required".into(), json!(true));
    }
    if let Some(d) = &f.description {
        p.insert("description".into(), json!(d));
    }
    p
}

fn derived(d: &Derived) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("name".into(), json!(d.name));
    p.insert("logicalType".into(), json!(logical(d.field_type)));
    p.insert("transformLogic".into(), json!(d.sql));
    p.insert("description".into(), json!(format!("Derived: {}", d.sql)));
    p
}

/// ODCS quality checks of `rule`, for the property it names (or the object).
fn quality(rule: &QualityRule, object: &str) -> Value {
    let lib = |metric: &str, description: String| json!({ "type": "library", "metric": metric, "mustBe": 0, "description": description });
    match rule {
        QualityRule::NotNull { column, .. } => lib("nullValues", format!("`{column}` is never null")),
        QualityRule::Unique { column, .. } => {
            let cols = column.names();
            let mut q = lib("duplicateValues", format!("({}) is unique", cols.join(", ")));
            if cols.len() > 1 {
                q["arguments"] = json!({ "properties": cols });
            }
            q
        }
        QualityRule::AcceptedValues { column, values, .. } => {
            let mut q = lib("invalidValues", format!("`{column}` is one of: {}", values.join(", ")));
            q["arguments"] = json!({ "validValues": values });
            q
        }
        QualityRule::Regex { column, pattern, .. } => {
            let mut q = lib("invalidValues", format!("`{column}` matches {pattern}"));
            q["arguments"] = json!({ "pattern": pattern });
            q
        }
        QualityRule::Range { column, min, max, .. } => {
            let mut cond = vec![];
            if let Some(m) = min {
                cond.push(format!("{column} < {m}"));
            }
            if let Some(m) = max {
                cond.push(format!("{column} > {m}"));
            }
            let text = match (min, max) {
                (Some(a), Some(b)) => format!("`{column}` is between {a} and {b}"),
                (Some(a), None) => format!("`{column}` is at least {a}"),
                (None, Some(b)) => format!("`{column}` is at most {b}"),
                (None, None) => format!("`{column}` has any value"),
            };
            let where_ = if cond.is_empty() { "FALSE".to_string() } else { cond.join(" OR ") };
            json!({
                "type": "sql",
                "query": format!("SELECT COUNT(*) FROM {object} WHERE {where_}"),
                "mustBe": 0,
                "description": text,
            })
        }
        QualityRule::RowCount { min, max, .. } => {
            let mut q = json!({ "type": "library", "metric": "rowCount" });
            match (min, max) {
                (Some(a), Some(b)) => q["mustBeBetween"] = json!([a, b]),
                (Some(a), None) => q["mustBeGreaterOrEqualTo"] = json!(a),
                (None, Some(b)) => q["mustBeLessOrEqualTo"] = json!(b),
                (None, None) => q["mustBeGreaterOrEqualTo"] = json!(0),
            }
            q["description"] = json!("number of rows");
            q
        }
    }
}

/// The column a rule is about, when it is about one column.
fn rule_column(rule: &QualityRule) -> Option<String> {
    match rule.columns().as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

struct Object {
    name: String,
    body: Map<String, Value>,
    properties: Vec<Map<String, Value>>,
    quality: Vec<Value>,
    relationships: Vec<Value>,
}

impl Object {
    fn into_value(self) -> Value {
        let mut b = self.body;
        b.insert("properties".into(), Value::Array(self.properties.into_iter().map(Value::Object).collect()));
        if !self.quality.is_empty() {
            b.insert("quality".into(), Value::Array(self.quality));
        }
        if !self.relationships.is_empty() {
            b.insert("relationships".into(), Value::Array(self.relationships));
        }
        Value::Object(b)
    }
}

fn object(name: &str, source: &str, business: &str, description: String) -> Object {
    let mut body = Map::new();
    body.insert("id".into(), json!(stable_id(name)));
    body.insert("name".into(), json!(name));
    body.insert("logicalType".into(), json!("object"));
    body.insert("physicalType".into(), json!("table"));
    body.insert("physicalName".into(), json!(source));
    body.insert("businessName".into(), json!(business));
    body.insert("description".into(), json!(description));
    Object { name: name.to_string(), body, properties: vec![], quality: vec![], relationships: vec![] }
}

fn foreign_key(from_table: &str, to_table: &str, join: &[JoinPair], cardinality: Option<&str>) -> Value {
    let refs = |t: &str, cols: Vec<&str>| -> Value {
        let r: Vec<String> = cols.iter().map(|c| format!("{t}.{c}")).collect();
        if r.len() == 1 {
            json!(r[0])
        } else {
            json!(r)
        }
    };
    let mut v = json!({
        "type": "foreignKey",
        "from": refs(from_table, join.iter().map(|j| j.child.as_str()).collect()),
        "to": refs(to_table, join.iter().map(|j| j.parent.as_str()).collect()),
    });
    if let Some(c) = cardinality {
        v["customProperties"] = json!([{ "property": "cardinality", "value": c }]);
    }
    v
}

/// The ODCS v3 document for `def` (serialise it as YAML or JSON).
pub fn to_odcs(def: &ProductDefinition) -> Value {
    let m = &def.metadata;
    let key = def.entity.key.names();
    // The entity object is named after the product's root table.
    let root = stable_id(&def.entity.name.to_lowercase());
    let mut objects = vec![];
    let mut e = object(
        &root,
        &def.entity.source,
        &def.entity.name,
        format!("One row per {}: the product's root entity.", def.entity.name),
    );
    e.properties = def.entity.fields.iter().map(|f| property(f, &key)).collect();
    e.properties.extend(def.entity.derived.iter().map(derived));
    objects.push(e);
    // Every table of the tree is an object, named by its path (`invoices_lines` for
    // `invoices.lines`: ODCS refers to properties as `object.property`), with a foreign key to
    // its parent's object.
    let tree = def.tree();
    let object_name = |node: Option<usize>| match node {
        None => root.clone(),
        Some(i) => tree.paths[i].replace('.', "_"),
    };
    for n in &tree.nodes {
        let r = n.table;
        let name = object_name(Some(n.index));
        let parent_name = match n.parent {
            None => def.entity.name.clone(),
            Some(p) => format!("`{}`", tree.paths[p]),
        };
        let mut o = object(
            &name,
            &r.source,
            &tree.paths[n.index],
            format!(
                "Related to {parent_name} by {}.",
                r.join.iter().map(|j| format!("{} = {}", j.child, j.parent)).collect::<Vec<_>>().join(", ")
            ),
        );
        o.properties = r.fields.iter().map(|f| property(f, &[])).collect();
        o.properties.extend(r.derived.iter().map(derived));
        let card = match r.cardinality {
            crate::Cardinality::OneToOne => "one_to_one",
            crate::Cardinality::OneToMany => "one_to_many",
        };
        o.relationships.push(foreign_key(&name, &object_name(n.parent), &r.join, Some(card)));
        objects.push(o);
    }
    for l in &tree.lookups {
        let r = l.reference;
        let owner = object_name(l.owner);
        let name = match l.owner {
            None => r.name.clone(),
            Some(_) => format!("{owner}_{}", r.name),
        };
        let owner_label = match l.owner {
            None => def.entity.name.clone(),
            Some(i) => format!("`{}`", tree.paths[i]),
        };
        let mut o = object(&name, &r.source, &r.name, format!("Reference (lookup) table joined to {owner_label}."));
        o.properties = r.fields.iter().map(|f| property(f, &[])).collect();
        // The owner refers to the lookup: owner.parent → reference.child.
        let rel = foreign_key(
            &owner,
            &name,
            &r.join.iter().map(|j| JoinPair { parent: j.child.clone(), child: j.parent.clone() }).collect::<Vec<_>>(),
            None,
        );
        if let Some(o) = objects.iter_mut().find(|o| o.name == owner) {
            o.relationships.push(rel);
        }
        objects.push(o);
    }
    for rule in &def.quality {
        let table = match rule.table() {
            None | Some(crate::ENTITY_TABLE) => root.clone(),
            Some(t) => t.replace('.', "_"),
        };
        let Some(o) = objects.iter_mut().find(|o| o.name == table) else { continue };
        let q = quality(rule, &o.name);
        match rule_column(rule).and_then(|c| o.properties.iter_mut().find(|p| p.get("name") == Some(&json!(c)))) {
            Some(p) => {
                if matches!(rule, QualityRule::NotNull { .. }) {
                    p.insert("required".into(), json!(true));
                }
                if matches!(rule, QualityRule::Unique { .. }) {
                    p.insert("unique".into(), json!(true));
                }
                let list = p.entry("quality").or_insert_with(|| json!([]));
                if let Some(a) = list.as_array_mut() {
                    a.push(q);
                }
            }
            None => o.quality.push(q),
        }
    }
    let mut doc = json!({
        "apiVersion": ODCS_API_VERSION,
        "kind": "DataContract",
        "id": m.name,
        "name": m.name,
        "version": m.version,
        "status": "active",
        "domain": m.domain,
        "dataProduct": m.name,
        "team": { "name": m.owner, "members": [{ "username": m.owner, "role": "owner" }] },
        "schema": objects.into_iter().map(Object::into_value).collect::<Vec<_>>(),
    });
    if let Some(d) = &m.description {
        doc["description"] = json!({ "purpose": d });
    }
    if !m.tags.is_empty() {
        doc["tags"] = json!(m.tags);
    }
    let profiles: Vec<Value> = def
        .masking
        .iter()
        .map(|(name, p)| {
            json!({
                "profile": name,
                "keyVersion": p.key_version.unwrap_or(1),
                "rules": p.rules.iter().map(|r| json!({
                    "target": r.field.clone().unwrap_or_else(|| format!("tag:{}", r.tag.clone().unwrap_or_default())),
                    "rule": r.rule(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut custom = vec![json!({ "property": "stewardFormat", "value": def.steward, "vendor": "steward" })];
    if !profiles.is_empty() {
        custom.push(json!({ "property": "maskingProfiles", "value": profiles, "vendor": "steward" }));
    }
    doc["customProperties"] = json!(custom);
    doc
}
