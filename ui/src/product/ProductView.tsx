// A data product: its table (one row per entity, related rows nested), one entity's 360 view,
// and validation against the sources.
import { useState } from "react";
import type { ProductSummary, SourceSummary } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc } from "../shared/arrow";
import { DataGrid } from "../shared/DataGrid";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { Modeller } from "../model/Modeller";
import { PrivacyView } from "../privacy/PrivacyView";
import { RegistryView } from "../registry/RegistryView";

export const PRODUCT_PAGE = 100;

function ProductTable({ product, onOpen }: { product: ProductSummary; onOpen: (key: string[]) => void }) {
  const [offset, setOffset] = useState(0);
  const { data: grid, error } = useIpcQuery(
    () => api.productRows({ productId: product.id, key: null, table: null, offset, limit: PRODUCT_PAGE }).then(gridFromIpc),
    [product.id, offset],
  );
  const firstKey = (row: number) => product.key.map((k) => grid?.cell(row, grid.columns.findIndex((c) => c.name === k)) ?? "");
  return (
    <>
      <div className="pager">
        <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PRODUCT_PAGE))}>
          ‹ Previous
        </button>
        <span data-testid="product-page">
          Entities {offset + 1}–{offset + (grid?.rowCount ?? 0)}
        </span>
        <button disabled={(grid?.rowCount ?? 0) < PRODUCT_PAGE} onClick={() => setOffset(offset + PRODUCT_PAGE)}>
          Next ›
        </button>
        {grid && grid.rowCount > 0 && (
          <button onClick={() => onOpen(firstKey(0))}>Open the first {product.entity} in 360 view</button>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      {grid && (
        <DataGrid
          data={grid}
          label={`Product table of ${product.id}`}
          onProfile={(column) => api.profileColumn({ sourceId: null, productId: product.id, table: "entity", column })}
        />
      )}
    </>
  );
}

function Entity360({ product, initialKey }: { product: ProductSummary; initialKey: string[] }) {
  const [key, setKey] = useState(initialKey.join(", "));
  const [shown, setShown] = useState(initialKey);
  const { data: tables, error } = useIpcQuery(
    () =>
      shown.length === 0 || shown.every((k) => k === "")
        ? Promise.resolve(null)
        : Promise.all(
            ["entity", ...product.related].map(async (table) => ({
              name: table,
              grid: gridFromIpc(await api.productRows({ productId: product.id, key: shown, table, offset: 0, limit: 10000 })),
            })),
          ),
    [product, shown],
  );
  const entity = tables?.find((t) => t.name === "entity")?.grid;
  return (
    <section className="panel" aria-label="360 view">
      <form
        className="key-form"
        onSubmit={(e) => {
          e.preventDefault();
          setShown(key.split(",").map((s) => s.trim()));
        }}
      >
        <label>
          {product.entity} {product.key.join(", ")}
          <input name="key" value={key} onChange={(e) => setKey(e.target.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      {error && <ErrorBox error={error} />}
      {entity && entity.rowCount === 0 && (
        <ErrorBox error={{ code: "product.unknown_entity", message: `No ${product.entity} with key ${shown.join(", ")}` }} />
      )}
      {entity && entity.rowCount > 0 && (
        <dl className="entity-fields" data-testid="entity-fields">
          {entity.columns.map((c, i) => (
            <div key={c.name} data-field={c.name}>
              <dt>{c.name}</dt>
              <dd>{entity.cell(0, i) ?? "null"}</dd>
            </div>
          ))}
        </dl>
      )}
      {entity &&
        entity.rowCount > 0 &&
        tables
          ?.filter((t) => t.name !== "entity")
          .map((t) => (
            <div key={t.name} className="related-block" data-related={t.name}>
              <h3>
                {t.name} <small>{t.grid.rowCount === 1 ? "1 row" : `${t.grid.rowCount} rows`}</small>
              </h3>
              {t.grid.rowCount > 0 && (
                <div className="related-grid" style={{ height: Math.min(8, t.grid.rowCount + 1) * 28 + 24 }}>
                  <DataGrid
                    data={t.grid}
                    label={`${t.name} of ${shown.join(", ")}`}
                    onProfile={(column) => api.profileColumn({ sourceId: null, productId: product.id, table: t.name, column })}
                  />
                </div>
              )}
            </div>
          ))}
    </section>
  );
}

function Validation({ product }: { product: ProductSummary }) {
  const validated = useIpcQuery(() => api.validateProduct(product.id), [product.id]);
  const checked = useIpcQuery(() => api.productQuality(product.id), [product.id]);
  const issues = validated.data;
  const quality = checked.data;
  const error = validated.error ?? checked.error;
  const errors = issues?.filter((i) => i.severity === "error").length ?? 0;
  return (
    <section className="panel" aria-label="Validation">
      {error && <ErrorBox error={error} />}
      {issues && (
        <>
          <p className="summary" data-testid="validation-summary">
            {errors} errors, {issues.length - errors} warnings
          </p>
          <ul className="issues">
            {issues.map((i) => (
              <li key={`${i.path}:${i.code}`} className={`issue issue-${i.severity}`}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {quality && (
        <>
          <h3 data-testid="quality-summary">
            Quality rules: {quality.filter((q) => q.passed).length} of {quality.length} pass
          </h3>
          <table className="relations quality">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Field</th>
                <th>Result</th>
                <th>Violations</th>
                <th>Samples</th>
              </tr>
            </thead>
            <tbody>
              {quality.map((q) => (
                <tr key={q.path} data-rule={q.path} data-passed={q.passed}>
                  <td>
                    <code>{q.path}</code> {q.rule}
                  </td>
                  <td>{q.columns.length ? `${q.table}.${q.columns.join(", ")}` : q.table}</td>
                  <td>
                    <span className={q.passed ? "badge badge-accepted" : "badge"}>{q.passed ? "pass" : "fail"}</span>
                  </td>
                  <td>
                    {q.violations.toLocaleString("en-US")} of {q.checked.toLocaleString("en-US")}
                  </td>
                  <td className="evidence">{q.samples.join(" · ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export type ProductTab = "model" | "table" | "360" | "validation" | "privacy" | "registry";

export function ProductView({
  product,
  sources,
  diskRevision,
  onSaved,
  initialTab = "model",
}: {
  product: ProductSummary;
  sources: SourceSummary[];
  diskRevision?: string;
  onSaved?: () => void;
  initialTab?: ProductTab;
}) {
  const [tab, setTab] = useState<ProductTab>(initialTab);
  const [key, setKey] = useState<string[]>([]);
  return (
    <>
      <div className="content-head">
        <h1>
          {product.name} <small className="version">{product.version}</small>
        </h1>
        <nav className="tabs" role="tablist" aria-label="Product views">
          {(
            [
              ["model", "Model"],
              ["table", "Product table"],
              ["360", "360 view"],
              ["validation", "Validation"],
              ["privacy", "Privacy"],
              ["registry", "Registry"],
            ] as const
          ).map(([t, label]) => (
            <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
              {label}
            </button>
          ))}
        </nav>
      </div>
      {product.error && <ErrorBox error={product.error} />}
      {!product.error && tab === "model" && (
        <Modeller productId={product.id} sources={sources} diskRevision={diskRevision} onSaved={onSaved} />
      )}
      {!product.error && tab === "table" && (
        <ProductTable
          product={product}
          onOpen={(k) => {
            setKey(k);
            setTab("360");
          }}
        />
      )}
      {!product.error && tab === "360" && <Entity360 product={product} initialKey={key} />}
      {!product.error && tab === "validation" && <Validation product={product} />}
      {!product.error && tab === "privacy" && <PrivacyView product={product} />}
      {!product.error && tab === "registry" && <RegistryView product={product} />}
    </>
  );
}
