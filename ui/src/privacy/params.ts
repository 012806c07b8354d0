// A masking rule's parameters as a privacy officer writes them:
// `kind=first_name, keep_last=4, from=[city postal_code]`.

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
