// One entity's 360 view: its fields, then its tables as a tree — each table under the root with
// the entity's rows, each row opening onto the rows under it (an order's lines, with the product
// each line looks up). Every table is read once for the entity; rows are put under their parent
// rows here, by the join's values.
import { useMemo, useState } from "react";
import type { ProductSummary } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc, type GridData } from "../shared/arrow";
import { ColumnCard } from "../shared/ColumnCard";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";
import { EntityTree } from "./EntityTree";
import { treeOf } from "./tree360";

/** Rows read per table for one entity. */
export const ENTITY_ROWS = 10000;

function Profile({ productId, table, column, onClose }: { productId: string; table: string; column: string; onClose: () => void }) {
  const { data, error } = useIpcQuery(() => api.profileColumn({ sourceId: null, productId, table, column }), [productId, table, column]);
  return (
    <div className="grid-profile" role="dialog" aria-label={`Profile of ${table}.${column}`}>
      <button className="close" aria-label="Close profile" onClick={onClose}>
        ×
      </button>
      {error && <ErrorBox error={error} />}
      {!data && !error && <p className="loading">Profiling {column} over every row…</p>}
      {data && <ColumnCard p={data} />}
    </div>
  );
}

export function Entity360({ product, initialKey }: { product: ProductSummary; initialKey: string[] }) {
  const [key, setKey] = useState(initialKey.join(", "));
  const [shown, setShown] = useState(initialKey);
  const [profiled, setProfiled] = useState<{ table: string; column: string } | null>(null);
  // The joins, to put rows under their parents; without them each table is shown on its own.
  const doc = useIpcQuery(() => api.openProduct(product.id).catch(() => null), [product]);
  const { data: tables, error } = useIpcQuery(
    () =>
      shown.length === 0 || shown.every((k) => k === "")
        ? Promise.resolve(null)
        : Promise.all(
            ["entity", ...product.related].map(async (table) => ({
              name: table,
              grid: gridFromIpc(await api.productRows({ productId: product.id, key: shown, table, offset: 0, limit: ENTITY_ROWS })),
            })),
          ),
    [product, shown],
  );
  const def = doc.data?.definition ?? null;
  const tree = useMemo(() => treeOf(def, product.related), [def, product.related]);
  const grids = useMemo(() => new Map<string, GridData>((tables ?? []).map((t) => [t.name, t.grid])), [tables]);
  const entity = grids.get("entity");
  return (
    <section className="panel entity-360" aria-label="360 view">
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
      {profiled && <Profile productId={product.id} table={profiled.table} column={profiled.column} onClose={() => setProfiled(null)} />}
      {entity && entity.rowCount === 0 && (
        <ErrorBox error={{ code: "product.unknown_entity", message: `No ${product.entity} with key ${shown.join(", ")}` }} />
      )}
      {entity && entity.rowCount > 0 && (
        <>
          <dl className="entity-fields" data-testid="entity-fields">
            {entity.columns.map((c, i) => (
              <div key={c.name} data-field={c.name}>
                <dt>{c.name}</dt>
                <dd>{entity.cell(0, i) ?? "null"}</dd>
              </div>
            ))}
          </dl>
          {/* A new entity starts with every row folded. */}
          <EntityTree key={shown.join("\u001f")} tree={tree} grids={grids} onProfile={(table, column) => setProfiled({ table, column })} />
        </>
      )}
    </section>
  );
}
