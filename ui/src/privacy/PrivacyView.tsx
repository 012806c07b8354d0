// The privacy officer's view of a product: a masking profile's rules (edited in place and saved
// to the definition), original and masked side by side with originals hidden until revealed per
// column, the rules' properties, the leak check, key collisions, and re-identification risk over
// chosen quasi-identifiers — recomputed as rules change.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../shared/api";
import { gridFromIpc, type GridData } from "../shared/arrow";
import type { IpcError, MaskingRule, PrivacyReportInfo, ProductDefinition, ProductSummary } from "../bindings";
import { ErrorBox } from "../shared/ErrorBox";
import { Bars } from "../shared/ColumnCard";

const RULES = [
  "null",
  "redact",
  "constant",
  "partial",
  "keyed_pseudonym",
  "fpe",
  "key_remap",
  "generalise",
  "noise",
  "shuffle",
  "fake",
  "linked_address",
] as const;

const ROWS = 50;

/** Classification tags a steward accepts on source columns; a rule on a tag covers every such column. */
const TAGS = [
  "email",
  "phone",
  "person_name",
  "street_address",
  "postal_code",
  "birth_date",
  "national_id",
  "payment_card",
  "iban",
  "ip_address",
  "free_text_pii",
] as const;

type Params = { [key: string]: unknown };

/** Parameters as a privacy officer writes them: `kind=first_name, keep_last=4, from=[city postal_code]`. */
export function formatParams(p: Params | undefined): string {
  return Object.entries(p ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(" ")}]` : String(v)}`)
    .join(", ");
}

function value(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === "true" || v === "false") return v === "true";
  return v;
}

/** The inverse of {formatParams}; `null` when the text is not `key=value` pairs. */
export function parseParams(text: string): Params | null {
  const out: Params = {};
  let rest = text.trim();
  while (rest) {
    const m = /^([a-z_]+)\s*=\s*(\[[^\]]*\]|[^,]*)\s*(,\s*|$)/.exec(rest);
    if (!m) return null;
    const raw = m[2].trim();
    out[m[1]] = raw.startsWith("[") ? raw.slice(1, -1).split(/[\s,]+/).filter(Boolean).map(value) : value(raw);
    rest = rest.slice(m[0].length);
  }
  return out;
}

function Yes({ on }: { on: boolean }) {
  return <span className={on ? "prop yes" : "prop no"}>{on ? "yes" : "–"}</span>;
}

function RuleEditor({
  rule,
  fields,
  onChange,
  onRemove,
  index,
}: {
  rule: MaskingRule;
  fields: string[];
  /** The fields that change; applied to the rule as it is when the edit lands. */
  onChange: (patch: Partial<MaskingRule>) => void;
  onRemove: () => void;
  index: number;
}) {
  const [params, setParams] = useState(formatParams(rule.params as Params | undefined));
  const [bad, setBad] = useState(false);
  useEffect(() => setParams(formatParams(rule.params as Params | undefined)), [rule.params]);
  return (
    <tr data-rule-index={index}>
      <td>
        <select
          aria-label={`Field of rule ${index + 1}`}
          value={rule.tag ? `tag:${rule.tag}` : (rule.field ?? "")}
          onChange={(e) => {
            const v = e.target.value;
            onChange(v.startsWith("tag:") ? { tag: v.slice(4), field: undefined } : { field: v, tag: undefined });
          }}
        >
          <optgroup label="Fields">
            {fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </optgroup>
          <optgroup label="Every column tagged">
            {TAGS.map((t) => (
              <option key={t} value={`tag:${t}`}>
                tag: {t}
              </option>
            ))}
          </optgroup>
        </select>
      </td>
      <td>
        <select aria-label={`Rule ${index + 1}`} value={rule.rule} onChange={(e) => onChange({ rule: e.target.value })}>
          {RULES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input
          aria-label={`Parameters of rule ${index + 1}`}
          className={bad ? "bad" : ""}
          value={params}
          onChange={(e) => setParams(e.target.value)}
          placeholder="kind=first_name, keep_last=4"
          onBlur={() => {
            const parsed = parseParams(params);
            setBad(parsed === null);
            if (parsed !== null) onChange({ params: parsed as MaskingRule["params"] });
          }}
        />
      </td>
      <td>
        <button className="small" aria-label={`Remove rule ${index + 1}`} onClick={onRemove}>
          ×
        </button>
      </td>
    </tr>
  );
}

/** For holders of the masking key: the original of a value masked by a reversible rule (FF1),
 * e.g. the card number behind a masked one a support case quotes. */
function RevealBox({ productId, profile, fields }: { productId: string; profile: string; fields: string[] }) {
  const [field, setField] = useState(fields[0] ?? "");
  const [value, setValue] = useState("");
  const [original, setOriginal] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const chosen = fields.includes(field) ? field : (fields[0] ?? "");
  return (
    <form
      className="inline-form reveal-box"
      aria-label="Reverse a masked value"
      onSubmit={(e) => {
        e.preventDefault();
        setOriginal(null);
        setError(null);
        if (!value.trim()) return;
        api
          .privacyReveal({ productId, profile, field: chosen, values: [value.trim()], keyVersion: null })
          .then(([o]) => setOriginal(o ?? null))
          .catch((err: IpcError) => setError(err));
      }}
    >
      <span>Key holders: original of a masked</span>
      <select aria-label="Reversible field" value={chosen} onChange={(e) => setField(e.target.value)}>
        {fields.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
      <input aria-label="Masked value" placeholder="masked value" value={value} onChange={(e) => setValue(e.target.value)} />
      <button className="small" type="submit">
        Decrypt
      </button>
      {original !== null && (
        <output data-testid="revealed-original">
          {original}
        </output>
      )}
      {error && <ErrorBox error={error} />}
    </form>
  );
}

export function PrivacyView({ product }: { product: ProductSummary }) {
  const [def, setDef] = useState<ProductDefinition | null>(null);
  // The definition as the latest edit left it: two edits in quick succession (a field, then a
  // rule) both build on it, never on the one the screen was drawn from.
  const latest = useRef<ProductDefinition | null>(null);
  latest.current ??= def;
  const revision = useRef("");
  const [profile, setProfile] = useState<string>("");
  const [report, setReport] = useState<PrivacyReportInfo | null>(null);
  const [masked, setMasked] = useState<GridData | null>(null);
  const [originals, setOriginals] = useState<GridData | null>(null);
  const [revealed, setRevealed] = useState<string[]>([]);
  const [quasi, setQuasi] = useState<string[] | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const [newProfile, setNewProfile] = useState("");
  const [confirming, setConfirming] = useState<string | null>(null);
  // The table shown side by side: the entity, or a related table.
  const [table, setTable] = useState("entity");
  // Bumped when the definition on disk is what the view shows: measures run on the saved file.
  const [saved, setSaved] = useState(0);

  useEffect(() => {
    api
      .openProduct(product.id)
      .then((doc) => {
        revision.current = doc.revision;
        latest.current = doc.definition;
        setDef(doc.definition);
        const first = Object.keys(doc.definition.masking ?? {})[0] ?? "";
        setProfile(first);
        setSaved((n) => n + 1);
      })
      .catch((e: IpcError) => setError(e));
  }, [product.id]);

  const fields = useMemo(() => {
    if (!def) return [] as string[];
    const names = (def.entity.fields ?? []).map((f) => f.as ?? f.column);
    return [...names, ...(def.entity.derived ?? []).map((d) => d.name)];
  }, [def]);

  /** Fields a rule can name: the entity's, then each related table's as `orders.amount`. */
  const ruleFields = useMemo(() => {
    if (!def) return [] as string[];
    const related = (def.related ?? []).flatMap((r) => [
      ...(r.fields ?? []).map((f) => `${r.name}.${f.as ?? f.column}`),
      ...(r.derived ?? []).map((d) => `${r.name}.${d.name}`),
    ]);
    return [...fields, ...related];
  }, [def, fields]);

  const refresh = useCallback(() => {
    if (!profile) return;
    setBusy(true);
    setError(null);
    Promise.all([
      api.privacyReport({ productId: product.id, profile, quasi, sensitive: null }),
      api.maskedRows({ productId: product.id, profile, table, side: "masked", columns: null, limit: ROWS }),
    ])
      .then(([r, bytes]) => {
        setReport(r);
        setMasked(gridFromIpc(bytes));
        if (quasi === null) setQuasi(r.risk?.quasi ?? []);
      })
      .catch((e: IpcError) => setError(e))
      .finally(() => setBusy(false));
  }, [product.id, profile, quasi, table]);

  useEffect(() => {
    if (saved > 0) refresh();
  }, [saved, refresh]);

  useEffect(() => {
    if (!profile || revealed.length === 0) {
      setOriginals(null);
      return;
    }
    api
      .maskedRows({ productId: product.id, profile, table, side: "original", columns: revealed, limit: ROWS })
      .then((b) => setOriginals(gridFromIpc(b)))
      .catch((e: IpcError) => setError(e));
  }, [product.id, profile, revealed, report, table]);

  /** Saves the edited profile into the definition (revision-checked, one save at a time, the
   * latest edit last), then re-measures. */
  const saving = useRef(false);
  const pending = useRef<ProductDefinition | null>(null);
  const save = async (next: ProductDefinition) => {
    latest.current = next;
    setDef(next);
    pending.current = next;
    if (saving.current) return;
    saving.current = true;
    while (pending.current) {
      const definition = pending.current;
      pending.current = null;
      try {
        const saved = await api.saveProduct({ productId: product.id, baseRevision: revision.current, definition });
        revision.current = saved.revision;
      } catch (e) {
        const err = e as IpcError;
        setError(err);
        if (err.code === "model.conflict") {
          pending.current = null;
          const doc = await api.openProduct(product.id);
          revision.current = doc.revision;
          latest.current = doc.definition;
          setDef(doc.definition);
        }
      }
    }
    saving.current = false;
    setSaved((n) => n + 1);
  };

  const rules = def && profile ? (def.masking?.[profile]?.rules ?? []) : [];
  const editRules = (edit: (rs: MaskingRule[]) => MaskingRule[]) => {
    const base = latest.current ?? def;
    if (!base) return;
    const masking = { ...(base.masking ?? {}) };
    masking[profile] = { ...(masking[profile] ?? {}), rules: edit(masking[profile]?.rules ?? []) };
    void save({ ...base, masking });
  };

  if (error && !def) return <ErrorBox error={error} />;
  if (!def) return <p className="loading">Opening…</p>;
  const profiles = Object.keys(def.masking ?? {});
  const maskedFields = new Set(report?.fields.filter((f) => f.table === table).map((f) => f.field) ?? []);
  // Tables with at least one masked field can be compared side by side.
  const maskedTables = [...new Set(["entity", ...(report?.fields.map((f) => f.table) ?? [])])];
  const reversible = (report?.fields ?? [])
    .filter((f) => f.reversible)
    .map((f) => (f.table === "entity" ? f.field : `${f.table}.${f.field}`));
  const columnsShown = masked?.columns.filter((c) => maskedFields.has(c.name)).map((c) => c.name) ?? [];

  return (
    <section className="panel privacy-view" aria-label="Privacy">
      <div className="privacy-head">
        <label>
          Masking profile{" "}
          <select name="profile" value={profile} onChange={(e) => setProfile(e.target.value)}>
            {profiles.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const name = newProfile.trim();
            if (!/^[a-z][a-z0-9_-]*$/.test(name) || profiles.includes(name)) return;
            void save({ ...def, masking: { ...(def.masking ?? {}), [name]: { rules: [] } } }).then(() => setProfile(name));
            setNewProfile("");
          }}
        >
          <input name="new-profile" placeholder="new profile (support…)" value={newProfile} onChange={(e) => setNewProfile(e.target.value)} />
          <button className="small" type="submit">
            + Profile
          </button>
        </form>
        {busy && <span className="loading">Masking and measuring…</span>}
        {report && (
          <span className={report.violations.length ? "model-status bad" : "model-status"} data-testid="privacy-status">
            {report.violations.length ? `${report.violations.length} thresholds broken` : "Thresholds met"}
          </span>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      {profile && (
        <>
          <h3>Rules</h3>
          <table className="relations rules">
            <tbody>
              {rules.map((r, i) => (
                <RuleEditor
                  key={i}
                  index={i}
                  rule={r}
                  fields={ruleFields}
                  onChange={(patch) => editRules((rs) => rs.map((x, j) => (j === i ? { ...x, ...patch } : x)))}
                  onRemove={() => editRules((rs) => rs.filter((_, j) => j !== i))}
                />
              ))}
            </tbody>
          </table>
          <button
            className="small"
            onClick={() => {
              // A new rule starts on the first field no rule covers yet.
              editRules((rs) => {
                const free = ruleFields.find((f) => !rs.some((r) => r.field === f)) ?? ruleFields[0] ?? "";
                return [...rs, { field: free, rule: "redact" }];
              });
            }}
          >
            + Rule
          </button>
        </>
      )}
      {report && (
        <>
          <h3 data-testid="leak-summary">
            Leak check: {report.totalLeaks === 0 ? "clean" : `${report.totalLeaks} original values survive`}
          </h3>
          <table className="relations properties">
            <thead>
              <tr>
                <th>Field</th>
                <th>Rule</th>
                <th>Deterministic</th>
                <th>Reversible</th>
                <th>Format</th>
                <th>Unique</th>
                <th>Locale</th>
                <th>Leaks</th>
              </tr>
            </thead>
            <tbody>
              {report.fields.map((f) => {
                const l = report.leaks.find((x) => x.table === f.table && x.field === f.field);
                return (
                  <tr key={`${f.table}.${f.field}`} data-masked-field={`${f.table}.${f.field}`}>
                    <td>
                      {f.table}.{f.field} <small>{f.via}</small>
                    </td>
                    <td>{f.rule}</td>
                    <td>
                      <Yes on={f.deterministic} />
                    </td>
                    <td>
                      <Yes on={f.reversible} />
                    </td>
                    <td>
                      <Yes on={f.formatPreserving} />
                    </td>
                    <td>
                      <Yes on={f.uniquePreserving} />
                    </td>
                    <td>
                      <Yes on={f.localeAware} />
                    </td>
                    <td data-leaks={l?.leaks ?? 0}>{l ? `${l.leaks}${l.anywhere ? ` (${l.anywhere} elsewhere)` : ""}` : "–"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {report.collisions.length > 0 && (
            <p className="summary">
              Key remaps: {report.collisions.map(([f, n]) => `${f} ${n === 0 ? "no collisions" : `${n} collisions`}`).join(" · ")}
            </p>
          )}
          {report.warnings.map((w) => (
            <p key={w} className="issue issue-warning">
              {w}
            </p>
          ))}
          {report.violations.map((v) => (
            <p key={v} className="issue issue-error">
              {v}
            </p>
          ))}
          {reversible.length > 0 && <RevealBox productId={product.id} profile={profile} fields={reversible} />}
          <h3>Re-identification risk</h3>
          <fieldset className="key-picker" aria-label="Quasi-identifiers">
            <legend>Quasi-identifiers</legend>
            {fields.map((f) => (
              <label key={f} className="inline">
                <input
                  type="checkbox"
                  checked={(quasi ?? []).includes(f)}
                  onChange={() => setQuasi((q) => ((q ?? []).includes(f) ? (q ?? []).filter((x) => x !== f) : [...(q ?? []), f]))}
                />
                {f}
              </label>
            ))}
          </fieldset>
          {report.risk && (
            <div className="risk">
              <p className="summary" data-testid="k-anonymity">
                k = {report.risk.k} · {report.risk.classes.toLocaleString("en-US")} classes ·{" "}
                {(report.risk.uniqueShare * 100).toFixed(1)}% unique · prosecutor risk max {report.risk.prosecutorMax.toFixed(3)}, avg{" "}
                {report.risk.prosecutorAvg.toFixed(3)}
                {report.risk.l !== null && ` · l = ${report.risk.l} for ${report.risk.sensitive}`}
              </p>
              <Bars
                title="Class sizes"
                values={report.risk.classSizes.slice(0, 20).map(([, n]) => n)}
                labels={report.risk.classSizes.slice(0, 20).map(([s, n]) => `${n} classes of ${s}`)}
              />
            </div>
          )}
          <h3>
            Original and masked, first {ROWS} rows of{" "}
            <select
              aria-label="Table side by side"
              value={table}
              onChange={(e) => {
                setRevealed([]);
                setConfirming(null);
                setTable(e.target.value);
              }}
            >
              {maskedTables.map((t) => (
                <option key={t} value={t}>
                  {t === "entity" ? `${def.entity.source} (entity)` : t}
                </option>
              ))}
            </select>
          </h3>
          <p className="hint">Originals stay hidden until you reveal a column.</p>
          {confirming && (
            <div className="confirm" role="alertdialog" aria-label={`Reveal ${confirming}`}>
              Show the original values of <strong>{confirming}</strong>? They are personal data.{" "}
              <button
                className="small"
                onClick={() => {
                  setRevealed([...revealed, confirming]);
                  setConfirming(null);
                }}
              >
                Show originals
              </button>{" "}
              <button className="small" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          )}
          <table className="relations side-by-side" data-testid="side-by-side">
            <thead>
              <tr>
                {columnsShown.map((c) => (
                  <th key={c} colSpan={2}>
                    {c}{" "}
                    {!revealed.includes(c) ? (
                      <button className="small" aria-label={`Reveal original ${c}`} onClick={() => setConfirming(c)}>
                        Reveal
                      </button>
                    ) : (
                      <button className="small" aria-label={`Hide original ${c}`} onClick={() => setRevealed(revealed.filter((x) => x !== c))}>
                        Hide
                      </button>
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {masked &&
                Array.from({ length: Math.min(masked.rowCount, ROWS) }, (_, row) => (
                  <tr key={row} data-row={row}>
                    {columnsShown.map((c) => {
                      const mi = masked.columns.findIndex((x) => x.name === c);
                      const oi = originals?.columns.findIndex((x) => x.name === c) ?? -1;
                      return [
                        <td key={`${c}-o`} className="original" data-original={c}>
                          {revealed.includes(c) && originals && oi >= 0 ? (originals.cell(row, oi) ?? "null") : "•••"}
                        </td>,
                        <td key={`${c}-m`} className="masked" data-masked={c}>
                          {masked.cell(row, mi) ?? "null"}
                        </td>,
                      ];
                    })}
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
