// A column's profile as a card: null share, distinct count, range, and a small chart — a
// histogram (numbers, dates) or the top values (text).
import type { ColumnProfile } from "../bindings";

const fmt = (n: number) => n.toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** What a bar chart's axes say: the values along the bottom (its first and last), and what a bar counts. */
export interface Axes {
  x: string;
  y: string;
  first: string;
  last: string;
}

export function Bars({ values, labels, title, axes }: { values: number[]; labels: string[]; title: string; axes?: Axes }) {
  const max = Math.max(1, ...values);
  const w = 220;
  const h = 48;
  const bw = w / Math.max(1, values.length);
  const chart = (
    <svg className="bars" width={w} height={h} role="img" aria-label={title} viewBox={`0 0 ${w} ${h}`}>
      {values.map((v, i) => {
        const bh = v === 0 ? 0 : Math.max(1, (v / max) * h);
        return (
          <rect key={i} x={i * bw + 0.5} y={h - bh} width={Math.max(1, bw - 1)} height={bh} data-count={v}>
            <title>{`${labels[i]}: ${fmt(v)}`}</title>
          </rect>
        );
      })}
    </svg>
  );
  if (!axes) return chart;
  return (
    <figure className="bars-figure" aria-label={title}>
      <figcaption className="bars-y">
        {axes.y}, up to {fmt(max)}
      </figcaption>
      {chart}
      <div className="bars-x" data-testid="bars-x">
        <span>{axes.first}</span>
        <span className="bars-x-name">{axes.x}</span>
        <span>{axes.last}</span>
      </div>
    </figure>
  );
}

function TopValues({ p }: { p: ColumnProfile }) {
  if (p.top.length === 0 && p.distinct > 0 && p.distinct === p.rows - p.nulls) {
    return <p className="all-distinct">Every value is different</p>;
  }
  const max = Math.max(1, ...p.top.map((t) => t.count));
  return (
    <ul className="top-values" aria-label={`Top values of ${p.name}`}>
      {p.top.slice(0, 5).map((t) => (
        <li key={t.value}>
          <span className="tv-bar" style={{ width: `${(t.count / max) * 100}%` }} />
          <span className="tv-value" title={t.value}>
            {t.value}
          </span>
          <span className="tv-count">{fmt(t.count)}</span>
        </li>
      ))}
    </ul>
  );
}

export function ColumnCard({ p }: { p: ColumnProfile }) {
  return (
    <article className="column-card" data-column={p.name}>
      <header>
        <strong>{p.name}</strong>
        <code>{p.dtype}</code>
      </header>
      <div className="null-share" title={`${fmt(p.nulls)} of ${fmt(p.rows)} rows are empty`}>
        <span className="null-fill" style={{ width: pct(p.null_share) }} />
      </div>
      <dl>
        <dt>nulls</dt>
        <dd data-stat="nulls">{pct(p.null_share)}</dd>
        <dt>distinct</dt>
        <dd data-stat="distinct">
          {fmt(p.distinct)}
          {p.distinct_exact ? "" : " (est.)"}
        </dd>
        {p.min !== null && (
          <>
            <dt>range</dt>
            <dd data-stat="range">
              {p.min} … {p.max}
            </dd>
          </>
        )}
      </dl>
      {p.histogram && p.histogram.bins.length > 0 ? (
        <Bars
          title={`Histogram of ${p.name}`}
          values={p.histogram.bins.map((b) => b.count)}
          labels={p.histogram.bins.map((b) => `${b.start} – ${b.end}`)}
          axes={{ x: p.name, y: "rows", first: String(p.histogram.bins[0].start), last: String(p.histogram.bins[p.histogram.bins.length - 1].end) }}
        />
      ) : (
        <TopValues p={p} />
      )}
    </article>
  );
}
