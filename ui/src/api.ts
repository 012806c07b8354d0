// Typed calls into the desktop shell. Every failure arrives as an IpcError {code, message}.
import { invoke } from "@tauri-apps/api/core";
import type { IpcError, PreviewRequest, SourceInspection, WorkspaceInfo } from "./bindings";

/** Turns whatever a rejected invoke carried into an IpcError. */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    return { code: String(code), message: String(message) };
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

export const api = {
  getWorkspace: () => call<WorkspaceInfo>("get_workspace"),
  inspectSource: (sourceId: string) => call<SourceInspection>("inspect_source", { sourceId }),
  /** Arrow IPC bytes of the first rows of a source. */
  previewSource: (request: PreviewRequest) => call<ArrayBuffer>("preview_source", { request }),
};
