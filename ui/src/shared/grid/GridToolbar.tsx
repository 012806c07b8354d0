// Above every grid: find within the rows read so far, and go to any row of the source.
import { useState } from "react";

export function GridToolbar({
  label,
  rowCount,
  find,
  onFind,
  hits,
  at,
  onNext,
  onPrevious,
  onGoTo,
  notice,
}: {
  label: string;
  rowCount: number;
  find: string;
  onFind: (text: string) => void;
  hits: number;
  at: number;
  onNext: () => void;
  onPrevious: () => void;
  onGoTo: (row: number) => void;
  notice: string | null;
}) {
  const [row, setRow] = useState("");
  const target = Number(row.replace(/[,\s]/g, ""));
  const valid = Number.isInteger(target) && target >= 1 && target <= rowCount;
  return (
    <div className="grid-toolbar" role="toolbar" aria-label={`${label} tools`}>
      <input
        type="search"
        name="grid-find"
        placeholder="Find in rows read"
        aria-label={`Find in ${label}`}
        value={find}
        onChange={(e) => onFind(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") (e.shiftKey ? onPrevious : onNext)();
        }}
      />
      <button aria-label="Previous match" disabled={hits === 0} onClick={onPrevious}>
        ↑
      </button>
      <button aria-label="Next match" disabled={hits === 0} onClick={onNext}>
        ↓
      </button>
      <span className="grid-hits" data-testid="grid-hits">
        {find.trim() ? (hits === 0 ? "no match" : `${Math.min(at + 1, hits).toLocaleString("en-US")} of ${hits.toLocaleString("en-US")}`) : ""}
      </span>
      <form
        className="grid-goto"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) onGoTo(target);
        }}
      >
        <label>
          Row{" "}
          <input
            name="grid-goto"
            inputMode="numeric"
            size={10}
            placeholder={`1–${rowCount.toLocaleString("en-US")}`}
            value={row}
            onChange={(e) => setRow(e.target.value)}
          />
        </label>
        <button type="submit" disabled={!valid}>
          Go
        </button>
      </form>
      <span
        className="grid-keys hint"
        tabIndex={0}
        title="Arrows, Page Up/Down, Home/End move the cursor (Shift extends the selection) · Ctrl+A selects all · Ctrl+C copies as TSV · Enter opens a list · Alt+Shift+←/→ moves the column · Alt+←/→ narrows or widens it · Escape closes"
        aria-label="Keys of the grid: arrows, Page Up/Down, Home/End move the cursor, Shift extends the selection; Ctrl+A selects all; Ctrl+C copies as TSV; Enter opens a list; Alt+Shift+Left/Right moves the column; Alt+Left/Right narrows or widens it; Escape closes"
      >
        Keys
      </span>
      {notice && (
        <span className="grid-notice" role="status">
          {notice}
        </span>
      )}
    </div>
  );
}
