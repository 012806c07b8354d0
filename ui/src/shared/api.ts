// Typed calls into the desktop shell. Every failure arrives as an IpcError {code, message}.
import { Channel, invoke } from "@tauri-apps/api/core";
import { open } from "@tauri-apps/plugin-dialog";
import type { ErrorCode, IpcError, ProductsChanged, ScanProgress } from "../bindings";
import { commands } from "../commands";

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

/** Every command, typed from the shell's command table (generated), sent through `call`. */
const generated = commands(call);

export const api = {
  ...generated,
  /** Starts profiling; `progress` receives updates. Returns the scan id (for cancel) and the result. */
  profileSource: (sourceId: string, progress: (p: ScanProgress) => void) => {
    const scanId = nextScan++;
    const onProgress = new Channel<ScanProgress>();
    onProgress.onmessage = progress;
    return { scanId, result: generated.profileSource(sourceId, scanId, onProgress) };
  },
  /** Starts relationship discovery; `progress` receives updates. Returns the scan id (for cancel) and the result. */
  discoverRelations: (progress: (p: ScanProgress) => void) => {
    const scanId = nextScan++;
    const onProgress = new Channel<ScanProgress>();
    onProgress.onmessage = progress;
    return { scanId, result: generated.discoverRelations(scanId, onProgress) };
  },
  /** Calls `onChange` whenever definition files change on disk. */
  watchProducts: (onChange: (c: ProductsChanged) => void) => {
    const channel = new Channel<ProductsChanged>();
    channel.onmessage = onChange;
    return generated.watchProducts(channel);
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
  /** The native file picker for a privacy officer's signed override (JSON); `null` when closed. */
  pickWaiver: async (): Promise<string | null> => {
    const picked = await open({ multiple: false, directory: false, filters: [{ name: "Signed override", extensions: ["json"] }] });
    return typeof picked === "string" ? picked : null;
  },
};
