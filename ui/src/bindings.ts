// Generated from crates/ipc by `make bindings`. Do not edit: a test fails when this is stale.

export type IpcError = { code: string, message: string, };

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
server: string | null, system: string | null, description: string | null, };

export type WorkspaceInfo = { root: string, name: string, sources: Array<SourceSummary>, };

export type ColumnInfo = { name: string, 
/**
 * Polars' type name: `str`, `i64`, `f64`, `date`…
 */
dtype: string, };

export type SourceInspection = { sourceId: string, format: string, table: string | null, columns: Array<ColumnInfo>, rowCount: number, };

export type PreviewRequest = { sourceId: string, 
/**
 * Rows to return, 1 to 100,000.
 */
limit: number, };

export type AddFileRequest = { 
/**
 * Absolute path of the file.
 */
path: string, table: string | null, system: string | null, };

export type PostgresRequest = { host: string, port: number, database: string, user: string, password: string | null, table: string | null, system: string | null, };

export type PostgresProbe = { version: string, 
/**
 * `schema.table` names the user may read.
 */
tables: Array<string>, };

export type FileTable = { name: string, 
/**
 * `sheet`, `table` or `view`.
 */
kind: string, };

export type TopValue = { value: string, count: number, };

export type HistogramBin = { start: string, end: string, count: number, };

export type ColumnProfile = { name: string, dtype: string, rows: number, nulls: number, nullShare: number, distinct: number, distinctExact: boolean, min: string | null, max: string | null, top: Array<TopValue>, 
/**
 * `number`, `date` or `datetime`; absent for text.
 */
histogramKind: string | null, histogram: Array<HistogramBin>, };

export type ScanProgress = { done: number, total: number, stage: string, };

export type ColumnClassification = { column: string, dtype: string, tag: string | null, confidence: number | null, evidence: string | null, accepted: Array<string>, rejected: Array<string>, };

export type DecisionRequest = { sourceId: string, column: string, tag: string, accepted: boolean, };

export type Relation = { parent: string, parentColumn: string, child: string, childColumn: string, score: number, inclusion: number, orphanShare: number, orphanRows: number, 
/**
 * `1:1` or `1:n`.
 */
cardinality: string, evidence: string, };

export type RelationsReport = { suggestions: Array<Relation>, 
/**
 * Sources that could not be read, as errors.
 */
skipped: Array<IpcError>, };

export type ProductSummary = { 
/**
 * File stem, used to address the product in commands.
 */
id: string, name: string, version: string, entity: string, key: Array<string>, related: Array<string>, 
/**
 * Why the file could not be read, if it could not.
 */
error: IpcError | null, };

export type ModelIssue = { path: string, 
/**
 * `error` or `warning`.
 */
severity: string, code: string, message: string, };

export type ProductRowsRequest = { productId: string, 
/**
 * One value per key field: that entity's rows of `table`. Absent: a page of the product table.
 */
key: Array<string> | null, 
/**
 * `entity` or a related table's name (with `key`).
 */
table: string | null, offset: number, limit: number, };

export type QualityResult = { 
/**
 * `quality[3]`: where the rule is in the definition.
 */
path: string, rule: string, table: string, columns: Array<string>, violations: number, checked: number, samples: Array<string>, passed: boolean, };
