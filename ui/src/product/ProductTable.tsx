// The product table, a page of entities at a time: one row per entity, each related table a
// cell counting its rows (which open, with the rows nested in them).
import { useState } from "react";
import type { ProductSummary } from "../bindings";
import { api } from "../shared/api";
import { gridFromIpc } from "../shared/arrow";
import { DataGrid } from "../shared/DataGrid";
import { ErrorBox } from "../shared/ErrorBox";
import { useIpcQuery } from "../shared/hooks";

export const PRODUCT_PAGE = 100;

export function ProductTable({ product, onOpen }: { product: ProductSummary; onOpen: (key: string[]) => void }) {
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
