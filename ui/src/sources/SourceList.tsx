// The workspace's sources in the sidebar; each can be dragged onto a product's model canvas.
import type { SourceSummary } from "../bindings";
import { SOURCE_MIME } from "../shared/dnd";

const KIND_LABEL: Record<SourceSummary["kind"], string> = {
  csv: "CSV",
  parquet: "Parquet",
  arrow: "Arrow",
  ndjson: "NDJSON",
  excel: "Excel",
  sqlite: "SQLite",
  postgres: "PostgreSQL",
};

export function SourceList({
  sources,
  selected,
  onSelect,
}: {
  sources: SourceSummary[];
  selected: string | null;
  onSelect: (s: SourceSummary) => void;
}) {
  return (
    <ul className="source-list" aria-label="Sources">
      {sources.map((s) => (
        <li key={s.id}>
          <button
            className={s.id === selected ? "source selected" : "source"}
            data-source-id={s.id}
            aria-current={s.id === selected}
            draggable
            onDragStart={(e) => {
              // Sources can be dropped onto a product's model canvas.
              e.dataTransfer.setData(SOURCE_MIME, s.id);
              e.dataTransfer.effectAllowed = "copy";
            }}
            onClick={() => onSelect(s)}
            title={s.description ?? s.path}
          >
            <span className="source-name">{s.name}</span>
            <span className="source-meta">
              <span className={`kind kind-${s.kind}`}>{KIND_LABEL[s.kind]}</span>
              {s.system && <span className="system">{s.system}</span>}
              <span className="path">
                {s.server ?? s.path}
                {s.table && ` › ${s.table}`}
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
