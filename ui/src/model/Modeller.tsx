// The visual modeller: the product's tables on a canvas, joined field to field to the root.
// Every edit is saved to the definition file at once (atomically, by the shell); edits made to
// the file elsewhere are reloaded; undo and redo walk the states of this session.
import {
  Background,
  Controls,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type Node,
  type NodeProps,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../shared/api";
import type {
  CanvasPosition,
  ColumnInfo,
  IpcError,
  ModelIssue,
  ProductDefinition,
  SourceSummary,
} from "../bindings";
import { SOURCE_MIME } from "../shared/dnd";
import { ErrorBox } from "../shared/ErrorBox";
import * as D from "./definition";
import { push, redo, start, undo, type History } from "./history";
import { Inspector } from "./Inspector";

type Columns = Record<string, ColumnInfo[] | IpcError>;

type SaveState = "saved" | "saving" | "failed";

interface TableData extends Record<string, unknown> {
  table: D.ModelTable;
  columns: ColumnInfo[] | null;
  keys: string[];
  issues: ModelIssue[];
  onToggle: (id: D.NodeId, column: string) => void;
}

type TableNode = Node<TableData, "table">;

const NODE_WIDTH = 250;
const ROW = 22;

function kindLabel(t: D.ModelTable): string {
  if (t.kind === "entity") return "root";
  if (t.kind === "reference") return "lookup";
  return t.cardinality === "one_to_one" ? "1:1" : "1:n";
}

const TableBox = memo(function TableBox({ data, selected }: NodeProps<TableNode>) {
  const { table: t, columns, keys, issues } = data;
  const rows: { name: string; dtype: string }[] =
    columns?.map((c) => ({ name: c.name, dtype: c.dtype })) ??
    t.fields.map((f) => ({ name: f.column, dtype: f.type ?? "" }));
  const errors = issues.filter((i) => i.severity === "error").length;
  const keyColumns = new Set(keys);
  return (
    <div
      className={`table-node kind-${t.kind}${selected ? " selected" : ""}${errors ? " has-errors" : ""}`}
      data-node={t.id}
    >
      <header>
        <span className={`node-kind node-kind-${t.kind}`}>{kindLabel(t)}</span>
        <strong className="node-name">{t.name}</strong>
        <small className="node-source">{t.source}</small>
        {issues.length > 0 && (
          <span
            className={errors ? "node-issues error" : "node-issues warning"}
            title={issues.map((i) => `${i.path}: ${i.message}`).join("\n")}
            data-testid={`issues-${t.id}`}
          >
            {issues.length}
          </span>
        )}
      </header>
      <ul className="node-fields">
        {rows.map((c) => {
          const field = t.fields.find((f) => f.column === c.name);
          const on = D.isSelected(t, c.name);
          return (
            <li key={c.name} data-column={c.name} className={on ? "on" : "off"}>
              <Handle type="target" position={Position.Left} id={`in:${c.name}`} className="field-handle" />
              <input
                type="checkbox"
                className="nodrag"
                checked={on}
                aria-label={`Include ${t.name}.${c.name}`}
                onChange={() => data.onToggle(t.id, c.name)}
              />
              <span className="field-name" title={c.name}>
                {field?.as ? (
                  <>
                    <s>{c.name}</s> {field.as}
                  </>
                ) : (
                  c.name
                )}
              </span>
              {keyColumns.has(c.name) && <span className="field-key">key</span>}
              <span className="field-type">{field?.type ?? D.fieldType(c.dtype) ?? c.dtype}</span>
              <Handle type="source" position={Position.Right} id={`out:${c.name}`} className="field-handle" />
            </li>
          );
        })}
        {t.derived.map((d) => (
          <li key={`derived:${d.name}`} className="derived" title={d.sql}>
            <span className="field-name">ƒ {d.name}</span>
            <span className="field-type">{d.type ?? ""}</span>
          </li>
        ))}
      </ul>
    </div>
  );
});

const nodeTypes = { table: TableBox };

function estimateHeight(t: D.ModelTable, columns: ColumnInfo[] | null): number {
  return 40 + ROW * ((columns?.length ?? t.fields.length) + t.derived.length);
}

interface Props {
  productId: string;
  sources: SourceSummary[];
  /** The revision on disk, as the watcher last saw it. */
  diskRevision?: string;
  /** Called after each save lands, so lists and previews refresh. */
  onSaved?: () => void;
}

export function Modeller(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas({ productId, sources, diskRevision, onSaved }: Props) {
  const flow = useReactFlow();
  const [hist, setHist] = useState<History<ProductDefinition> | null>(null);
  const histRef = useRef<History<ProductDefinition> | null>(null);
  const revision = useRef("");
  const saving = useRef(false);
  const pending = useRef<ProductDefinition | null>(null);
  const [saveState, setSaveState] = useState<SaveState>("saved");
  const [error, setError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [issues, setIssues] = useState<ModelIssue[]>([]);
  const [checking, setChecking] = useState(false);
  const [positions, setPositions] = useState<Record<string, CanvasPosition>>({});
  const [columns, setColumns] = useState<Columns>({});
  const [selected, setSelected] = useState<D.NodeId | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const validateTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const layoutTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onSavedRef = useRef(onSaved);
  onSavedRef.current = onSaved;

  const def = hist?.present ?? null;

  const checks = useRef(0);
  const validate = useCallback(() => {
    if (validateTimer.current) clearTimeout(validateTimer.current);
    const mine = ++checks.current;
    setChecking(true);
    validateTimer.current = setTimeout(() => {
      api
        .validateProduct(productId)
        .then((found) => {
          // Only the latest check speaks: an edit since then has its own.
          if (mine === checks.current && !saving.current && !pending.current) setIssues(found);
        })
        .catch((e: IpcError) => mine === checks.current && setError(e))
        .finally(() => mine === checks.current && setChecking(false));
    }, 400);
  }, [productId]);

  const load = useCallback(
    async (why: "open" | "outside" | "conflict") => {
      const doc = await api.openProduct(productId);
      // The watcher may report one of our own earlier saves: the file is what we last wrote.
      if (why === "outside" && doc.revision === revision.current) return;
      revision.current = doc.revision;
      setIssues(doc.issues);
      if (why === "open") {
        histRef.current = start(doc.definition);
        setPositions(doc.layout);
      } else {
        const base = histRef.current ?? start(doc.definition);
        histRef.current = push(base, doc.definition);
        setNotice(
          why === "outside"
            ? `products/${productId}.yaml was edited outside Steward: reloaded it (undo goes back to your version).`
            : `products/${productId}.yaml changed outside Steward while you were editing: reloaded it; your last edit was not applied.`,
        );
      }
      setHist(histRef.current);
      validate();
    },
    [productId, validate],
  );

  useEffect(() => {
    load("open").catch((e: IpcError) => setError(e));
    return () => {
      if (validateTimer.current) clearTimeout(validateTimer.current);
    };
  }, [load]);

  // Edits made to the file elsewhere arrive through the watcher.
  useEffect(() => {
    if (!diskRevision || !histRef.current) return;
    if (diskRevision === revision.current || saving.current || pending.current) return;
    load("outside").catch((e: IpcError) => setError(e));
  }, [diskRevision, load]);

  const flush = useCallback(async () => {
    saving.current = true;
    setSaveState("saving");
    let failed = false;
    while (pending.current) {
      const definition = pending.current;
      pending.current = null;
      try {
        const saved = await api.saveProduct({ productId, baseRevision: revision.current, definition });
        revision.current = saved.revision;
        setIssues(saved.issues);
        setError(null);
      } catch (e) {
        const err = e as IpcError;
        if (err.code === "model.conflict") {
          pending.current = null;
          saving.current = false;
          await load("conflict").catch((x: IpcError) => setError(x));
        } else {
          failed = true;
          setError(err);
        }
      }
    }
    saving.current = false;
    setSaveState(failed ? "failed" : "saved");
    onSavedRef.current?.();
    validate();
  }, [productId, load, validate]);

  const commit = useCallback(
    (next: History<ProductDefinition>) => {
      if (next === histRef.current) return;
      const changed = next.present !== histRef.current?.present;
      histRef.current = next;
      setHist(next);
      if (changed) {
        pending.current = next.present;
        setNotice(null);
        if (!saving.current) void flush();
      }
    },
    [flush],
  );

  const edit = useCallback(
    (f: (d: ProductDefinition) => ProductDefinition, merge: string | null = null) => {
      const h = histRef.current;
      if (h) commit(push(h, f(h.present), merge));
    },
    [commit],
  );

  const doUndo = useCallback(() => histRef.current && commit(undo(histRef.current)), [commit]);
  const doRedo = useCallback(() => histRef.current && commit(redo(histRef.current)), [commit]);

  // Columns of every source in the model, read once.
  const sourceIds = useMemo(() => (def ? [...new Set(D.tables(def).map((t) => t.source))] : []), [def]);
  useEffect(() => {
    for (const id of sourceIds) {
      if (columns[id]) continue;
      setColumns((c) => ({ ...c, [id]: [] }));
      api
        .inspectSource(id)
        .then((i) => setColumns((c) => ({ ...c, [id]: i.columns })))
        .catch((e: IpcError) => setColumns((c) => ({ ...c, [id]: e })));
    }
  }, [sourceIds, columns]);
  // Field rows (and their handles) change once a source's columns arrive: have the canvas
  // measure the handles again, or joins to them would not be drawn.
  const updateNodeInternals = useUpdateNodeInternals();
  const nodeIds = useMemo(() => (def ? D.tables(def).map((t) => t.id) : []), [def]);
  useEffect(() => {
    const t = setTimeout(() => updateNodeInternals(nodeIds), 0);
    return () => clearTimeout(t);
  }, [columns, nodeIds, updateNodeInternals]);
  const columnsOf = useCallback(
    (source: string): ColumnInfo[] | null => {
      const c = columns[source];
      return Array.isArray(c) && c.length ? c : null;
    },
    [columns],
  );

  const savePositions = useCallback(
    (next: Record<string, CanvasPosition>) => {
      setPositions(next);
      if (layoutTimer.current) clearTimeout(layoutTimer.current);
      layoutTimer.current = setTimeout(() => {
        api.saveLayout({ productId, layout: next }).catch((e: IpcError) => setError(e));
      }, 300);
    },
    [productId],
  );

  const onToggle = useCallback(
    (id: D.NodeId, column: string) => {
      const h = histRef.current;
      if (!h) return;
      const t = D.table(h.present, id);
      edit((d) => D.toggleField(d, id, column, (t && columnsOf(t.source)) ?? []));
    },
    [edit, columnsOf],
  );

  const byNode = useMemo(() => D.issuesByNode(issues), [issues]);
  const keyColumns = useMemo(() => (def ? D.keyFields(def).map((k) => D.rootColumn(def, k)) : []), [def]);

  const nodes: TableNode[] = useMemo(() => {
    if (!def) return [];
    return D.tables(def).map((t, i) => ({
      id: t.id,
      type: "table",
      position: positions[t.id] ?? { x: t.kind === "entity" ? 0 : 360, y: t.kind === "entity" ? 0 : i * 200 },
      selected: t.id === selected,
      data: {
        table: t,
        columns: columnsOf(t.source),
        keys: t.kind === "entity" ? keyColumns : [],
        issues: byNode.get(t.id) ?? [],
        onToggle,
      },
    }));
  }, [def, positions, selected, columnsOf, keyColumns, byNode, onToggle]);

  const edges: Edge[] = useMemo(() => {
    if (!def) return [];
    return D.tables(def).flatMap((t) =>
      t.join.map((j, i) => ({
        id: `${t.id}#${i}`,
        source: "entity",
        sourceHandle: `out:${D.rootColumn(def, j.parent)}`,
        target: t.id,
        targetHandle: `in:${j.child}`,
        label: i === 0 ? kindLabel(t) : undefined,
        className: `join-edge kind-${t.kind}`,
        selected: `${t.id}#${i}` === selectedEdge,
        data: { table: t.id, index: i },
      })),
    );
  }, [def, selectedEdge]);

  const layoutAll = useCallback(async () => {
    if (!def) return;
    // ELK is large: it loads the first time a model is laid out.
    const { autoLayout } = await import("./layout");
    const placed = await autoLayout(
      D.tables(def).map((t) => ({ id: t.id, width: NODE_WIDTH, height: estimateHeight(t, columnsOf(t.source)) })),
      edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
    );
    savePositions(Object.fromEntries(placed));
    fitPending.current = true;
  }, [def, edges, columnsOf, savePositions]);

  // Fit the view once the laid-out positions have reached the canvas.
  const fitPending = useRef(false);
  useEffect(() => {
    if (!fitPending.current) return;
    fitPending.current = false;
    const t = setTimeout(() => void flow.fitView({ padding: 0.1, duration: 200 }), 30);
    return () => clearTimeout(t);
  }, [positions, flow]);

  // A model opened without a saved layout is laid out once its columns are known.
  const laidOut = useRef(false);
  useEffect(() => {
    if (!def || laidOut.current) return;
    const missing = D.tables(def).some((t) => !positions[t.id]);
    const ready = D.tables(def).every((t) => columns[t.source] && (columnsOf(t.source) || !Array.isArray(columns[t.source])));
    if (!missing) {
      laidOut.current = true;
      return;
    }
    if (ready) {
      laidOut.current = true;
      void layoutAll();
    }
  }, [def, positions, columns, columnsOf, layoutAll]);

  const onConnect = useCallback(
    (c: Connection) => {
      const h = histRef.current;
      if (!h || !c.source || !c.target || !c.sourceHandle || !c.targetHandle) return;
      const col = (handle: string) => handle.replace(/^(in|out):/, "");
      const result = D.connect(
        h.present,
        { node: c.source as D.NodeId, column: col(c.sourceHandle) },
        { node: c.target as D.NodeId, column: col(c.targetHandle) },
      );
      if (result.ok) commit(push(h, result.def));
      else setNotice(result.message);
    },
    [commit],
  );

  const addSource = useCallback(
    (sourceId: string, at?: { x: number; y: number }) => {
      const h = histRef.current;
      if (!h) return;
      const { def: next, id } = D.addTable(h.present, sourceId);
      const lowest = Object.values(positions).reduce((m, p) => Math.max(m, p.y), 0);
      savePositions({ ...positions, [id]: at ?? { x: NODE_WIDTH + 140, y: lowest + 240 } });
      commit(push(h, next));
      setSelected(id);
    },
    [positions, savePositions, commit],
  );

  // Keyboard: undo, redo, layout. Inputs keep their own undo.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT")) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z" && !e.shiftKey) {
        e.preventDefault();
        doUndo();
      } else if (mod && (e.key.toLowerCase() === "y" || (e.key.toLowerCase() === "z" && e.shiftKey))) {
        e.preventDefault();
        doRedo();
      } else if (e.shiftKey && e.key.toLowerCase() === "l") {
        e.preventDefault();
        void layoutAll();
      } else if (e.key === "Escape") {
        setSelected(null);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [doUndo, doRedo, layoutAll]);

  if (error && !def) return <ErrorBox error={error} />;
  if (!def || !hist) return <p className="loading">Opening the model…</p>;

  const errors = issues.filter((i) => i.severity === "error").length;
  const inModel = new Set(D.tables(def).map((t) => t.source));

  return (
    <div className="modeller">
      <aside className="palette" aria-label="Source browser">
        <h3>Sources</h3>
        <p className="hint">Drag a source onto the canvas, or press +.</p>
        <ul>
          {sources.map((s) => (
            <li
              key={s.id}
              draggable
              data-palette-source={s.id}
              onDragStart={(e) => {
                e.dataTransfer.setData(SOURCE_MIME, s.id);
                e.dataTransfer.effectAllowed = "copy";
              }}
            >
              <span className="palette-name" title={s.description ?? s.path}>
                {s.name}
                {inModel.has(s.id) && <small> · in model</small>}
              </span>
              <button className="small" aria-label={`Add ${s.id} to the model`} onClick={() => addSource(s.id)}>
                +
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <div className="canvas-column">
        <div className="canvas-toolbar" role="toolbar" aria-label="Model">
          <button className="small" onClick={doUndo} disabled={hist.past.length === 0} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button className="small" onClick={doRedo} disabled={hist.future.length === 0} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <button className="small" onClick={() => void layoutAll()} title="Auto-layout (Shift+L)">
            Auto-layout
          </button>
          <span className={`save-state save-${saveState}`} data-testid="save-state">
            {saveState === "saving" ? "Saving…" : saveState === "failed" ? "Not saved" : "Saved"}
          </span>
          <span className={errors ? "model-status bad" : "model-status"} data-testid="model-status">
            {checking ? "Checking against the data…" : errors ? `${errors} errors` : "Valid"}
            {issues.length - errors > 0 && ` · ${issues.length - errors} warnings`}
          </span>
        </div>
        {notice && (
          <p className="notice" role="status" data-testid="modeller-notice">
            {notice}
          </p>
        )}
        {error && <ErrorBox error={error} />}
        <div
          className="canvas"
          data-testid="canvas"
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes(SOURCE_MIME)) {
              e.preventDefault();
              e.dataTransfer.dropEffect = "copy";
            }
          }}
          onDrop={(e) => {
            const id = e.dataTransfer.getData(SOURCE_MIME);
            if (!id) return;
            e.preventDefault();
            addSource(id, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
          }}
        >
          <ReactFlow<TableNode>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onConnect={onConnect}
            connectOnClick
            fitView
            minZoom={0.2}
            deleteKeyCode={["Delete", "Backspace"]}
            onNodeClick={(_, n) => {
              setSelected(n.id as D.NodeId);
              setSelectedEdge(null);
            }}
            onEdgeClick={(_, e) => {
              setSelectedEdge(e.id);
              setSelected(e.target as D.NodeId);
            }}
            onPaneClick={() => {
              setSelected(null);
              setSelectedEdge(null);
            }}
            onNodeDragStop={(_, n) => savePositions({ ...positions, [n.id]: n.position })}
            onNodesChange={(changes) => {
              // Dragging moves boxes live; other changes come from the definition.
              const moved = changes.filter((c) => c.type === "position" && c.position);
              if (moved.length) {
                setPositions((p) => {
                  const next = { ...p };
                  for (const c of moved) if (c.type === "position" && c.position) next[c.id] = c.position;
                  return next;
                });
              }
            }}
            onNodesDelete={(ns) => edit((d) => ns.reduce((acc, n) => D.removeTable(acc, n.id as D.NodeId), d))}
            onEdgesDelete={(es) =>
              edit((d) =>
                // Later pairs first, so earlier indexes stay valid.
                [...es]
                  .sort((a, b) => Number(b.id.split("#")[1]) - Number(a.id.split("#")[1]))
                  .reduce((acc, e) => D.removeJoin(acc, e.target as D.NodeId, Number(e.id.split("#")[1])), d),
              )
            }
          >
            <Background />
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable ariaLabel="Minimap" className="minimap" nodeColor="#b8c4bd" />
          </ReactFlow>
        </div>
        <ul className="problems" aria-label="Problems" data-testid="problems">
          {issues.map((i) => (
            <li key={`${i.path}:${i.code}:${i.message}`} className={`issue issue-${i.severity}`}>
              <button className="link" onClick={() => setSelected(D.issueNode(i.path))}>
                <code>{i.path}</code>
              </button>{" "}
              {i.message}
            </li>
          ))}
        </ul>
      </div>
      <Inspector
        def={def}
        selected={selected}
        columns={selected ? columnsOf(D.table(def, selected)?.source ?? "") : null}
        issues={selected ? (byNode.get(selected) ?? []) : (byNode.get(null) ?? [])}
        edit={edit}
        select={setSelected}
        onRootChange={() => laidOut.current && void layoutAll()}
      />
    </div>
  );
}
