// Generated from crates/ipc (the command table) by `make bindings`. Do not edit: a test fails when this is stale.
import type { Channel } from "@tauri-apps/api/core";
import type { AccessInfo, AddFileRequest, AddGrantRequest, CheckDraftRequest, ColumnClassification, ColumnProfile, ColumnProfileRequest, CreateProductRequest, DecisionRequest, DraftDiffInfo, FileTable, GrantInfo, KeepTextRequest, MaskedRowsRequest, ModelIssue, PostgresProbe, PostgresRequest, PreviewRequest, PrivacyReport, PrivacyRequest, ProductDocument, ProductRowsRequest, ProductSummary, ProductsChanged, PublishCheck, PublishProductRequest, PublishedInfo, QualityResult, RegistryCheckInfo, RegistryInfo, RegistryProduct, RegistrySearchRequest, RegistryVersion, RelationsReport, RevealRequest, RevokeGrantRequest, SaveLayoutRequest, SaveProductRequest, SaveSettingsRequest, SavedProduct, ScanProgress, SettingsInfo, SourceInspection, VersionEvidence, VersionRequest, WorkspaceInfo } from "./bindings";

/** Sends one command: its name and arguments, answered with `T` or rejected with an `IpcError`. */
export type Call = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

/** Every command of the desktop shell, typed. */
export function commands(call: Call) {
  return {
    /** The opened workspace and its sources. */
    getWorkspace: () => call<WorkspaceInfo>("get_workspace"),
    /** Columns, types and row count of one source. */
    inspectSource: (sourceId: string) => call<SourceInspection>("inspect_source", { sourceId }),
    /** The first rows of a source, as Arrow IPC bytes. */
    previewSource: (request: PreviewRequest) => call<ArrayBuffer>("preview_source", { request }),
    /** Adds a file after checking it reads; the workspace is unchanged when it does not. */
    addFileSource: (request: AddFileRequest) => call<WorkspaceInfo>("add_file_source", { request }),
    /** The sheets or tables inside a file about to be added (empty for single-table files). */
    listFileTables: (path: string) => call<FileTable[]>("list_file_tables", { path }),
    /** Connects to a PostgreSQL server and lists the tables the user may read. */
    testPostgres: (request: PostgresRequest) => call<PostgresProbe>("test_postgres", { request }),
    /** Adds a PostgreSQL table; its password goes to the OS keychain, never the workspace. */
    addPostgresSource: (request: PostgresRequest) => call<WorkspaceInfo>("add_postgres_source", { request }),
    /** Profiles every column of a source, reporting progress; `cancel_scan` stops it. */
    profileSource: (sourceId: string, scanId: number, onProgress: Channel<ScanProgress>) => call<ColumnProfile[]>("profile_source", { sourceId, scanId, onProgress }),
    /** Asks a running scan to stop; it ends with a `profile.cancelled` error. */
    cancelScan: (scanId: number) => call<boolean>("cancel_scan", { scanId }),
    /** Sensitive-data suggestions for every column of a source, with the saved decisions. */
    classifySource: (sourceId: string) => call<ColumnClassification[]>("classify_source", { sourceId }),
    /** Accepts or rejects a suggestion; saved in the workspace manifest. */
    decideClassification: (request: DecisionRequest) => call<ColumnClassification[]>("decide_classification", { request }),
    /** Keeps a column as text though its values read as ISO-8601 dates, or reads it as dates again; saved in the workspace manifest. */
    keepText: (request: KeepTextRequest) => call<WorkspaceInfo>("keep_text", { request }),
    /** Join-key suggestions across every source of the workspace, reporting progress; `cancel_scan` stops it. Kept until a source or the workspace changes. */
    discoverRelations: (scanId: number, onProgress: Channel<ScanProgress>) => call<RelationsReport>("discover_relations", { scanId, onProgress }),
    /** The product definitions of the workspace. */
    listProducts: () => call<ProductSummary[]>("list_products"),
    /** Validates a product against its sources and data. */
    validateProduct: (productId: string) => call<ModelIssue[]>("validate_product", { productId }),
    /** Validates an edit of a product against its sources and data before it is saved (a join the data contradicts is shown with its numbers); nothing is written. */
    checkDraft: (request: CheckDraftRequest) => call<ModelIssue[]>("check_draft", { request }),
    /** A page of the product table, or one entity's rows of one table, as Arrow IPC bytes. */
    productRows: (request: ProductRowsRequest) => call<ArrayBuffer>("product_rows", { request }),
    /** The product's quality rules evaluated on its assembled tables. */
    productQuality: (productId: string) => call<QualityResult[]>("product_quality", { productId }),
    /** Opens a product definition for the modeller, with its revision and canvas layout. */
    openProduct: (productId: string) => call<ProductDocument>("open_product", { productId }),
    /** Saves an edit atomically; `model.conflict` when the file changed outside. */
    saveProduct: (request: SaveProductRequest) => call<SavedProduct>("save_product", { request }),
    /** Saves where the modeller's nodes are. */
    saveLayout: (request: SaveLayoutRequest) => call<null>("save_layout", { request }),
    /** Creates a product over one root source and opens it. */
    createProduct: (request: CreateProductRequest) => call<ProductDocument>("create_product", { request }),
    /** Reports whenever a definition file is added, edited or removed on disk. */
    watchProducts: (onChange: Channel<ProductsChanged>) => call<null>("watch_products", { onChange }),
    /** One column profiled over all its rows: of a source, or of a product's table. */
    profileColumn: (request: ColumnProfileRequest) => call<ColumnProfile>("profile_column", { request }),
    /** Masks the product with a profile and measures it. */
    privacyReport: (request: PrivacyRequest) => call<PrivacyReport>("privacy_report", { request }),
    /** The first rows of one table, masked, or original for revealed columns, as Arrow IPC bytes. */
    maskedRows: (request: MaskedRowsRequest) => call<ArrayBuffer>("masked_rows", { request }),
    /** The originals of values masked with a reversible rule, for a holder of the key. */
    privacyReveal: (request: RevealRequest) => call<string[]>("privacy_reveal", { request }),
    /** The registry URL and the signing key in use. */
    registryInfo: () => call<RegistryInfo>("registry_info"),
    /** Makes a signing key (secret in the OS keychain) and signs with it from now on. */
    generateSigningKey: (name: string) => call<RegistryInfo>("generate_signing_key", { name }),
    /** Products of the registry, filtered. */
    registrySearch: (request: RegistrySearchRequest) => call<RegistryProduct[]>("registry_search", { request }),
    /** Versions of one product. */
    registryVersions: (name: string) => call<RegistryVersion[]>("registry_versions", { name }),
    /** The local draft of a product against its latest published version. */
    registryDiff: (productId: string) => call<DraftDiffInfo>("registry_diff", { productId }),
    /** Measures the product (validation, quality, privacy) and checks it against the registry's central policy, without signing or sending anything. */
    registryCheck: (productId: string) => call<PublishCheck>("registry_check", { productId }),
    /** Signs the product's definition and its evidence with the steward's key and publishes them. */
    registryPublish: (request: PublishProductRequest) => call<PublishedInfo>("registry_publish", { request }),
    /** The evidence and any override a published version carries. */
    registryEvidence: (request: VersionRequest) => call<VersionEvidence>("registry_evidence", { request }),
    /** The grants of a product: who may read it from a data node, under which profile. */
    registryGrants: (product: string) => call<GrantInfo[]>("registry_grants", { product }),
    /** Signs a grant with the steward's key and records it in the registry. */
    registryGrant: (request: AddGrantRequest) => call<GrantInfo>("registry_grant", { request }),
    /** Signs the revocation of a grant and records it. */
    registryRevokeGrant: (request: RevokeGrantRequest) => call<null>("registry_revoke_grant", { request }),
    /** The newest accesses to a product, from the data node in the settings (for its owners: the steward's key needs an `unmasked` grant). */
    nodeAccesses: (product: string) => call<AccessInfo[]>("node_accesses", { product }),
    /** The steward's settings: the registry saved and the one in use. */
    settingsInfo: () => call<SettingsInfo>("settings_info"),
    /** Saves the settings in the user's config folder and uses the registry from now on. */
    saveSettings: (request: SaveSettingsRequest) => call<SettingsInfo>("save_settings", { request }),
    /** Reaches a registry: its key and how many products it holds. */
    checkRegistry: (url: string) => call<RegistryCheckInfo>("check_registry", { url }),
  };
}
