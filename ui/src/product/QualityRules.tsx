// A product's quality rules, edited in place beside their results: the table (the entity or a
// related table at any depth), the rule, the column and the rule's own values. Each change is
// saved at once and the rules are evaluated again on the saved definition.
import { useState } from "react";
import type { QualityResult, QualityRule } from "../bindings";

export type RuleKind = QualityRule["rule"];

export const RULE_KINDS: { kind: RuleKind; label: string; doc: string }[] = [
  { kind: "not_null", label: "not null", doc: "Every row has a value." },
  { kind: "unique", label: "unique", doc: "No two rows share the value (or the combination of columns)." },
  { kind: "accepted_values", label: "accepted values", doc: "Every value is one of a list." },
  { kind: "range", label: "range", doc: "Every number lies between a minimum and a maximum." },
  { kind: "regex", label: "pattern", doc: "Every value matches a regular expression." },
  { kind: "row_count", label: "row count", doc: "The table has between a minimum and a maximum of rows." },
];

/** A table a rule can check: `entity` or a related table's path, with the fields it has. */
export interface RuleTable {
  path: string;
  label: string;
  fields: string[];
}

const columnOf = (r: QualityRule): string => (r.rule === "row_count" ? "" : Array.isArray(r.column) ? r.column.join(", ") : r.column);

/** `rule` turned into `kind`, keeping its table and column; new values start empty. */
export function withKind(rule: QualityRule, kind: RuleKind, fields: string[]): QualityRule {
  const table = rule.table;
  const column = columnOf(rule) || fields[0] || "";
  switch (kind) {
    case "not_null":
      return { rule: kind, table, column };
    case "unique":
      return { rule: kind, table, column };
    case "accepted_values":
      return { rule: kind, table, column, values: rule.rule === "accepted_values" ? rule.values : [] };
    case "range":
      return { rule: kind, table, column };
    case "regex":
      return { rule: kind, table, column, pattern: rule.rule === "regex" ? rule.pattern : ".+" };
    case "row_count":
      return { rule: kind, table, min: 1 };
  }
}

/** The rule's own values as one line a steward edits: `a, b, c`, `0..100`, a pattern. */
export function valuesText(r: QualityRule): string {
  switch (r.rule) {
    case "accepted_values":
      return r.values.join(", ");
    case "range":
    case "row_count":
      return `${r.min ?? ""}..${r.max ?? ""}`;
    case "regex":
      return r.pattern;
    default:
      return "";
  }
}

/** `text` read back into `r`, or why it cannot be. */
export function withValues(r: QualityRule, text: string): QualityRule | string {
  const t = text.trim();
  switch (r.rule) {
    case "accepted_values": {
      const values = t.split(",").map((v) => v.trim()).filter(Boolean);
      return values.length ? { ...r, values } : "list the accepted values, separated by commas";
    }
    case "range":
    case "row_count": {
      const m = t.match(/^(-?[\d.]*)\s*\.\.\s*(-?[\d.]*)$/);
      if (!m || (!m[1] && !m[2])) return "write the bounds as min..max (either may be left out: 0.. or ..100)";
      const [min, max] = [m[1], m[2]].map((v) => (v === "" ? undefined : Number(v)));
      if ([min, max].some((v) => v !== undefined && !Number.isFinite(v))) return "the bounds must be numbers";
      if (r.rule === "row_count" && [min, max].some((v) => v !== undefined && (!Number.isInteger(v) || v < 0))) return "row counts are whole numbers from 0";
      if (min !== undefined && max !== undefined && min > max) return `the minimum ${min} is above the maximum ${max}`;
      return { ...r, min, max };
    }
    case "regex":
      if (!t) return "write the pattern every value must match";
      try {
        new RegExp(t);
      } catch {
        return "not a valid pattern";
      }
      return { ...r, pattern: t };
    default:
      return r;
  }
}

function RuleRow({ rule, index, result, tables, onChange, onRemove }: { rule: QualityRule; index: number; result?: QualityResult; tables: RuleTable[]; onChange: (r: QualityRule) => void; onRemove: () => void }) {
  const table = tables.find((t) => t.path === (rule.table ?? "entity")) ?? tables[0];
  const fields = table?.fields ?? [];
  const [text, setText] = useState(() => valuesText(rule));
  const [problem, setProblem] = useState<string | null>(null);
  // The values shown follow the rule whenever it changes (saved, or reloaded from disk).
  const [shown, setShown] = useState(rule);
  if (shown !== rule) {
    setShown(rule);
    setText(valuesText(rule));
    setProblem(null);
  }
  const n = index + 1;
  const column = columnOf(rule);
  return (
    <tr data-quality-index={index} data-rule={`quality[${index}]`} data-passed={result?.passed}>
      <td>
        <select
          aria-label={`Table of quality rule ${n}`}
          value={rule.table ?? "entity"}
          onChange={(e) => {
            const next = tables.find((t) => t.path === e.target.value);
            const table = e.target.value === "entity" ? undefined : e.target.value;
            onChange(rule.rule === "row_count" ? { ...rule, table } : { ...rule, table, column: next?.fields[0] ?? column } as QualityRule);
          }}
        >
          {tables.map((t) => (
            <option key={t.path} value={t.path}>
              {t.label}
            </option>
          ))}
        </select>
      </td>
      <td>
        <select aria-label={`Quality rule ${n}`} value={rule.rule} title={RULE_KINDS.find((k) => k.kind === rule.rule)?.doc} onChange={(e) => onChange(withKind(rule, e.target.value as RuleKind, fields))}>
          {RULE_KINDS.map((k) => (
            <option key={k.kind} value={k.kind} title={k.doc}>
              {k.label}
            </option>
          ))}
        </select>
      </td>
      <td>
        {rule.rule === "row_count" ? (
          <span className="hint">whole table</span>
        ) : Array.isArray(rule.column) ? (
          <code>{column}</code>
        ) : (
          <select aria-label={`Column of quality rule ${n}`} value={column} onChange={(e) => onChange({ ...rule, column: e.target.value } as QualityRule)}>
            {!fields.includes(column) && <option value={column}>{column}</option>}
            {fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        )}
      </td>
      <td>
        {["accepted_values", "range", "regex", "row_count"].includes(rule.rule) && (
          <>
            <input
              aria-label={`Values of quality rule ${n}`}
              className={problem ? "bad" : ""}
              value={text}
              placeholder={rule.rule === "accepted_values" ? "a, b, c" : rule.rule === "regex" ? "^[A-Z]{2}$" : "min..max"}
              onChange={(e) => setText(e.target.value)}
              onBlur={() => {
                const next = withValues(rule, text);
                if (typeof next === "string") return setProblem(next);
                setProblem(null);
                if (valuesText(next) !== valuesText(rule)) onChange(next);
              }}
            />
            {problem && (
              <div className="hint bad" role="alert">
                {problem}
              </div>
            )}
          </>
        )}
      </td>
      <td>{result ? <span className={result.passed ? "badge badge-accepted" : "badge"}>{result.passed ? "pass" : "fail"}</span> : <span className="hint">…</span>}</td>
      <td>{result ? `${result.violations.toLocaleString("en-US")} of ${result.checked.toLocaleString("en-US")}` : ""}</td>
      <td className="evidence">{result?.samples.join(" · ")}</td>
      <td>
        <button className="small" aria-label={`Remove quality rule ${n}`} onClick={onRemove}>
          ×
        </button>
      </td>
    </tr>
  );
}

/** The rules, their latest results, and `+ Rule`; `onEdit` applies a change to the rules as the latest edit left them. */
export function QualityRules({ rules, results, tables, onEdit }: { rules: QualityRule[]; results: QualityResult[] | null; tables: RuleTable[]; onEdit: (edit: (rules: QualityRule[]) => QualityRule[]) => void }) {
  return (
    <>
      <table className="relations quality">
        <thead>
          <tr>
            <th>Table</th>
            <th>Rule</th>
            <th>Column</th>
            <th>Values</th>
            <th>Result</th>
            <th>Violations</th>
            <th>Samples</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r, i) => (
            <RuleRow
              key={i}
              index={i}
              rule={r}
              result={results?.find((q) => q.index === i)}
              tables={tables}
              onChange={(next) => onEdit((rs) => rs.map((x, j) => (j === i ? next : x)))}
              onRemove={() => onEdit((rs) => rs.filter((_, j) => j !== i))}
            />
          ))}
        </tbody>
      </table>
      <button className="small" onClick={() => onEdit((rs) => [...rs, { rule: "not_null", column: tables[0]?.fields[0] ?? "" }])}>
        + Quality rule
      </button>
    </>
  );
}
