// A data product: its model, its table (one row per entity, related rows nested), one entity's
// 360 view, validation against the sources, privacy and the registry.
import { useState } from "react";
import type { ProductSummary, SourceSummary } from "../bindings";
import { ErrorBox } from "../shared/ErrorBox";
import { Modeller } from "../model/Modeller";
import { PrivacyView } from "../privacy/PrivacyView";
import { RegistryView } from "../registry/RegistryView";
import { Entity360 } from "./Entity360";
import { ProductTable } from "./ProductTable";
import { Validation } from "./Validation";

export { PRODUCT_PAGE } from "./ProductTable";

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
