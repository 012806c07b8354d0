// The modeller's toolbar (undo, redo, layout, whether the model is saved and valid) and its list
// of problems, each leading to the table it is about.
import type { ModelIssue, ProductDefinition } from "../bindings";
import type { SaveState } from "../product/useProductDocument";
import * as D from "./definition";
import type { History } from "./history";
import { count } from "../shared/plural";

export function Toolbar({
  hist,
  undo,
  redo,
  layoutAll,
  saveState,
  checking,
  issues,
}: {
  hist: History<ProductDefinition>;
  undo: () => void;
  redo: () => void;
  layoutAll: () => Promise<void>;
  saveState: SaveState;
  checking: boolean;
  issues: ModelIssue[];
}) {
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <div className="canvas-toolbar" role="toolbar" aria-label="Model">
      <button className="small" onClick={undo} disabled={hist.past.length === 0} title="Undo (Ctrl+Z)">
        Undo
      </button>
      <button className="small" onClick={redo} disabled={hist.future.length === 0} title="Redo (Ctrl+Shift+Z)">
        Redo
      </button>
      <button className="small" onClick={() => void layoutAll()} title="Auto-layout (Shift+L)">
        Auto-layout
      </button>
      <span
        className="grid-keys hint"
        tabIndex={0}
        title="Tab reaches each box · Arrows move the selected box (Shift: further) · Delete removes it · Ctrl+Z / Ctrl+Shift+Z undo and redo · Shift+L lays out · Escape deselects · joins are made in the inspector as well as by drawing"
        aria-label="Keys of the canvas: Tab reaches each box; arrows move the selected box, Shift moves it further; Delete removes it; Ctrl+Z and Ctrl+Shift+Z undo and redo; Shift+L lays out; Escape deselects; joins are made in the inspector as well as by drawing"
      >
        Keys
      </span>
      <span className={`save-state save-${saveState}`} data-testid="save-state">
        {saveState === "saving" ? "Saving…" : saveState === "failed" ? "Not saved" : "Saved"}
      </span>
      <span className={errors ? "model-status bad" : "model-status"} data-testid="model-status">
        {checking ? "Checking against the data…" : errors ? count(errors, "error") : "Valid"}
        {issues.length - errors > 0 && ` · ${count(issues.length - errors, "warning")}`}
      </span>
    </div>
  );
}

export function Problems({ issues, onSelect }: { issues: ModelIssue[]; onSelect: (id: D.NodeId | null) => void }) {
  return (
    <ul className="problems" aria-label="Problems" data-testid="problems">
      {issues.map((i) => {
        const table = D.tableOfIssuePath(i.path);
        return (
          <li key={`${i.path}:${i.code}:${i.message}`} className={`issue issue-${i.severity}`} data-issue-table={table ?? undefined}>
            <button className="link" onClick={() => onSelect(D.issueNode(i.path))}>
              <code>{i.path}</code>
            </button>{" "}
            {i.message}
          </li>
        );
      })}
    </ul>
  );
}
