// A masking profile's rules, edited in place: the field (or every column with a classification
// tag) each one covers, the rule, and its parameters.
import { useState } from "react";
import type { MaskingRule } from "../bindings";
import { formatParams, parseParams, type Params } from "./params";

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
  const [bad, setBad] = useState(false);
  // The text follows the rule's parameters whenever they change (saved, or reloaded from disk).
  const [shownParams, setShownParams] = useState(rule.params);
  if (shownParams !== rule.params) {
    setShownParams(rule.params);
    setParams(formatParams(rule.params as Params | undefined));
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
