// Every pair of text and background colour the styles use keeps WCAG AA contrast (4.5:1) in the
// light and the dark theme: the palette in styles.css is read and measured, so a colour changed
// there is checked here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Vitest runs in ui/.
const css = readFileSync(join(process.cwd(), "src/styles.css"), "utf8");
const rootBlock = css.slice(css.indexOf(":root {"), css.indexOf("}", css.indexOf(":root {")));

/** `--name` → [light, dark] hex colours. */
function palette(): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const m of rootBlock.matchAll(/(--[a-z-]+):\s*([^;]+);/g)) {
    const value = m[2].trim();
    const pair = value.match(/^light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)$/i);
    if (pair) out.set(m[1], [pair[1], pair[2]]);
    else if (/^#[0-9a-f]{6}$/i.test(value)) out.set(m[1], [value, value]);
  }
  return out;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// Text colour on background colour, as the styles pair them.
const PAIRS: [string, string][] = [
  ["--ink", "--bg"], ["--ink", "--panel"], ["--ink", "--head"], ["--ink", "--row-alt"], ["--ink", "--chip"],
  ["--ink", "--selection"], ["--ink", "--hit"], ["--ink", "--row-open"], ["--ink", "--accent-soft"], ["--ink", "--warn-soft"],
  ["--ink", "--kind-csv"], ["--ink", "--kind-parquet"], ["--ink", "--kind-excel"], ["--ink", "--kind-sqlite"], ["--ink", "--node-head"],
  ["--muted", "--bg"], ["--muted", "--panel"], ["--muted", "--head"], ["--muted", "--row-alt"], ["--muted", "--accent-soft"],
  ["--faint", "--panel"], ["--faint", "--row-alt"], ["--faint", "--chip"], ["--faint", "--head"],
  ["--accent-ink", "--panel"], ["--accent-ink", "--bg"], ["--accent-ink", "--accent-soft"],
  ["--danger", "--panel"], ["--danger", "--danger-soft"], ["--danger", "--bg"],
  ["--ok", "--panel"], ["--ok", "--ok-soft"], ["--warn-ink", "--warn-soft"],
  ["--on-accent", "--accent"], ["--on-accent-muted", "--accent"], ["--on-accent", "--danger-strong"], ["--on-warn", "--warn-strong"],
  ["--lookup", "--panel"], ["--lookup", "--lookup-soft"],
];

describe("colour contrast", () => {
  const colours = palette();
  it("reads the palette", () => {
    expect(colours.size).toBeGreaterThan(30);
    expect(contrast("#000000", "#ffffff")).toBeCloseTo(21, 5);
  });
  for (const [theme, i] of [["light", 0], ["dark", 1]] as const) {
    it(`keeps text at WCAG AA (4.5:1) in the ${theme} theme`, () => {
      const low = PAIRS.flatMap(([fg, bg]) => {
        const [f, b] = [colours.get(fg), colours.get(bg)];
        if (!f || !b) return [`${fg} on ${bg}: not in the palette`];
        const r = contrast(f[i], b[i]);
        return r < 4.5 ? [`${fg} on ${bg}: ${r.toFixed(2)}:1`] : [];
      });
      expect(low).toEqual([]);
    });
  }
});
