// The modeller's source browser: every source of the workspace, to drag onto the canvas or add
// with +; those already in the model say so.
import type { SourceSummary } from "../bindings";
import { SOURCE_MIME } from "../shared/dnd";

export function Palette({
  sources,
  inModel,
  onAdd,
}: {
  sources: SourceSummary[];
  inModel: Set<string>;
  onAdd: (sourceId: string) => void;
}) {
  return (
    <aside className="palette" aria-label="Source browser">
      <h3>Sources</h3>
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
              {inModel.has(s.id) && <small> · in model</small>}
            </span>
            <button className="small" aria-label={`Add ${s.id} to the model`} onClick={() => onAdd(s.id)}>
              +
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
