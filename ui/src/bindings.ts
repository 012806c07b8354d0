// Generated from crates/ipc by `make bindings`. Do not edit: a test fails when this is stale.

export type IpcError = { code: string, message: string, };

export type SourceKind = "csv" | "parquet" | "arrow" | "ndjson" | "excel" | "sqlite";

export type SourceSummary = { id: string, name: string, kind: SourceKind, 
/**
 * Path as written in the workspace manifest (usually relative to the workspace).
 */
path: string, 
/**
 * Sheet or table inside the file, for workbooks and databases.
 */
table: string | null, system: string | null, description: string | null, };

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
