// Typed calls into the desktop shell. Every failure arrives as an IpcError {code, message}.
import { Channel, invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import type {
  AddFileRequest,
  ColumnClassification,
  ColumnProfile,
  DecisionRequest,
  FileTable,
  IpcError,
  ModelIssue,
  PostgresProbe,
  ProductRowsRequest,
  ProductSummary,
  QualityResult,
  PostgresRequest,
  PreviewRequest,
  RelationsReport,
  ScanProgress,
  SourceInspection,
  WorkspaceInfo,
  ColumnProfileRequest,
  MaskedRowsRequest,
  RevealRequest,
  RegistryInfo,
  RegistrySearchRequest,
  RegistryProduct,
  RegistryVersion,
  DraftDiffInfo,
  PublishProductRequest,
  PublishedInfo,
  PrivacyReportInfo,
  PrivacyRequest,
  CreateProductRequest,
  ProductDocument,
  ProductsChanged,
  SaveLayoutRequest,
  SaveProductRequest,
  SavedProduct,
  ErrorCode,
} from "../bindings";

/** Turns whatever a rejected invoke carried into an IpcError. */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    // Steward sends only codes of the generated union; a test double may send others.
    return { code: String(code) as ErrorCode, message: String(message) };
  }
  return { code: "ui.unexpected", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

let nextScan = 1;

export const api = {
  getWorkspace: () => call<WorkspaceInfo>("get_workspace"),
  inspectSource: (sourceId: string) => call<SourceInspection>("inspect_source", { sourceId }),
  /** Arrow IPC bytes of the first rows of a source. */
  previewSource: (request: PreviewRequest) => call<ArrayBuffer>("preview_source", { request }),
  addFileSource: (request: AddFileRequest) => call<WorkspaceInfo>("add_file_source", { request }),
  listFileTables: (path: string) => call<FileTable[]>("list_file_tables", { path }),
  testPostgres: (request: PostgresRequest) => call<PostgresProbe>("test_postgres", { request }),
  addPostgresSource: (request: PostgresRequest) => call<WorkspaceInfo>("add_postgres_source", { request }),
  /** Starts profiling; `progress` receives updates. Returns the scan id (for cancel) and the result. */
  profileSource: (sourceId: string, progress: (p: ScanProgress) => void) => {
    const scanId = nextScan++;
    const onProgress = new Channel<ScanProgress>();
    onProgress.onmessage = progress;
    const result = call<ColumnProfile[]>("profile_source", { sourceId, scanId, onProgress });
    return { scanId, result };
  },
  cancelScan: (scanId: number) => call<boolean>("cancel_scan", { scanId }),
  classifySource: (sourceId: string) => call<ColumnClassification[]>("classify_source", { sourceId }),
  decideClassification: (request: DecisionRequest) =>
    call<ColumnClassification[]>("decide_classification", { request }),
  discoverRelations: () => call<RelationsReport>("discover_relations"),
  listProducts: () => call<ProductSummary[]>("list_products"),
  validateProduct: (productId: string) => call<ModelIssue[]>("validate_product", { productId }),
  productQuality: (productId: string) => call<QualityResult[]>("product_quality", { productId }),
  /** Arrow IPC bytes: a page of the product table, or one entity's rows of one table. */
  productRows: (request: ProductRowsRequest) => call<ArrayBuffer>("product_rows", { request }),
  /** One column profiled over all its rows, on demand from a grid. */
  profileColumn: (request: ColumnProfileRequest) => call<ColumnProfile>("profile_column", { request }),
  /** Masks the product with a profile and measures it. */
  privacyReport: (request: PrivacyRequest) => call<PrivacyReportInfo>("privacy_report", { request }),
  /** Arrow IPC bytes of the first entity rows, masked, or original for revealed columns. */
  maskedRows: (request: MaskedRowsRequest) => call<ArrayBuffer>("masked_rows", { request }),
  privacyReveal: (request: RevealRequest) => call<string[]>("privacy_reveal", { request }),
  registryInfo: () => call<RegistryInfo>("registry_info"),
  generateSigningKey: (name: string) => call<RegistryInfo>("generate_signing_key", { name }),
  registrySearch: (request: RegistrySearchRequest) => call<RegistryProduct[]>("registry_search", { request }),
  registryVersions: (name: string) => call<RegistryVersion[]>("registry_versions", { name }),
  registryDiff: (productId: string) => call<DraftDiffInfo>("registry_diff", { productId }),
  registryPublish: (request: PublishProductRequest) => call<PublishedInfo>("registry_publish", { request }),
  openProduct: (productId: string) => call<ProductDocument>("open_product", { productId }),
  /** Saves an edit atomically; rejects with `model.conflict` when the file changed outside. */
  saveProduct: (request: SaveProductRequest) => call<SavedProduct>("save_product", { request }),
  saveLayout: (request: SaveLayoutRequest) => call<null>("save_layout", { request }),
  createProduct: (request: CreateProductRequest) => call<ProductDocument>("create_product", { request }),
  /** Calls `onChange` whenever definition files change on disk. */
  watchProducts: (onChange: (c: ProductsChanged) => void) => {
    const channel = new Channel<ProductsChanged>();
    channel.onmessage = onChange;
    return call<null>("watch_products", { onChange: channel });
  },
  /** The native file picker; `null` when the steward closes it. */
  pickFile: async (): Promise<string | null> => {
    const picked = await open({
      multiple: false,
      directory: false,
      filters: [
        {
          name: "Data files",
          extensions: ["csv", "tsv", "txt", "parquet", "arrow", "feather", "ipc", "ndjson", "jsonl", "json", "xlsx", "xlsm", "xls", "ods", "sqlite", "sqlite3", "db"],
        },
      ],
    });
    return typeof picked === "string" ? picked : null;
  },
};
