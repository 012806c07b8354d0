// The visual modeller: the product's tables on a canvas, joined field to field to the root.
// Every edit is saved to the definition file at once (atomically, by the shell); edits made to
// the file elsewhere are reloaded; undo and redo walk the states of this session.
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { CanvasPosition, IpcError, SourceSummary } from "../bindings";
import { api, toIpcError } from "../shared/api";
import { SOURCE_MIME } from "../shared/dnd";
import { ErrorBox } from "../shared/ErrorBox";
import * as D from "./definition";
import { Inspector } from "./Inspector";
import { Palette } from "./Palette";
import { estimateHeight, kindLabel, NODE_WIDTH, nodeTypes, type TableNode } from "./TableBox";
import { useModel } from "./useModel";
import { useSourceColumns } from "./useSourceColumns";

interface Props {
  productId: string;
  sources: SourceSummary[];
  /** The revision on disk, as the watcher last saw it. */
  diskRevision?: string;
  /** Called after each save lands, so lists and previews refresh. */
  onSaved?: () => void;
}

type Positions = Record<string, CanvasPosition>;

export function Modeller(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas({ productId, sources, diskRevision, onSaved }: Props) {
  const flow = useReactFlow();
  const [positions, setPositions] = useState<Positions>({});
  const model = useModel(productId, { diskRevision, onSaved, onOpen: (doc) => setPositions(doc.layout) });
  const { def, hist, edit, current, setNotice } = model;
  const [layoutError, setLayoutError] = useState<IpcError | null>(null);
  const [selected, setSelected] = useState<D.NodeId | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const layoutTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // Columns of every source in the model, read once.
  const sourceIds = useMemo(() => (def ? [...new Set(D.tables(def).map((t) => t.source))] : []), [def]);
  const { columns, columnsOf } = useSourceColumns(sourceIds);
  // Field rows (and their handles) change once a source's columns arrive: have the canvas
  // measure the handles again, or joins to them would not be drawn.
  const updateNodeInternals = useUpdateNodeInternals();
  const nodeIds = useMemo(() => (def ? D.tables(def).map((t) => t.id) : []), [def]);
  useEffect(() => {
    const t = setTimeout(() => updateNodeInternals(nodeIds), 0);
    return () => clearTimeout(t);
  }, [columns, nodeIds, updateNodeInternals]);

  const savePositions = useCallback(
    (next: Positions) => {
      setPositions(next);
      if (layoutTimer.current) clearTimeout(layoutTimer.current);
      layoutTimer.current = setTimeout(() => {
        api.saveLayout({ productId, layout: next }).then(
          () => setLayoutError(null),
          (e: unknown) => setLayoutError(toIpcError(e)),
        );
      }, 300);
    },
    [productId],
  );

  const onToggle = useCallback(
    (id: D.NodeId, column: string) => {
      const d = current();
      if (!d) return;
      const t = D.table(d, id);
      edit((x) => D.toggleField(x, id, column, (t && columnsOf(t.source)) ?? []));
    },
    [current, edit, columnsOf],
  );

  const byNode = useMemo(() => D.issuesByNode(model.issues), [model.issues]);
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

  // Set when laid-out positions are on their way to the canvas, which then fits the view.
  const fitPending = useRef(false);
  useEffect(() => {
    if (!fitPending.current) return;
    fitPending.current = false;
    const t = setTimeout(() => void flow.fitView({ padding: 0.1, duration: 200 }), 30);
    return () => clearTimeout(t);
  }, [positions, flow]);

  /** Every table placed by ELK, which is large: it loads the first time a model is laid out. */
  const placeAll = useCallback(async (): Promise<Positions | null> => {
    if (!def) return null;
    const { autoLayout } = await import("./layout");
    const placed = await autoLayout(
      D.tables(def).map((t) => ({ id: t.id, width: NODE_WIDTH, height: estimateHeight(t, columnsOf(t.source)) })),
      edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
    );
    return Object.fromEntries(placed);
  }, [def, edges, columnsOf]);
  const layoutAll = useCallback(
    () =>
      placeAll().then((placed) => {
        if (!placed) return;
        savePositions(placed);
        fitPending.current = true;
      }),
    [placeAll, savePositions],
  );

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
      const d = current();
      if (!d || !c.source || !c.target || !c.sourceHandle || !c.targetHandle) return;
      const col = (handle: string) => handle.replace(/^(in|out):/, "");
      const result = D.connect(
        d,
        { node: c.source as D.NodeId, column: col(c.sourceHandle) },
        { node: c.target as D.NodeId, column: col(c.targetHandle) },
      );
      if (result.ok) edit(() => result.def);
      else setNotice(result.message);
    },
    [current, edit, setNotice],
  );

  const addSource = useCallback(
    (sourceId: string, at?: { x: number; y: number }) => {
      const d = current();
      if (!d) return;
      const { def: next, id } = D.addTable(d, sourceId);
      const lowest = Object.values(positions).reduce((m, p) => Math.max(m, p.y), 0);
      savePositions({ ...positions, [id]: at ?? { x: NODE_WIDTH + 140, y: lowest + 240 } });
      edit(() => next);
      setSelected(id);
    },
    [current, positions, savePositions, edit],
  );

  // Keyboard: undo, redo, layout. Inputs keep their own undo.
  const { undo, redo } = model;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT")) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "z" && !e.shiftKey) {
        e.preventDefault();
        undo();
      } else if (mod && (e.key.toLowerCase() === "y" || (e.key.toLowerCase() === "z" && e.shiftKey))) {
        e.preventDefault();
        redo();
      } else if (e.shiftKey && e.key.toLowerCase() === "l") {
        e.preventDefault();
        void layoutAll();
      } else if (e.key === "Escape") {
        setSelected(null);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [undo, redo, layoutAll]);

  const error = model.error ?? layoutError;
  if (error && !def) return <ErrorBox error={error} />;
  if (!def || !hist) return <p className="loading">Opening the model…</p>;

  const { issues, saveState, notice } = model;
  const errors = issues.filter((i) => i.severity === "error").length;
  const inModel = new Set(D.tables(def).map((t) => t.source));

  return (
    <div className="modeller">
      <Palette sources={sources} inModel={inModel} onAdd={(id) => addSource(id)} />
      <div className="canvas-column">
        <div className="canvas-toolbar" role="toolbar" aria-label="Model">
          <button className="small" onClick={undo} disabled={hist.past.length === 0} title="Undo (Ctrl+Z)">
            Undo
          </button>
          <button className="small" onClick={redo} disabled={hist.future.length === 0} title="Redo (Ctrl+Shift+Z)">
            Redo
          </button>
          <button className="small" onClick={() => void layoutAll()} title="Auto-layout (Shift+L)">
            Auto-layout
          </button>
          <span className={`save-state save-${saveState}`} data-testid="save-state">
            {saveState === "saving" ? "Saving…" : saveState === "failed" ? "Not saved" : "Saved"}
          </span>
          <span className={errors ? "model-status bad" : "model-status"} data-testid="model-status">
            {model.checking ? "Checking against the data…" : errors ? `${errors} errors` : "Valid"}
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
