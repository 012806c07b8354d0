import { useCallback, useEffect, useState } from "react";
import type { IpcError, ProductSummary, SourceSummary, WorkspaceInfo } from "./bindings";
import { NewProductDialog } from "./model/NewProduct";
import { ProductView } from "./product/ProductView";
import { api } from "./shared/api";
import { ErrorBox } from "./shared/ErrorBox";
import { SettingsDialog } from "./settings/SettingsDialog";
import { Splitter, useFolded, usePaneWidth } from "./shared/panes";
import { applyTheme } from "./shared/theme";
import { AddSourceDialog } from "./sources/AddSource";
import { PreviewPanel } from "./sources/PreviewPanel";
import { PrivacyPanel } from "./sources/PrivacyPanel";
import { ProfilePanel } from "./sources/ProfilePanel";
import { RelationsPanel } from "./sources/RelationsPanel";
import { SourceList } from "./sources/SourceList";

type View =
  | { kind: "source"; id: string; tab: "preview" | "profile" | "privacy" }
  | { kind: "relations" }
  | { kind: "product"; id: string }
  | null;

export function App() {
  const [workspace, setWorkspace] = useState<WorkspaceInfo | null>(null);
  const [wsError, setWsError] = useState<IpcError | null>(null);
  const [view, setView] = useState<View>(null);
  const [adding, setAdding] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [sidebarFolded, toggleSidebar] = useFolded("app.sidebar");
  const [sidebarWidth, setSidebarWidth] = usePaneWidth("app.sidebar", 280, 200, 480);
  const [products, setProducts] = useState<ProductSummary[]>([]);
  const [revisions, setRevisions] = useState<Record<string, string>>({});
  const [creating, setCreating] = useState(false);

  const refreshProducts = useCallback(() => {
    api
      .listProducts()
      .then(setProducts)
      .catch(() => setProducts([]));
  }, []);

  const select = useCallback((s: SourceSummary) => {
    setView((v) => ({ kind: "source", id: s.id, tab: v?.kind === "source" ? v.tab : "preview" }));
  }, []);

  useEffect(() => {
    // The colours the steward chose; without settings, the system's.
    api
      .settingsInfo()
      .then((s) => applyTheme(s.theme))
      .catch(() => {});
  }, []);

  useEffect(() => {
    Promise.all([api.getWorkspace(), api.listProducts().catch(() => [] as ProductSummary[])])
      .then(([ws, ps]) => {
        setWorkspace(ws);
        setProducts(ps);
        // Open the first product on its canvas; without one, the first text source.
        const product = ps.find((p) => !p.error) ?? ps[0];
        const first = ws.sources.find((s) => s.kind === "csv") ?? ws.sources[0];
        if (product) setView({ kind: "product", id: product.id });
        else if (first) setView({ kind: "source", id: first.id, tab: "preview" });
        // Definitions edited outside Steward (an editor, git) are picked up as they change.
        api
          .watchProducts((c) => {
            setRevisions(c.revisions);
            refreshProducts();
          })
          .catch(() => {});
      })
      .catch((e: IpcError) => setWsError(e));
  }, [refreshProducts]);

  const source = view?.kind === "source" ? workspace?.sources.find((s) => s.id === view.id) : undefined;
  const tab = view?.kind === "source" ? view.tab : null;

  return (
    <div className="app">
      <header className="topbar">
        <button className="small topbar-fold" aria-label={sidebarFolded ? "Show the side bar" : "Hide the side bar"} aria-pressed={!sidebarFolded} title="Sources and products" onClick={toggleSidebar}>
          ☰
        </button>
        <span className="brand">Steward</span>
        {workspace && (
          <span className="workspace" title={workspace.root} data-testid="workspace-name">
            {workspace.name}
          </span>
        )}
        <button className="small topbar-settings" onClick={() => setSettingsOpen(true)}>
          Settings…
        </button>
      </header>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
      {wsError && (
        <main className="empty">
          <ErrorBox error={wsError} />
        </main>
      )}
      {workspace && (
        <div className="body">
          <nav className="sidebar" style={{ width: sidebarWidth }} hidden={sidebarFolded}>
            <div className="sidebar-head">
              <h2>Sources</h2>
              <button className="small" onClick={() => setAdding(true)}>
                + Add source
              </button>
            </div>
            <SourceList sources={workspace.sources} selected={source?.id ?? null} onSelect={select} />
            <button
              className={view?.kind === "relations" ? "nav-link selected" : "nav-link"}
              onClick={() => setView({ kind: "relations" })}
            >
              Relationships across sources
            </button>
            <div className="sidebar-head products-head">
              <h2>Products</h2>
              <button className="small" onClick={() => setCreating(true)}>
                + New product
              </button>
            </div>
            <ul className="source-list" aria-label="Products">
              {products.map((p) => (
                <li key={p.id}>
                  <button
                    className={view?.kind === "product" && view.id === p.id ? "source selected" : "source"}
                    data-product-id={p.id}
                    onClick={() => setView({ kind: "product", id: p.id })}
                  >
                    <span className="source-name">{p.name}</span>
                    <span className="source-meta">
                      <span className="kind">{p.entity || "invalid"}</span>
                      <span className="path">
                        {p.version} · {p.related.length} related tables
                      </span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {!sidebarFolded && <Splitter label="Width of the side bar" side="left" width={sidebarWidth} setWidth={setSidebarWidth} />}
          <main className="content">
            {view?.kind === "product" && products.find((p) => p.id === view.id) && (
              <ProductView
                key={view.id}
                product={products.find((p) => p.id === view.id) as ProductSummary}
                sources={workspace.sources}
                diskRevision={revisions[view.id]}
                onSaved={refreshProducts}
              />
            )}
            {view?.kind === "relations" && (
              <>
                <div className="content-head">
                  <h1>Relationships</h1>
                </div>
                <RelationsPanel />
              </>
            )}
            {source && tab && (
              <>
                <div className="content-head">
                  <h1>{source.name}</h1>
                  <nav className="tabs" role="tablist" aria-label="Source views">
                    {(["preview", "profile", "privacy"] as const).map((t) => (
                      <button
                        key={t}
                        role="tab"
                        aria-selected={tab === t}
                        onClick={() => setView({ kind: "source", id: source.id, tab: t })}
                      >
                        {t === "preview" ? "Preview" : t === "profile" ? "Profile" : "Privacy"}
                      </button>
                    ))}
                  </nav>
                </div>
                {tab === "preview" && <PreviewPanel source={source} onWorkspace={setWorkspace} />}
                {tab === "profile" && <ProfilePanel sourceId={source.id} />}
                {tab === "privacy" && <PrivacyPanel sourceId={source.id} />}
              </>
            )}
          </main>
        </div>
      )}
      {creating && workspace && (
        <NewProductDialog
          sources={workspace.sources}
          taken={products.map((p) => p.id)}
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            api
              .listProducts()
              .then((ps) => {
                setProducts(ps);
                setView({ kind: "product", id });
              })
              .catch(() => {});
          }}
        />
      )}
      {adding && (
        <AddSourceDialog
          onClose={() => setAdding(false)}
          onAdded={(ws) => {
            setWorkspace(ws);
            setAdding(false);
            const added = ws.sources[ws.sources.length - 1];
            if (added) setView({ kind: "source", id: added.id, tab: "preview" });
          }}
        />
      )}
    </div>
  );
}
