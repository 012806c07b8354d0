// Generated from crates/ipc by `make bindings`. Do not edit: a test fails when this is stale.

export type AccessInfo = { index: number, at: string, consumerName: string, 
/**
 * The consumer key's fingerprint.
 */
consumer: string, version: string, profile: string, 
/**
 * `entity`, `rows`, `arrow`, `parquet` or `accesses`.
 */
endpoint: string, entities: number, };

export type AddFileRequest = { 
/**
 * Absolute path of the file.
 */
path: string, table: string | null, system: string | null, };

export type AddGrantRequest = { product: string, 
/**
 * The consumer's public key (`ed25519:…`), or the name of a key on this machine.
 */
consumer: string, consumerName: string, 
/**
 * A masking profile of the product, or `unmasked`.
 */
profile: string, 
/**
 * A semver range; default: the latest version's major.
 */
versions: string | null, 
/**
 * A date (`2027-06-30`) or an RFC 3339 time.
 */
expires: string | null, };

export type CanvasPosition = { x: number, y: number, };

export type Cardinality = "one_to_one" | "one_to_many";

export type CheckDraftRequest = { productId: string, definition: ProductDefinition, };

export type ClassificationSuggestion = { column: string, tag: PiiTag, 
/**
 * 0..1.
 */
confidence: number, 
/**
 * Why, in words: "9,812 of 10,000 sampled values are valid emails; name `email_addr`".
 */
evidence: string, matched: number, sampled: number, };

export type ColumnClassification = { column: string, dtype: string, suggestion: ClassificationSuggestion | null, accepted: Array<string>, rejected: Array<string>, };

export type ColumnInfo = { name: string, 
/**
 * Polars' name for the type (`str`, `i64`, `f64`, `date`…).
 */
dtype: string, };

export type ColumnLeaks = { column: string, 
/**
 * Rows whose masked value is their own original value: a leak.
 */
same_row: number, 
/**
 * Other masked columns of the same row holding this column's original value: leaks too.
 */
other_columns: Array<[string, number]>, 
/**
 * Distinct original values that appear anywhere in the masked column, in any row. Synthetic
 * values drawn from real name lists meet real names by chance, so this is shown, not
 * counted as a leak.
 */
anywhere: number, };

export type ColumnProfile = { name: string, dtype: string, rows: number, nulls: number, null_share: number, distinct: number, 
/**
 * Distinct counts are exact; kept explicit so estimated counts can be told apart later.
 */
distinct_exact: boolean, min: string | null, max: string | null, top: Array<TopValue>, histogram: Histogram | null, };

export type ColumnProfileRequest = { sourceId: string | null, productId: string | null, 
/**
 * With `productId`: `entity` (default) or a related table's name.
 */
table: string | null, column: string, };

export type Columns = string | Array<string>;

export type CreateProductRequest = { 
/**
 * File stem and product name: lowercase letters, digits, `-` and `_`.
 */
productId: string, 
/**
 * Business name of the entity (`Customer`).
 */
entity: string, sourceId: string, 
/**
 * Column(s) of the source that identify one entity.
 */
key: Array<string>, 
/**
 * Who answers for the product (a team or an address).
 */
owner: string, };

export type CsvDialect = { delimiter: string, quote: string, has_header: boolean, 
/**
 * `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `windows-1252`.
 */
encoding: string, };

export type DecisionRequest = { sourceId: string, column: string, tag: string, accepted: boolean, };

export type Derived = { name: string, sql: string, type?: FieldType, };

export type DiffChangeInfo = { path: string, kind: string, message: string, 
/**
 * `none`, `patch`, `minor` or `major`.
 */
bump: string, };

export type DraftDiffInfo = { product: string, draftVersion: string, 
/**
 * The latest published version; absent when the product is not published yet.
 */
published: string | null, changes: Array<DiffChangeInfo>, 
/**
 * The bump the changes call for (`none`…`major`).
 */
suggested: string, 
/**
 * The draft's version does not increase enough: publishing will be refused.
 */
underBumped: boolean, privacyReview: boolean, };

export type Entity = { 
/**
 * Business name of the entity (`Customer`).
 */
name: string, 
/**
 * Workspace source id of the root table.
 */
source: string, 
/**
 * The instance key: product field name(s) identifying one entity.
 */
key: Columns, 
/**
 * Selected fields; all columns of the source when empty.
 */
fields?: Array<Field>, derived?: Array<Derived>, };

export type Evidence = { 
/**
 * When it was measured (RFC 3339).
 */
measured_at: string, 
/**
 * The Steward release that measured it.
 */
steward: string, 
/**
 * Instances of the entity the measures cover.
 */
entities: number, validation: ValidationEvidence, quality: QualityEvidence, 
/**
 * Fields holding personal data (accepted classifications, or suggestions Steward is sure of).
 */
personal_data: Array<PersonalField>, 
/**
 * Suggestions Steward was sure of that the steward dismissed: recorded so the policy and its
 * officers, not the steward alone, decide about a tag the policy requires masked.
 */
dismissed?: Array<PersonalField>, profiles: Array<ProfileEvidence>, };

export type Field = { 
/**
 * Column name in the source.
 */
column: string, 
/**
 * Name in the product (default: the column name).
 */
as?: string, type?: FieldType, description?: string, };

export type FieldType = "str" | "i64" | "f64" | "bool" | "date" | "datetime";

export type FileFormat = "csv" | "parquet" | "arrow" | "ndjson" | "excel" | "sqlite" | "postgres";

export type FileTable = { name: string, 
/**
 * `sheet`, `table` or `view`.
 */
kind: string, };

export type FoundElsewhere = { 
/**
 * The masked field whose originals were found, as rules name it: `street_address` (the
 * entity's) or `invoices.billing_address`.
 */
field: string, 
/**
 * Where: a table (`invoices`, `orders.lines`) and its column left in clear.
 */
table: string, column: string, 
/**
 * Rows of that column holding at least one of the originals.
 */
rows: number, 
/**
 * Found inside longer text rather than as the whole cell.
 */
in_text: boolean, };

export type GrantInfo = { 
/**
 * `sha256:…` of the signed grant: how it is named and revoked.
 */
digest: string, consumerName: string, 
/**
 * The consumer key's fingerprint.
 */
consumer: string, profile: string, 
/**
 * A semver range.
 */
versions: string, expires: string | null, grantedAt: string, 
/**
 * Fingerprint of the key that signed the grant.
 */
signer: string, 
/**
 * Why it was revoked; absent while it is in force.
 */
revoked: string | null, };

export type Histogram = { 
/**
 * `number`, `date` or `datetime`.
 */
kind: string, bins: Array<HistogramBin>, };

export type HistogramBin = { 
/**
 * Lower bound, as shown (a number, or a date for date columns).
 */
start: string, end: string, count: number, };

export type IpcError = { code: ErrorCode, message: string, };

export type JoinPair = { 
/**
 * Field of the parent table: the root entity, or the related table a child or lookup hangs under.
 */
parent: string, 
/**
 * Column of the joined table.
 */
child: string, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type KeepTextRequest = { sourceId: string, column: string, 
/**
 * Keep the column as text; false reads it as dates again.
 */
keep: boolean, };

export type KeyCollisions = { table: string, field: string, collisions: number, };

export type MaskedField = { 
/**
 * `entity` or a related table's name.
 */
table: string, field: string, 
/**
 * Where the rule is: `masking[analytics].rules[2]`.
 */
at: string, rule: string, 
/**
 * Why the rule applies: `field` or `tag:email`; `join key` for keys remapped with the root's.
 */
via: string, properties: RuleProperties, };

export type MaskedFieldEvidence = { field: string, rule: string, 
/**
 * Whether a holder of the masking key can get the original back.
 */
reversible: boolean, };

export type MaskedRowsRequest = { productId: string, profile: string, 
/**
 * `entity` (absent) or a related table's name.
 */
table: string | null, 
/**
 * `masked`, or `original` (then only `columns` are sent: originals are revealed per column).
 */
side: string, columns: Array<string> | null, limit: number, };

export type MaskingProfile = { description?: string, 
/**
 * Version of the profile's masking key; rotating the key makes a new version, and every
 * output of every rule changes with it. Absent means 1.
 */
key_version?: number, 
/**
 * Thresholds `steward privacy check` enforces (so it can gate CI).
 */
checks?: PrivacyChecks, rules?: Array<MaskingRule>, };

export type MaskingRule = { 
/**
 * A product field (`orders.email`, or `email` on the entity)…
 */
field?: string, 
/**
 * …or every column carrying an accepted classification tag (`email`).
 */
tag?: string, 
/**
 * Rule name from the catalogue (`redact`, `keyed_pseudonym`, `fake`…).
 */
rule: MaskingRuleName, params?: { [key in string]: JsonValue }, };

export type Metadata = { 
/**
 * Product name: lowercase letters, digits, `-` and `_`.
 */
name: string, domain: string, owner: string, description?: string, 
/**
 * Semantic version of the definition (`1.2.0`).
 */
version: string, tags?: Array<string>, };

export type ModelIssue = { 
/**
 * Where: `related[orders].join[0].parent`.
 */
path: string, severity: Severity, 
/**
 * Stable code: `model.unknown_field`, `model.join_type_mismatch`…
 */
code: string, message: string, };

export type PersonalField = { 
/**
 * As rules name it: `email`, `invoices.billing_address`.
 */
field: string, 
/**
 * `email`, `phone`, `street_address`…
 */
tag: string, };

export type PiiTag = "email" | "phone" | "person_name" | "street_address" | "postal_code" | "birth_date" | "national_id" | "payment_card" | "iban" | "ip_address" | "free_text_pii";

export type PostgresProbe = { version: string, 
/**
 * `schema.table` names the user may read.
 */
tables: Array<string>, };

export type PostgresRequest = { host: string, port: number, database: string, user: string, password: string | null, table: string | null, system: string | null, 
/**
 * TLS as libpq names it (`verify-full`, the default when absent; `verify-ca`, `require`,
 * `prefer`, `disable`).
 */
sslMode: string | null, 
/**
 * PEM file of a private CA, relative to the workspace or absolute.
 */
sslRootCert: string | null, };

export type PreviewRequest = { sourceId: string, 
/**
 * Rows to return, 1 to 100,000.
 */
limit: number, 
/**
 * Rows to skip first: a grid fetches the page the steward scrolls or jumps to.
 */
offset?: number, };

export type PrivacyChecks = { 
/**
 * Entity fields an attacker may know (birth date, postal code…).
 */
quasi_identifiers?: Array<string>, 
/**
 * The attribute that must stay diverse within each group (l-diversity).
 */
sensitive?: string, 
/**
 * Smallest group of entities sharing all quasi-identifiers.
 */
min_k?: number, min_l?: number, 
/**
 * Original values allowed to survive in the masked output (usually 0): in their own rows,
 * and found anywhere else in the product, free text included.
 */
max_leaks?: number, 
/**
 * Columns holding personal data that no rule of the profile covers, allowed (usually 0).
 */
max_uncovered?: number, };

export type PrivacyReport = { product: string, profile: string, key_version: number, fields: Array<MaskedField>, leaks: Array<TableLeaks>, total_leaks: number, collisions: Array<KeyCollisions>, risk: Reidentification | null, 
/**
 * Originals of masked fields found in columns left in clear, anywhere in the product (each
 * row counts as a leak).
 */
found_elsewhere: Array<FoundElsewhere>, 
/**
 * Fields holding personal data that no rule of the profile masks.
 */
uncovered: Array<Uncovered>, 
/**
 * Derived fields computed from masked fields that are not masked themselves.
 */
warnings: Array<string>, 
/**
 * Thresholds of the profile that the masked product breaks.
 */
violations: Array<string>, };

export type PrivacyRequest = { productId: string, profile: string, 
/**
 * Quasi-identifiers (entity fields); absent: the profile's.
 */
quasi: Array<string> | null, sensitive: string | null, };

export type ProductDefinition = { 
/**
 * Format and version of this file: `steward.product/v1`.
 */
steward: string, metadata: Metadata, 
/**
 * The root entity: one row per instance key.
 */
entity: Entity, 
/**
 * Tables joined to the root entity (orders, invoices, tickets…), from any source.
 */
related?: Array<Related>, 
/**
 * Lookup tables whose fields are added to the root row (countries, currencies…).
 */
reference?: Array<Reference>, quality?: Array<QualityRule>, 
/**
 * Masking profiles per consumer (`analytics`, `support`, `external`…).
 */
masking?: { [key in string]: MaskingProfile }, };

export type ProductDocument = { productId: string, 
/**
 * Identifies the file's content; saves name the revision they build on.
 */
revision: string, definition: ProductDefinition, 
/**
 * Node positions by node id (`entity`, `related:orders`, `reference:country`).
 */
layout: { [key in string]: CanvasPosition }, 
/**
 * Problems found without reading data (names, references, rules).
 */
issues: Array<ModelIssue>, };

export type ProductRowsRequest = { productId: string, 
/**
 * One value per key field: that entity's rows of `table`. Absent: a page of the product table.
 */
key: Array<string> | null, 
/**
 * `entity` or a related table's name (with `key`).
 */
table: string | null, offset: number, limit: number, };

export type ProductSummary = { 
/**
 * File stem, used to address the product in commands.
 */
id: string, name: string, version: string, entity: string, key: Array<string>, related: Array<string>, 
/**
 * Why the file could not be read, if it could not.
 */
error: IpcError | null, };

export type ProductsChanged = { 
/**
 * Ids of the products added, edited or removed.
 */
changed: Array<string>, 
/**
 * The current revision of every product.
 */
revisions: { [key in string]: string }, };

export type ProfileEvidence = { name: string, 
/**
 * Every masked field and the rule that masks it.
 */
masked: Array<MaskedFieldEvidence>, 
/**
 * k-anonymity over the profile's quasi-identifiers; `None` when it declares none.
 */
k: number | null, quasi_identifiers: Array<string>, 
/**
 * Original values found in the masked product, anywhere.
 */
leaks: number, 
/**
 * Personal-data fields no rule of the profile masks (`field tag`).
 */
uncovered: Array<string>, 
/**
 * The profile's own thresholds that the masked product breaks.
 */
violations: Array<string>, };

export type PublishCheck = { evidence: Evidence, shortfalls: Array<Shortfall>, };

export type PublishProductRequest = { productId: string, 
/**
 * Publish a breaking change without a major bump; needs `reason`, recorded in the audit log.
 */
allowBreaking: boolean, reason: string | null, 
/**
 * A privacy officer's signed override of the central policy: the file `steward registry
 * waive` wrote (an absolute path).
 */
waiver: string | null, };

export type PublishedInfo = { name: string, version: string, digest: string, logIndex: number, entryHash: string, 
/**
 * Masking got weaker than in the previous version: flagged in the log for privacy review.
 */
privacyReview: boolean, previous: string | null, };

export type QualityEvidence = { rules: number, passed: number, 
/**
 * The rules that failed, as `rule column` (`regex phone`), never with a value.
 */
failed: Array<string>, };

export type QualityResult = { 
/**
 * Where the rule is in the definition: `quality[3]`.
 */
path: string, 
/**
 * Position of the rule in the definition.
 */
index: number, rule: string, table: string, columns: Array<string>, 
/**
 * Rows breaking the rule (for `row_count`: 1 when the count is out of bounds).
 */
violations: number, 
/**
 * Rows the rule looked at.
 */
checked: number, samples: Array<string>, passed: boolean, };

export type QualityRule = { "rule": "not_null", table?: string, column: string, } | { "rule": "unique", table?: string, column: Columns, } | { "rule": "accepted_values", table?: string, column: string, values: Array<string>, } | { "rule": "range", table?: string, column: string, min?: number, max?: number, } | { "rule": "regex", table?: string, column: string, pattern: string, } | { "rule": "row_count", table?: string, min?: number, max?: number, };

export type Reference = { name: string, source: string, join: Array<JoinPair>, fields?: Array<Field>, };

export type RegistryCheckInfo = { url: string, 
/**
 * The fingerprint of the registry's own key, which consumers pin.
 */
registryKey: string | null, products: number, };

export type RegistryInfo = { 
/**
 * Absent: no registry configured (`STEWARD_REGISTRY`).
 */
url: string | null, keyName: string | null, fingerprint: string | null, 
/**
 * The public key (`ed25519:…`), to give to a registry admin.
 */
publicKey: string | null, 
/**
 * Why there is no key to sign with.
 */
keyError: string | null, };

export type RegistryProduct = { name: string, latest: string, domain: string, owner: string, tags: Array<string>, description: string | null, versions: number, deprecated: string | null, };

export type RegistrySearchRequest = { q: string | null, domain: string | null, owner: string | null, tag: string | null, };

export type RegistryVersion = { version: string, digest: string, signer: string, publishedAt: string, yanked: string | null, deprecated: string | null, };

export type Reidentification = { rows: number, quasi_identifiers: Array<string>, 
/**
 * Equivalence classes: rows sharing all quasi-identifier values.
 */
classes: number, 
/**
 * k: the size of the smallest class.
 */
k: number, 
/**
 * (class size, number of classes of that size), smallest first.
 */
class_sizes: Array<[number, number]>, 
/**
 * Share of rows alone in their class.
 */
unique_share: number, 
/**
 * Prosecutor risk: 1/k at worst, classes/rows on average.
 */
prosecutor_max: number, prosecutor_avg: number, 
/**
 * l: fewest distinct sensitive values in a class, when a sensitive attribute is given.
 */
sensitive: string | null, l: number | null, };

export type Related = { 
/**
 * Name of the table in the product (`orders`).
 */
name: string, source: string, 
/**
 * Join keys; several pairs make a composite key.
 */
join: Array<JoinPair>, cardinality: Cardinality, fields?: Array<Field>, derived?: Array<Derived>, 
/**
 * Tables under this one (an invoice's lines), joined on fields of this table, to any depth.
 */
related?: Array<Related>, 
/**
 * Lookup tables whose fields are added to this table's rows (a line's track).
 */
reference?: Array<Reference>, };

export type Relation = { parent: string, parent_columns: Array<string>, child: string, child_columns: Array<string>, 
/**
 * 0..1, from inclusion and name evidence.
 */
score: number, 
/**
 * Share of the child's distinct values found among the parent's keys.
 */
inclusion: number, 
/**
 * Share of the child's non-null rows whose value has no parent.
 */
orphan_share: number, orphan_rows: number, 
/**
 * Share of the parent's keys that at least one child row refers to: an invoice's lines
 * cover every invoice, but only the tracks that were ever sold.
 */
parent_coverage: number, cardinality: RelationCardinality, role: RelationRole, evidence: string, };

export type RelationCardinality = "1:1" | "1:n";

export type RelationRole = "child" | "lookup";

export type RelationsReport = { suggestions: Array<Relation>, skipped: Array<SkippedSource>, };

export type RevealRequest = { productId: string, profile: string, 
/**
 * `card_number` (entity) or `orders.card`.
 */
field: string, values: Array<string>, 
/**
 * The key version the values were masked with; absent: the profile's current one.
 */
keyVersion: number | null, };

export type RevokeGrantRequest = { digest: string, reason: string, };

export type RuleProperties = { deterministic: boolean, reversible: boolean, format_preserving: boolean, unique_preserving: boolean, locale_aware: boolean, };

export type SaveLayoutRequest = { productId: string, layout: { [key in string]: CanvasPosition }, };

export type SaveProductRequest = { productId: string, baseRevision: string, definition: ProductDefinition, };

export type SaveSettingsRequest = { 
/**
 * Registry URL; empty or absent: no registry.
 */
registry: string | null, 
/**
 * The app's colours; absent: as saved.
 */
theme: Theme | null, 
/**
 * The data node's URL; absent: as saved; empty: none.
 */
node: string | null, };

export type SavedProduct = { revision: string, issues: Array<ModelIssue>, };

export type ScanProgress = { done: number, total: number, stage: string, };

export type SettingsInfo = { 
/**
 * The registry saved in the settings.
 */
registry: string | null, 
/**
 * The registry this run uses: `STEWARD_REGISTRY` when it was set at start-up, else the saved one.
 */
registryInUse: string | null, 
/**
 * Where the settings file is.
 */
path: string, 
/**
 * The app's colours.
 */
theme: Theme, 
/**
 * The domain's data node, whose access log the product's owners read.
 */
node: string | null, };

export type Severity = "error" | "warning";

export type Shortfall = { 
/**
 * `max_leaks`, `min_k`, `masked[email]`…
 */
requirement: string, message: string, fix: string, };

export type SkippedSource = { source_id: string, code: ErrorCode, message: string, };

export type SourceInspection = { path: string, format: FileFormat, 
/**
 * The table, sheet or view inspected, for files that hold several.
 */
table: string | null, 
/**
 * Every table in the file (empty for single-table formats).
 */
tables: Array<TableInfo>, columns: Array<ColumnInfo>, 
/**
 * Exact number of data rows (a header row is not counted).
 */
row_count: number, dialect: CsvDialect | null, };

export type SourceKind = "csv" | "parquet" | "arrow" | "ndjson" | "excel" | "sqlite" | "postgres";

export type SourceSummary = { id: string, name: string, kind: SourceKind, 
/**
 * Path as written in the workspace manifest (usually relative to the workspace).
 */
path: string, 
/**
 * Sheet or table inside the file, for workbooks and databases.
 */
table: string | null, 
/**
 * `user@host:port/database` of a database source (never a password).
 */
server: string | null, system: string | null, description: string | null, 
/**
 * Columns kept as text though their values read as ISO-8601 dates.
 */
keepText: Array<string>, };

export type TableInfo = { name: string, 
/**
 * `table`, `view` or `sheet`.
 */
kind: string, };

export type TableLeaks = { table: string, columns: Array<ColumnLeaks>, };

export type Theme = "system" | "light" | "dark";

export type TopValue = { value: string, count: number, };

export type Uncovered = { 
/**
 * `entity`, `invoices` or `orders.lines`.
 */
table: string, field: string, 
/**
 * The personal-data tag (`street_address`, `phone`…).
 */
tag: string, 
/**
 * `accepted` (the steward said so) or `suggested` (Steward is at least
 * [`UNCOVERED_CONFIDENCE`] sure).
 */
why: string, 
/**
 * How sure the suggestion is, when it is one.
 */
confidence: number | null, };

export type ValidationEvidence = { errors: number, warnings: number, };

export type VersionEvidence = { evidence: Evidence | null, waiver: WaiverInfo | null, };

export type VersionRequest = { name: string, version: string, };

export type WaiverInfo = { reason: string, waives: Array<string>, };

export type WorkspaceInfo = { root: string, name: string, sources: Array<SourceSummary>, };

/** Every rule name a definition may use (`generalize` is read as `generalise`). */
export type MaskingRuleName = "null" | "redact" | "constant" | "partial" | "keyed_pseudonym" | "fpe" | "key_remap" | "generalise" | "noise" | "shuffle" | "fake" | "linked_address" | "generalize";

/** The masking-rule catalog: what each rule does, its parameters and their types. */
export const MASKING_CATALOG = [
  {
    "name": "null",
    "doc": "replace with null",
    "params": [],
    "strength": 4
  },
  {
    "name": "redact",
    "doc": "replace text with a marker (`with`, default [redacted])",
    "params": [
      {
        "name": "with",
        "kind": {
          "type": "text"
        },
        "required": false
      }
    ],
    "strength": 4
  },
  {
    "name": "constant",
    "doc": "replace with `value`",
    "params": [
      {
        "name": "value",
        "kind": {
          "type": "scalar"
        },
        "required": true
      }
    ],
    "strength": 4
  },
  {
    "name": "partial",
    "doc": "keep `keep_last`/`keep_first` digits or characters, or the email domain (`keep_domain`)",
    "params": [
      {
        "name": "keep_first",
        "kind": {
          "type": "whole_number"
        },
        "required": false
      },
      {
        "name": "keep_last",
        "kind": {
          "type": "whole_number"
        },
        "required": false
      },
      {
        "name": "keep_domain",
        "kind": {
          "type": "flag"
        },
        "required": false
      },
      {
        "name": "mask",
        "kind": {
          "type": "text"
        },
        "required": false
      }
    ],
    "strength": 1
  },
  {
    "name": "keyed_pseudonym",
    "doc": "keyed BLAKE3 token (`prefix`, `length`)",
    "params": [
      {
        "name": "prefix",
        "kind": {
          "type": "text"
        },
        "required": false
      },
      {
        "name": "length",
        "kind": {
          "type": "whole_number"
        },
        "required": false
      }
    ],
    "strength": 3
  },
  {
    "name": "fpe",
    "doc": "FF1 format-preserving encryption of the digits, reversible by key holders",
    "params": [],
    "strength": 2
  },
  {
    "name": "key_remap",
    "doc": "bijective remapping of instance and join keys: no collisions, joins still join",
    "params": [],
    "strength": 3
  },
  {
    "name": "generalise",
    "doc": "`to`: month, year, band (`width`), age_band (`width`, `as_of`), prefix (`keep`), bucket (`width`)",
    "params": [
      {
        "name": "to",
        "kind": {
          "type": "one_of",
          "values": [
            "month",
            "year",
            "band",
            "age_band",
            "prefix",
            "bucket"
          ]
        },
        "required": true
      },
      {
        "name": "width",
        "kind": {
          "type": "number"
        },
        "required": false
      },
      {
        "name": "keep",
        "kind": {
          "type": "whole_number"
        },
        "required": false
      },
      {
        "name": "as_of",
        "kind": {
          "type": "date"
        },
        "required": false
      }
    ],
    "strength": 1
  },
  {
    "name": "noise",
    "doc": "numbers ±`pct`%, dates shifted up to ±`days`, one offset per entity",
    "params": [
      {
        "name": "pct",
        "kind": {
          "type": "number"
        },
        "required": false
      },
      {
        "name": "days",
        "kind": {
          "type": "number"
        },
        "required": false
      }
    ],
    "strength": 1
  },
  {
    "name": "shuffle",
    "doc": "keyed shuffle of the values within the column",
    "params": [],
    "strength": 2
  },
  {
    "name": "fake",
    "doc": "synthetic `kind` in `locale`: name, first_name, last_name, email, phone, street_address, city, postal_code, company, iban, card",
    "params": [
      {
        "name": "kind",
        "kind": {
          "type": "one_of",
          "values": [
            "name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "street_address",
            "city",
            "postal_code",
            "company",
            "iban",
            "card"
          ]
        },
        "required": true
      },
      {
        "name": "locale",
        "kind": {
          "type": "one_of",
          "values": [
            "en",
            "fr_fr",
            "de_de",
            "it_it",
            "nl_nl",
            "pt_br"
          ]
        },
        "required": false
      }
    ],
    "strength": 3
  },
  {
    "name": "linked_address",
    "doc": "`part` (street_address, city, postal_code, country) of one fake address from the row's `from` columns",
    "params": [
      {
        "name": "part",
        "kind": {
          "type": "one_of",
          "values": [
            "street_address",
            "city",
            "postal_code",
            "country"
          ]
        },
        "required": true
      },
      {
        "name": "locale",
        "kind": {
          "type": "one_of",
          "values": [
            "en",
            "fr_fr",
            "de_de",
            "it_it",
            "nl_nl",
            "pt_br"
          ]
        },
        "required": false
      },
      {
        "name": "from",
        "kind": {
          "type": "columns"
        },
        "required": true
      }
    ],
    "strength": 3
  }
] as const;

/** Every code a failed command can carry: match on these, never on messages. */
export type ErrorCode = "app.internal" | "app.invalid_input" | "app.no_node" | "app.state" | "app.task" | "assembly.derived" | "assembly.invalid_name" | "assembly.key" | "assembly.missing_source" | "assembly.polars" | "assembly.write" | "ipc.invalid_input" | "model.conflict" | "model.invalid" | "model.io" | "model.parse" | "node.bad_request" | "node.error" | "node.forbidden" | "node.io" | "node.not_found" | "node.registry" | "node.timeout" | "node.unpublished" | "node.unreachable" | "node.unverified" | "node.workspace" | "privacy.column" | "privacy.polars" | "privacy.rule" | "product.not_found" | "product.unknown_entity" | "profile.cancelled" | "profile.column" | "registry.bad_request" | "registry.breaking_change" | "registry.invalid" | "registry.not_found" | "registry.policy" | "registry.replay" | "registry.signature" | "registry.storage" | "registry.timeout" | "registry.too_large" | "registry.unconfigured" | "registry.unreachable" | "registry.untrusted" | "registry.version_exists" | "registry.version_not_newer" | "secret.foreign_entry" | "secret.invalid_name" | "secret.keychain" | "secret.lock" | "secret.not_found" | "secret.random" | "secret.unavailable" | "signature.busy" | "signature.coverage" | "signature.invalid" | "signature.malformed" | "signature.missing" | "signature.replayed" | "signature.stale" | "signature.unknown_key" | "signing.canonical" | "signing.envelope" | "signing.io" | "signing.key" | "signing.signature" | "source.auth" | "source.cancelled" | "source.corrupt" | "source.empty" | "source.encode" | "source.encoding" | "source.encrypted" | "source.io" | "source.malformed" | "source.no_such_table" | "source.not_found" | "source.ragged" | "source.read" | "source.table_required" | "source.unreachable" | "source.unsupported" | "ui.unexpected" | "workspace.invalid" | "workspace.io" | "workspace.no_manifest" | "workspace.none" | "workspace.not_found" | "workspace.unknown_source";
