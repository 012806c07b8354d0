//! The definition format. Field order here is the order written to YAML.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use crate::masking::Masking;
use serde::{Deserialize, Serialize};

/// A data product organised around one business entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct ProductDefinition {
    /// Format and version of this file: `steward.product/v1`.
    pub steward: String,
    pub metadata: Metadata,
    /// The root entity: one row per instance key.
    pub entity: Entity,
    /// Tables joined to the root entity (orders, invoices, tickets…), from any source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub related: Vec<Related>,
    /// Lookup tables whose fields are added to the root row (countries, currencies…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub reference: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub quality: Vec<QualityRule>,
    /// Masking profiles per consumer (`analytics`, `support`, `external`…).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub masking: BTreeMap<String, MaskingProfile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Product name: lowercase letters, digits, `-` and `_`.
    pub name: String,
    pub domain: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Semantic version of the definition (`1.2.0`).
    pub version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tags: Vec<String>,
}

/// Logical field types, named as Steward shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Str,
    I64,
    F64,
    Bool,
    Date,
    Datetime,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Str => "str",
            FieldType::I64 => "i64",
            FieldType::F64 => "f64",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
        }
    }
}

/// A selected column, optionally renamed and typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Column name in the source.
    pub column: String,
    /// Name in the product (default: the column name).
    #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<FieldType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Field {
    /// The field's name in the product.
    pub fn name(&self) -> &str {
        self.rename.as_deref().unwrap_or(&self.column)
    }
}

/// A field computed from others by a SQL expression (`first_name || ' ' || last_name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct Derived {
    pub name: String,
    pub sql: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<FieldType>,
}

/// One column name, or several for a composite key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Columns {
    One(String),
    Many(Vec<String>),
}

impl Columns {
    pub fn names(&self) -> Vec<&str> {
        match self {
            Columns::One(c) => vec![c.as_str()],
            Columns::Many(cs) => cs.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Business name of the entity (`Customer`).
    pub name: String,
    /// Workspace source id of the root table.
    pub source: String,
    /// The instance key: product field name(s) identifying one entity.
    pub key: Columns,
    /// Selected fields; all columns of the source when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub derived: Vec<Derived>,
}

/// How a parent field matches a child column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct JoinPair {
    /// Field of the parent table: the root entity, or the related table a child or lookup hangs under.
    pub parent: String,
    /// Column of the joined table.
    pub child: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    OneToOne,
    OneToMany,
}

/// A table joined to its parent: the root entity, or another related table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct Related {
    /// Name of the table in the product (`orders`).
    pub name: String,
    pub source: String,
    /// Join keys; several pairs make a composite key.
    pub join: Vec<JoinPair>,
    pub cardinality: Cardinality,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub derived: Vec<Derived>,
    /// Tables under this one (an invoice's lines), joined on fields of this table, to any depth.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub related: Vec<Related>,
    /// Lookup tables whose fields are added to this table's rows (a line's track).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub reference: Vec<Reference>,
}

/// A lookup table whose fields are added to its owner's rows (the root's, or a related table's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub name: String,
    pub source: String,
    pub join: Vec<JoinPair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub fields: Vec<Field>,
}

/// A quality rule, evaluated on the assembled product. `table` is the entity (default) or the
/// path of a related table (`orders`, `invoices.lines`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum QualityRule {
    NotNull {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        table: Option<String>,
        column: String,
    },
    Unique {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        table: Option<String>,
        column: Columns,
    },
    AcceptedValues {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        table: Option<String>,
        column: String,
        values: Vec<String>,
    },
    Range {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        table: Option<String>,
        column: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        max: Option<f64>,
    },
    Regex {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        table: Option<String>,
        column: String,
        pattern: String,
    },
    RowCount {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        table: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        min: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        max: Option<u64>,
    },
}

impl QualityRule {
    pub fn kind(&self) -> &'static str {
        match self {
            QualityRule::NotNull { .. } => "not_null",
            QualityRule::Unique { .. } => "unique",
            QualityRule::AcceptedValues { .. } => "accepted_values",
            QualityRule::Range { .. } => "range",
            QualityRule::Regex { .. } => "regex",
            QualityRule::RowCount { .. } => "row_count",
        }
    }

    pub fn table(&self) -> Option<&str> {
        match self {
            QualityRule::NotNull { table, .. }
            | QualityRule::Unique { table, .. }
            | QualityRule::AcceptedValues { table, .. }
            | QualityRule::Range { table, .. }
            | QualityRule::Regex { table, .. }
            | QualityRule::RowCount { table, .. } => table.as_deref(),
        }
    }

    /// Columns the rule looks at.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            QualityRule::NotNull { column, .. }
            | QualityRule::AcceptedValues { column, .. }
            | QualityRule::Range { column, .. }
            | QualityRule::Regex { column, .. } => vec![column.as_str()],
            QualityRule::Unique { column, .. } => column.names(),
            QualityRule::RowCount { .. } => vec![],
        }
    }
}

/// A consumer's masking profile: which rules apply to which fields or classification tags.
/// The rule catalogue is defined by Steward's privacy features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct MaskingProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Version of the profile's masking key; rotating the key makes a new version, and every
    /// output of every rule changes with it. Absent means 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_version: Option<u32>,
    /// Thresholds `steward privacy check` enforces (so it can gate CI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<PrivacyChecks>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<MaskingRuleText>>", optional))]
    pub rules: Vec<MaskingRule>,
}

/// Privacy thresholds of a masking profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(deny_unknown_fields)]
pub struct PrivacyChecks {
    /// Entity fields an attacker may know (birth date, postal code…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub quasi_identifiers: Vec<String>,
    /// The attribute that must stay diverse within each group (l-diversity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<String>,
    /// Smallest group of entities sharing all quasi-identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_k: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_l: Option<u64>,
    /// Original values allowed to survive in the masked output (usually 0): in their own rows,
    /// and found anywhere else in the product, free text included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_leaks: Option<u64>,
    /// Columns holding personal data that no rule of the profile covers, allowed (usually 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uncovered: Option<u64>,
}

/// One rule of a masking profile: a catalog rule with typed parameters ([`Masking`]), applied to
/// a field or to every column carrying an accepted tag. It reads and writes as
/// `{ field: email, rule: partial, params: { keep_domain: true } }`; a rule the catalog does not
/// know, or parameters it does not take, do not parse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MaskingRuleText", into = "MaskingRuleText")]
pub struct MaskingRule {
    /// A product field (`orders.email`, or `email` on the entity)…
    pub field: Option<String>,
    /// …or every column carrying an accepted classification tag (`email`).
    pub tag: Option<String>,
    /// Rules with the same id share outputs (default: same rule and parameters, same id).
    pub id: Option<String>,
    pub masking: Masking,
}

impl MaskingRule {
    /// A rule on one field.
    pub fn on_field(field: &str, masking: Masking) -> MaskingRule {
        MaskingRule { field: Some(field.to_string()), tag: None, id: None, masking }
    }

    /// The rule's catalog name (`partial`).
    pub fn rule(&self) -> &'static str {
        self.masking.name()
    }

    /// Its parameters as written, `id` included.
    pub fn params(&self) -> BTreeMap<String, serde_json::Value> {
        let mut p = self.masking.params();
        if let Some(id) = &self.id {
            p.insert(crate::masking::ID_PARAM.to_string(), serde_json::Value::String(id.clone()));
        }
        p
    }
}

/// A masking rule as written: a catalog rule (`rule`) with its parameters (`params`), on a field
/// or a tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields, rename = "MaskingRule"))]
#[serde(deny_unknown_fields)]
#[schemars(rename = "MaskingRule")]
pub struct MaskingRuleText {
    /// A product field (`orders.email`, or `email` on the entity)…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// …or every column carrying an accepted classification tag (`email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Rule name from the catalogue (`redact`, `keyed_pseudonym`, `fake`…).
    #[cfg_attr(feature = "ts", ts(type = "MaskingRuleName"))]
    pub rule: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub params: BTreeMap<String, serde_json::Value>,
}

impl TryFrom<MaskingRuleText> for MaskingRule {
    type Error = String;
    fn try_from(t: MaskingRuleText) -> Result<MaskingRule, String> {
        // Serde names the list, not the item: say which rule it is.
        let target = match (&t.field, &t.tag) {
            (Some(f), _) => format!("the rule on `{f}`"),
            (None, Some(tag)) => format!("the rule on tag `{tag}`"),
            (None, None) => "a rule with no field or tag".to_string(),
        };
        let masking = Masking::from_parts(&t.rule, &t.params).map_err(|e| format!("{target}: {e}"))?;
        let id = crate::masking::rule_id(&t.params).map_err(|e| format!("{target}: {e}"))?;
        Ok(MaskingRule { field: t.field, tag: t.tag, id, masking })
    }
}

impl From<MaskingRule> for MaskingRuleText {
    fn from(r: MaskingRule) -> MaskingRuleText {
        let params = r.params();
        MaskingRuleText { field: r.field, tag: r.tag, rule: r.masking.name().to_string(), params }
    }
}

impl JsonSchema for MaskingRule {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        MaskingRuleText::schema_name()
    }

    /// The written form, with `rule` one of the catalog's names: editors complete and check it.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = MaskingRuleText::json_schema(generator);
        // The catalog's names, and the American spelling it also reads.
        let names: Vec<serde_json::Value> =
            crate::masking::CATALOG.iter().map(|r| r.name).chain(["generalize"]).map(serde_json::Value::from).collect();
        if let Some(rule) = schema
            .as_object_mut()
            .and_then(|o| o.get_mut("properties"))
            .and_then(|p| p.get_mut("rule"))
            .and_then(|r| r.as_object_mut())
        {
            rule.insert("enum".into(), serde_json::Value::Array(names));
        }
        schema
    }
}

/// The name the root table of every product has, beside its related tables' own names.
pub const ENTITY_TABLE: &str = "entity";

/// One table of a product: its root (`entity`) or a related table by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableRef {
    Entity,
    Related(String),
}

impl TableRef {
    /// A table named by a front-end: none or `entity` is the root.
    pub fn parse(name: Option<&str>) -> TableRef {
        match name.map(str::trim) {
            None | Some("") | Some(ENTITY_TABLE) => TableRef::Entity,
            Some(other) => TableRef::Related(other.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            TableRef::Entity => ENTITY_TABLE,
            TableRef::Related(n) => n,
        }
    }
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
