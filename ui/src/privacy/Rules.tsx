// A masking profile's rules, edited in place: the field (or every column with a classification
// tag) each one covers, the rule, and its parameters.
import { useState } from "react";
import { MASKING_CATALOG, type MaskingRule, type MaskingRuleName } from "../bindings";
import { formatParams, parseParams, ruleProblem, specOf, startingParams, type Params } from "./params";

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
  const [params, setParams] = useState(() => formatParams(rule.params as Params | undefined));
  const [problem, setProblem] = useState<string | null>(null);
  // The text follows the rule's parameters whenever they change (saved, or reloaded from disk).
  const [shownParams, setShownParams] = useState(rule.params);
  if (shownParams !== rule.params) {
    setShownParams(rule.params);
    setParams(formatParams(rule.params as Params | undefined));
    setProblem(null);
  }
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
            {/* The rule's own field is always shown, even when the product does not list it
                (every column of a table taken as it is): a rule is never shown on another field. */}
            {rule.field && !fields.includes(rule.field) && <option value={rule.field}>{rule.field}</option>}
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
        <select
          aria-label={`Rule ${index + 1}`}
          value={specOf(rule.rule)?.name ?? rule.rule}
          title={specOf(rule.rule)?.doc}
          onChange={(e) => {
            // A new rule keeps what of its parameters it takes, and starts the ones it needs.
            const name = e.target.value as MaskingRuleName;
            onChange({ rule: name, params: startingParams(name, rule.params as Params | undefined, fields) as MaskingRule["params"] });
          }}
        >
          {MASKING_CATALOG.map((r) => (
            <option key={r.name} value={r.name} title={r.doc}>
              {r.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <input
          aria-label={`Parameters of rule ${index + 1}`}
          className={problem ? "bad" : ""}
          title={problem ?? specOf(rule.rule)?.doc}
          value={params}
          onChange={(e) => setParams(e.target.value)}
          placeholder={specOf(rule.rule)?.params.map((p) => `${p.name}=…`).join(", ") || "no parameters"}
          onBlur={() => {
            // Only parameters the catalog accepts are saved: Steward refuses any other.
            const parsed = parseParams(params);
            const why = parsed === null ? "write parameters as key=value, key=value" : ruleProblem(rule.rule, parsed);
            setProblem(why);
            if (parsed !== null && why === null) onChange({ params: parsed as MaskingRule["params"] });
          }}
        />
        {problem && (
          <div className="hint bad" role="alert">
            {problem}
          </div>
        )}
      </td>
      <td>
        <button className="small" aria-label={`Remove rule ${index + 1}`} onClick={onRemove}>
          ×
        </button>
      </td>
    </tr>
  );
}

/** The rules of one profile; `onEdit` applies a change to the rules as the latest edit left them. */
export function Rules({
  rules,
  fields,
  onEdit,
}: {
  rules: MaskingRule[];
  fields: string[];
  onEdit: (edit: (rules: MaskingRule[]) => MaskingRule[]) => void;
}) {
  return (
    <>
      <h3>Rules</h3>
      <table className="relations rules">
        <tbody>
          {rules.map((r, i) => (
            <RuleEditor
              key={i}
              index={i}
              rule={r}
              fields={fields}
              onChange={(patch) => onEdit((rs) => rs.map((x, j) => (j === i ? { ...x, ...patch } : x)))}
              onRemove={() => onEdit((rs) => rs.filter((_, j) => j !== i))}
            />
          ))}
        </tbody>
      </table>
      <button
        className="small"
        onClick={() => {
          // A new rule starts on the first field no rule covers yet.
          onEdit((rs) => {
            const free = fields.find((f) => !rs.some((r) => r.field === f)) ?? fields[0] ?? "";
            return [...rs, { field: free, rule: "redact" }];
          });
        }}
      >
        + Rule
      </button>
    </>
  );
}
