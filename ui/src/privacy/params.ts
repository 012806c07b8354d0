// A masking rule's parameters as a privacy officer writes them:
// `kind=first_name, keep_last=4, from=[city postal_code]`.

import { MASKING_CATALOG } from "../bindings";

export type Params = { [key: string]: unknown };

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

/** One rule of the catalog generated from Steward's typed masking rules. */
export type RuleSpec = (typeof MASKING_CATALOG)[number];
type ParamSpec = RuleSpec["params"][number];

/** The catalog entry of `name` (the American `generalize` is `generalise`). */
export function specOf(name: string): RuleSpec | undefined {
  const canonical = name === "generalize" ? "generalise" : name;
  return MASKING_CATALOG.find((r) => r.name === canonical);
}

function valueProblem(p: ParamSpec, v: unknown): string | null {
  const kind = p.kind;
  switch (kind.type) {
    case "whole_number":
      return Number.isInteger(v) && (v as number) >= 0 ? null : `${p.name} must be a whole number`;
    case "number":
      return typeof v === "number" ? null : `${p.name} must be a number`;
    case "flag":
      return typeof v === "boolean" ? null : `${p.name} must be true or false`;
    case "date":
      return typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v) ? null : `${p.name} must be a date like 2026-01-01`;
    case "text":
      return typeof v === "string" ? null : `${p.name} must be text`;
    case "scalar":
      return ["string", "number", "boolean"].includes(typeof v) ? null : `${p.name} must be text, a number or true/false`;
    case "columns":
      return Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === "string") ? null : `${p.name} must be a list of columns, like [city postal_code]`;
    case "one_of":
      return typeof v === "string" && (kind.values as readonly string[]).includes(v.toLowerCase())
        ? null
        : `${p.name} must be one of ${kind.values.join(", ")}`;
  }
}

/** What Steward would refuse in these parameters of rule `name`, said plainly; `null` when none. */
export function ruleProblem(name: string, params: Params): string | null {
  const spec = specOf(name);
  if (!spec) return `${name} is not a masking rule`;
  const known = spec.params.map((p) => p.name as string);
  for (const k of Object.keys(params)) {
    if (k !== "id" && !known.includes(k)) {
      return known.length ? `${spec.name} has no parameter ${k}; it takes: ${known.join(", ")}` : `${spec.name} takes no parameters`;
    }
  }
  for (const p of spec.params) {
    const v = params[p.name];
    if (v === undefined) {
      if (p.required) return `${spec.name} needs ${p.name}`;
      continue;
    }
    const problem = valueProblem(p, v);
    if (problem) return problem;
  }
  return null;
}

function startingValue(p: ParamSpec, fields: string[]): unknown {
  const kind = p.kind;
  switch (kind.type) {
    case "one_of":
      return kind.values[0];
    case "columns":
      return fields.slice(0, 1);
    case "scalar":
    case "text":
      return "";
    default:
      return 1;
  }
}

/**
 * The parameters a rule starts with when a privacy officer picks it: what the previous rule had
 * that this one also takes, and a first value for each parameter it needs.
 */
export function startingParams(name: string, previous: Params | undefined, fields: string[]): Params {
  const spec = specOf(name);
  if (!spec) return {};
  const out: Params = {};
  for (const p of spec.params) {
    const v = previous?.[p.name];
    if (v !== undefined && valueProblem(p, v) === null) out[p.name] = v;
    else if (p.required) out[p.name] = startingValue(p, fields);
  }
  if (typeof previous?.id === "string") out.id = previous.id;
  return out;
}
