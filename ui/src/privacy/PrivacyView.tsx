// The privacy officer's view of a product: a masking profile's rules (edited in place and saved
// to the definition), original and masked side by side with originals hidden until revealed per
// column, the rules' properties, the leak check, key collisions, and re-identification risk over
// chosen quasi-identifiers — recomputed as rules change.
import { useMemo, useState } from "react";
import type { MaskingRule, ProductSummary } from "../bindings";
import { relatedPaths, ruleFields as ruleFieldsOf } from "../model/definition";
import { useProductDocument } from "../product/useProductDocument";
import { api } from "../shared/api";
import { gridFromIpc } from "../shared/arrow";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { Coverage } from "./Coverage";
import { LeakCheck } from "./LeakCheck";
import { RevealBox } from "./RevealBox";
import { Risk } from "./Risk";
import { Rules } from "./Rules";
import { SIDE_BY_SIDE_ROWS as ROWS, SideBySide } from "./SideBySide";
import { count } from "../shared/plural";

export function PrivacyView({ product }: { product: ProductSummary }) {
  const [profile, setProfile] = useState<string>("");
  const [revealed, setRevealed] = useState<string[]>([]);
  const [quasi, setQuasi] = useState<string[] | null>(null);
  const [newProfile, setNewProfile] = useState("");
  const [refusal, setRefusal] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  // The table shown side by side: the entity, or a related table at any depth (`orders.lines`).
  const [table, setTable] = useState("entity");
  // Bumped when the definition on disk is what the view shows: measures run on the saved file.
  const [saved, setSaved] = useState(0);

  const doc = useProductDocument(product.id, {
    onLoad: (d, why) => {
      if (why !== "open") return;
      setProfile(Object.keys(d.definition.masking ?? {})[0] ?? "");
      setSaved((n) => n + 1);
    },
    onSettled: () => setSaved((n) => n + 1),
  });
  const def = doc.definition;

  const fields = useMemo(() => {
    if (!def) return [] as string[];
    const names = (def.entity.fields ?? []).map((f) => f.as ?? f.column);
    return [...names, ...(def.entity.derived ?? []).map((d) => d.name)];
  }, [def]);

  /** Fields a rule can name: the entity's, then every related table's by path (`orders.lines.unit_price`). */
  const ruleFields = useMemo(() => (def ? ruleFieldsOf(def) : []), [def]);
  /** Every table of the tree, by path: the side-by-side comparison can show any of them. */
  const treeTables = useMemo(() => (def ? ["entity", ...relatedPaths(def)] : ["entity"]), [def]);

  // Masks and measures the saved definition; the last results stay on screen meanwhile.
  const measures = useIpcQuery(
    () =>
      saved === 0 || !profile
        ? Promise.resolve(null)
        : Promise.all([
            api.privacyReport({ productId: product.id, profile, quasi, sensitive: null }),
            api.maskedRows({ productId: product.id, profile, table, side: "masked", columns: null, limit: ROWS }),
          ]).then(([report, bytes]) => {
            if (quasi === null) setQuasi(report.risk?.quasi_identifiers ?? []);
            return { report, masked: gridFromIpc(bytes) };
          }),
    [product.id, profile, quasi, table, saved],
    { keepPrevious: true },
  );
  const report = measures.data?.report ?? null;
  const masked = measures.data?.masked ?? null;

  // The originals of revealed columns, read again beside each new measure.
  const originals = useIpcQuery(
    () =>
      !profile || !report || revealed.length === 0
        ? Promise.resolve(null)
        : api
            .maskedRows({ productId: product.id, profile, table, side: "original", columns: revealed, limit: ROWS })
            .then(gridFromIpc),
    [product.id, profile, revealed, report, table],
    { keepPrevious: true },
  );

  const rules = def && profile ? (def.masking?.[profile]?.rules ?? []) : [];
  /** Edits the profile's rules as the latest edit left them, and saves the definition. */
  const editRules = (edit: (rs: MaskingRule[]) => MaskingRule[]) => {
    const base = doc.latest() ?? def;
    if (!base) return;
    const masking = { ...(base.masking ?? {}) };
    masking[profile] = { ...(masking[profile] ?? {}), rules: edit(masking[profile]?.rules ?? []) };
    void doc.save({ ...base, masking });
  };

  if (!def) return doc.error ? <ErrorBox error={doc.error} /> : <p className="loading">Opening…</p>;
  const error = measures.error ?? originals.error ?? doc.conflict ?? doc.error;
  const profiles = Object.keys(def.masking ?? {});
  const maskedFields = new Set(report?.fields.filter((f) => f.table === table).map((f) => f.field) ?? []);
  // Any table can be compared side by side; those with a masked field say so.
  const withMasks = new Set(report?.fields.map((f) => f.table) ?? []);
  const sideTables = [...new Set([...treeTables, ...withMasks])];
  const reversible = (report?.fields ?? [])
    .filter((f) => f.properties.reversible)
    .map((f) => (f.table === "entity" ? f.field : `${f.table}.${f.field}`));
  const columnsShown = masked?.columns.filter((c) => maskedFields.has(c.name)).map((c) => c.name) ?? [];

  return (
    <section className="panel privacy-view" aria-label="Privacy">
      <div className="privacy-head">
        {profiles.length > 0 && (
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
        )}
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const name = newProfile.trim();
            if (profiles.includes(name)) return setRefusal(`There is a profile called ${name} already.`);
            if (!/^[a-z][a-z0-9_-]*$/.test(name)) return setRefusal("A profile's name starts with a lowercase letter, then lowercase letters, digits, - or _.");
            setRefusal(null);
            void doc.save({ ...def, masking: { ...(def.masking ?? {}), [name]: { rules: [] } } }).then(() => setProfile(name));
            setNewProfile("");
          }}
        >
          <input name="new-profile" placeholder="new profile (support…)" value={newProfile} onChange={(e) => setNewProfile(e.target.value)} />
          <button className="small" type="submit">
            + Profile
          </button>
        </form>
        {measures.loading && !!profile && <span className="loading">Masking and measuring…</span>}
        {report && (
          <span className={report.violations.length ? "model-status bad" : "model-status"} data-testid="privacy-status">
            {report.violations.length ? `${count(report.violations.length, "threshold")} broken` : "Thresholds met"}
          </span>
        )}
      </div>
      {refusal && (
        <p className="notice" role="status">
          {refusal}
        </p>
      )}
      {profiles.length === 0 && (
        <p className="empty-state" data-testid="no-profiles">
          No masking profile yet. A profile is the set of rules one kind of consumer gets (support, analytics…): name one above, then add its rules; Steward
          suggests them from the fields it classifies as personal data.
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {profile && <Rules rules={rules} fields={ruleFields} onEdit={editRules} />}
      {report && (
        <>
          <LeakCheck report={report} />
          <Coverage report={report} onAddRule={(r) => editRules((rs) => [...rs, r])} />
          {reversible.length > 0 && <RevealBox productId={product.id} profile={profile} fields={reversible} />}
          <Risk
            report={report}
            fields={fields}
            quasi={quasi}
            onToggle={(f) => setQuasi((q) => ((q ?? []).includes(f) ? (q ?? []).filter((x) => x !== f) : [...(q ?? []), f]))}
          />
          <SideBySide
            table={table}
            tables={sideTables}
            withMasks={withMasks}
            entitySource={def.entity.source}
            onTable={(t) => {
              setRevealed([]);
              setConfirming(null);
              setTable(t);
            }}
            columnsShown={columnsShown}
            masked={masked}
            originals={originals.data}
            revealed={revealed}
            onRevealed={setRevealed}
            confirming={confirming}
            onConfirming={setConfirming}
          />
        </>
      )}
    </section>
  );
}
