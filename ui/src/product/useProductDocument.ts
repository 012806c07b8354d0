// A product's definition document as a view edits it. Opened from its file; each edit saved on
// the revision last read, one save at a time and the latest edit last. A save refused because
// the file changed on disk (`model.conflict`) is reported and the file reloaded, never written
// over; a change on disk that the watcher reports is reloaded when no edit is waiting.
import { useCallback, useEffect, useRef, useState } from "react";
import type { IpcError, ProductDefinition, ProductDocument, SavedProduct } from "../bindings";
import { api, toIpcError } from "../shared/api";
import { useLatest } from "../shared/hooks";

/** The error code of a save refused because the file changed on disk since it was read. */
export const CONFLICT = "model.conflict";

/** Why a document arrived: opened, edited outside Steward, or reloaded after a refused save. */
export type LoadReason = "open" | "outside" | "conflict";

export type SaveState = "saved" | "saving" | "failed";

export interface ProductDocumentOptions {
  /** The file's revision as the products watcher last reported it (`productsChanged`). */
  diskRevision?: string;
  /** A document arrived: what the view shows is now `doc`. */
  onLoad?: (doc: ProductDocument, reason: LoadReason) => void;
  /** One save landed. */
  onSaved?: (saved: SavedProduct) => void;
  /** Every edit queued has been tried: saved, refused, or dropped by a conflict. */
  onSettled?: () => void;
}

export interface ProductDocumentHandle {
  /** The definition with the latest edit, saved or not; null until the file is read. */
  definition: ProductDefinition | null;
  /** The revision of the file as this view last read or wrote it. */
  revision: string | null;
  /** Reading the file failed, or a save failed for another reason than a conflict. */
  error: IpcError | null;
  /** The latest save was refused because the file had changed on disk, which was reloaded. */
  conflict: IpcError | null;
  saveState: SaveState;
  /** Shows `next` at once and saves it after any save under way; resolves once nothing waits. */
  save: (next: ProductDefinition) => Promise<void>;
  /** An edit is being saved or waits to be. */
  hasUnsavedEdits: () => boolean;
  /** The definition as the latest edit left it, for an edit that builds on one not yet drawn. */
  latest: () => ProductDefinition | null;
}

export function useProductDocument(productId: string, options: ProductDocumentOptions = {}): ProductDocumentHandle {
  const { diskRevision } = options;
  const optionsRef = useLatest(options);
  const [definition, setDefinition] = useState<ProductDefinition | null>(null);
  const [revision, setRevision] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [conflict, setConflict] = useState<IpcError | null>(null);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  // Refs, so edits in quick succession each build on the one before without waiting for a render.
  const base = useRef<string | null>(null);
  const latest = useRef<ProductDefinition | null>(null);
  const saving = useRef(false);
  const pending = useRef<ProductDefinition | null>(null);
  const landed = useRef(0);

  const accept = useCallback(
    (doc: ProductDocument, reason: LoadReason) => {
      base.current = doc.revision;
      latest.current = doc.definition;
      setRevision(doc.revision);
      setDefinition(doc.definition);
      optionsRef.current.onLoad?.(doc, reason);
    },
    [optionsRef],
  );

  useEffect(() => {
    let live = true;
    api.openProduct(productId).then(
      (doc) => {
        if (live) accept(doc, "open");
      },
      (e: unknown) => {
        if (live) setError(toIpcError(e));
      },
    );
    return () => {
      live = false;
    };
  }, [productId, accept]);

  const reload = useCallback(
    async (reason: "outside" | "conflict") => {
      const savesBefore = landed.current;
      const doc = await api.openProduct(productId);
      if (reason === "outside") {
        // The watcher may report one of this view's own saves: the file is what it last wrote.
        if (doc.revision === base.current) return;
        // An edit saved or made meanwhile is newer than what was read.
        if (landed.current !== savesBefore || saving.current || pending.current) return;
      }
      accept(doc, reason);
    },
    [productId, accept],
  );

  // Edits made to the file elsewhere (an editor, git) arrive through the watcher.
  useEffect(() => {
    if (!diskRevision || base.current === null) return;
    if (diskRevision === base.current || saving.current || pending.current) return;
    reload("outside").catch((e: unknown) => setError(toIpcError(e)));
  }, [diskRevision, reload]);

  const save = useCallback(
    async (next: ProductDefinition) => {
      latest.current = next;
      setDefinition(next);
      pending.current = next;
      if (saving.current) return;
      saving.current = true;
      setSaveState("saving");
      let failed = false;
      while (pending.current) {
        const definition = pending.current;
        pending.current = null;
        try {
          const saved = await api.saveProduct({ productId, baseRevision: base.current ?? "", definition });
          landed.current += 1;
          base.current = saved.revision;
          setRevision(saved.revision);
          setError(null);
          setConflict(null);
          optionsRef.current.onSaved?.(saved);
        } catch (e) {
          const err = toIpcError(e);
          if (err.code === CONFLICT) {
            // Never write over the file: show what is on disk now; edits queued on the old one go.
            pending.current = null;
            setConflict(err);
            await reload("conflict").catch((x: unknown) => setError(toIpcError(x)));
          } else {
            failed = true;
            setError(err);
          }
        }
      }
      saving.current = false;
      setSaveState(failed ? "failed" : "saved");
      optionsRef.current.onSettled?.();
    },
    [productId, reload, optionsRef],
  );

  const hasUnsavedEdits = useCallback(() => saving.current || pending.current !== null, []);
  const latestDefinition = useCallback(() => latest.current, []);

  return { definition, revision, error, conflict, saveState, save, hasUnsavedEdits, latest: latestDefinition };
}
