// The modeller's source browser: every source of the workspace, to drag onto the canvas or add
// with +; those already in the model say so.
import type { ReactNode } from "react";
import type { SourceSummary } from "../bindings";
import { SOURCE_MIME } from "../shared/dnd";

export function Palette({
  sources,
  inModel,
  onAdd,
  width,
  onFold,
  children,
}: {
  sources: SourceSummary[];
  inModel: Set<string>;
  onAdd: (sourceId: string) => void;
  width: number;
  onFold: () => void;
  /** Shown under the sources (the canvas's minimap). */
  children?: ReactNode;
}) {
  return (
    <aside className="palette" aria-label="Source browser" style={{ width }}>
      <div className="pane-head">
        <h3>Sources</h3>
        <button className="small pane-fold" aria-label="Fold the source browser away" title="Fold away" onClick={onFold}>
          ‹
        </button>
      </div>
      <p className="hint">Drag a source onto the canvas, or press +.</p>
      <ul>
        {sources.map((s) => (
          <li
            key={s.id}
            draggable
            data-palette-source={s.id}
            onDragStart={(e) => {
              e.dataTransfer.setData(SOURCE_MIME, s.id);
              e.dataTransfer.effectAllowed = "copy";
            }}
          >
            <span className="palette-name" title={s.description ?? s.path}>
              {s.name}
              {inModel.has(s.id) && <small className="in-model">in model</small>}
            </span>
            <button className="small" aria-label={`Add ${s.id} to the model`} onClick={() => onAdd(s.id)}>
              +
            </button>
          </li>
        ))}
      </ul>
      {children}
    </aside>
  );
}
