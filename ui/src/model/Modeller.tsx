// The visual modeller: the product's entity tree on a canvas, each table joined field to field to
// the table it hangs under. Every edit is saved to the definition file at once (atomically, by
// the shell); edits made to the file elsewhere are reloaded; undo and redo walk the states of
// this session.
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useNodesInitialized,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type OnConnectEnd,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ProductDefinition, SourceSummary } from "../bindings";
import { SOURCE_MIME } from "../shared/dnd";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { AddChildDialog, type AddChildRequest } from "./AddChildDialog";
import { ConfirmRemove } from "./ConfirmRemove";
import { ContradictedJoin } from "./ContradictedJoin";
import * as D from "./definition";
import { Inspector } from "./Inspector";
import { Palette } from "./Palette";
import { layOutTree, missingPositions, positionsOf } from "./placement";
import { Problems, Toolbar } from "./Toolbar";
import { NODE_WIDTH, nodeTypes, type TableData, type TableNode } from "./TableBox";
import { useCanvasGraph } from "./useCanvasGraph";
import { useCanvasLayout } from "./useCanvasLayout";
import { useModel } from "./useModel";
import { useModellerKeys } from "./useModellerKeys";
import { useSourceColumns } from "./useSourceColumns";
import { useJoinCheck } from "./useJoinCheck";
import { useSuggestedJoins } from "./useSuggestedJoins";
import { FoldedPane, Splitter, useFolded, usePaneWidth } from "../shared/panes";
import { useTheme } from "../shared/theme";

/**
 * Fitting the model to the view never zooms out so far that field names cannot be read, nor in
 * past their own size: a large tree opens readable, the rest a pan or the minimap away.
 */
const READABLE_FIT = { padding: 0.08, minZoom: 0.8, maxZoom: 1 };

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

/** The join pair index an edge stands for (`related:orders.lines#1` → 1). */
const pairIndex = (e: Edge) => Number(e.id.split("#")[1]);

function Canvas({ productId, sources, diskRevision, onSaved }: Props) {
  const flow = useReactFlow();
  const theme = useTheme();
  const layout = useCanvasLayout(productId);
  const { positions } = layout;
  const model = useModel(productId, { diskRevision, onSaved, onOpen: (doc) => layout.reset(doc.layout) });
  const { def, hist, edit, current, setNotice } = model;
  const [selected, setSelected] = useState<D.NodeId | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const [adding, setAdding] = useState<AddChildRequest | null>(null);
  const [removing, setRemoving] = useState<D.NodeId[] | null>(null);

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

  const onToggle = useCallback(
    (id: D.NodeId, column: string) => {
      const d = current();
      const t = d && D.table(d, id);
      if (t) edit((x) => D.toggleField(x, id, column, columnsOf(t.source) ?? []));
    },
    [current, edit, columnsOf],
  );
  const onDropSource = useCallback(
    (id: D.NodeId, sourceId: string, column: string | null) => {
      const d = current();
      const t = d && D.table(d, id);
      if (t) setAdding({ parent: id, source: sourceId, field: column ? D.fieldNameOf(t, column) : undefined });
    },
    [current],
  );
  const onAddUnder = useCallback((id: D.NodeId) => setAdding({ parent: id }), []);
  const handlers = useMemo<Pick<TableData, "onToggle" | "onDropSource" | "onAddUnder">>(
    () => ({ onToggle, onDropSource, onAddUnder }),
    [onToggle, onDropSource, onAddUnder],
  );

  const byNode = useMemo(() => D.issuesByNode(model.issues), [model.issues]);
  const { nodes, edges } = useCanvasGraph({ def, positions, selected, selectedEdge, columnsOf, byNode, handlers });

  // The whole model in view when it fits at a readable size; otherwise the root, readable, at the left.
  const canvasRef = useRef<HTMLDivElement>(null);
  const showModel = useCallback(
    (duration: number) => {
      const el = canvasRef.current;
      const all = flow.getNodes();
      if (!el || !all.length) return;
      const b = flow.getNodesBounds(all);
      const pad = 24;
      const z = READABLE_FIT.minZoom;
      const fits = Math.min((el.clientWidth - 2 * pad) / Math.max(b.width, 1), (el.clientHeight - 2 * pad) / Math.max(b.height, 1));
      if (fits >= z) return void flow.fitView({ ...READABLE_FIT, duration });
      // Too large to read whole: the root at the left, level with the middle of the view.
      const root = flow.getNode("entity");
      const rootY = root ? root.position.y + (root.measured?.height ?? root.initialHeight ?? 0) / 2 : b.y + b.height / 2;
      const left = root ? root.position.x : b.x;
      void flow.setViewport({ x: pad - left * z, y: el.clientHeight / 2 - rootY * z, zoom: z }, { duration });
    },
    [flow],
  );
  const initialized = useNodesInitialized();
  const shown = useRef(false);
  useEffect(() => {
    if (!initialized || shown.current) return;
    shown.current = true;
    showModel(0);
  }, [initialized, showModel]);

  // A table just added is brought into view (found on Chinook: at 1280 px, a lookup added on a
  // third-level table landed out of sight, right of the inspector), at the zoom the steward chose.
  const revealPending = useRef<D.NodeId | null>(null);
  useEffect(() => {
    const id = revealPending.current;
    const n = id ? flow.getInternalNode(id) : undefined;
    const el = canvasRef.current;
    if (!n || !el) return;
    revealPending.current = null;
    const { x, y, zoom } = flow.getViewport();
    const at = n.internals.positionAbsolute;
    const w = (n.measured.width ?? NODE_WIDTH) * zoom;
    const h = Math.min((n.measured.height ?? 200) * zoom, el.clientHeight / 2);
    const left = at.x * zoom + x;
    const top = at.y * zoom + y;
    if (left >= 0 && top >= 0 && left + w <= el.clientWidth && top + h <= el.clientHeight) return;
    void flow.setCenter(at.x + w / zoom / 2, at.y + h / zoom / 2, { zoom, duration: 200 });
  }, [nodes, flow]);

  // Set when laid-out positions are on their way to the canvas, which then fits the view.
  const fitPending = useRef(false);
  useEffect(() => {
    if (!fitPending.current) return;
    fitPending.current = false;
    const t = setTimeout(() => showModel(200), 30);
    return () => clearTimeout(t);
  }, [positions, showModel]);

  const { save: savePositions, place, follow } = layout;
  const layoutAll = useCallback(async () => {
    const d = current();
    if (!d) return;
    savePositions(await layOutTree(d, columnsOf));
    fitPending.current = true;
  }, [current, columnsOf, savePositions]);

  // A model opened without a saved layout is laid out once its columns are known; tables the
  // saved layout does not know yet (added in a text editor) are placed beside their parents.
  const laidOut = useRef(false);
  useEffect(() => {
    if (!def || laidOut.current) return;
    const all = D.tables(def);
    const missing = all.filter((t) => !D.savedPosition(positions, t));
    if (!missing.length) {
      laidOut.current = true;
      return;
    }
    const ready = all.every((t) => columns[t.source] && (columnsOf(t.source) || !Array.isArray(columns[t.source])));
    if (!ready) return;
    laidOut.current = true;
    if (all.some((t) => t.kind !== "entity" && D.savedPosition(positions, t))) place(missingPositions(def, positions, columnsOf));
    else void layoutAll();
  }, [def, positions, columns, columnsOf, layoutAll, place]);

  const [paletteFolded, togglePalette] = useFolded("modeller.sources");
  const [paletteWidth, setPaletteWidth] = usePaneWidth("modeller.sources", 200, 150, 420);
  const [inspectorFolded, toggleInspector] = useFolded("modeller.inspector");
  const [inspectorWidth, setInspectorWidth] = usePaneWidth("modeller.inspector", 320, 240, 560);

  const joins = useJoinCheck(productId);
  const { checkJoin } = joins;

  type End = { node: D.NodeId; column: string };
  /** The model with `from` joined to `to` (the other table may move under it), or null when it cannot be, said. */
  const connected = useCallback(
    (from: End, to: End) => {
      const d = current();
      const result = d ? D.connect(d, from, to) : null;
      if (result && !result.ok) setNotice(result.message);
      return result?.ok ? result : null;
    },
    [current, setNotice],
  );
  /** Joins a field of one table to a column of another, as drawn, once the data has been asked whether it agrees. */
  const join = useCallback(
    (from: End, to: End) => {
      const measured = connected(from, to);
      if (!measured) return;
      void checkJoin(measured.def, measured.child, () => {
        // Applied to the model as it is by then.
        const result = connected(from, to);
        if (!result) return;
        if (result.movedFrom) follow(result.movedFrom, result.child);
        edit(() => result.def);
        setSelected(result.child);
      });
    },
    [connected, checkJoin, follow, edit],
  );
  const editJoin = useCallback(
    (id: D.NodeId, change: (d: ProductDefinition) => ProductDefinition) => {
      const d = current();
      if (d) void checkJoin(change(d), id, () => edit(change));
    },
    [current, checkJoin, edit],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.source || !c.target || !c.sourceHandle || !c.targetHandle) return;
      const col = (handle: string) => handle.replace(/^(in|out):/, "");
      join({ node: c.source as D.NodeId, column: col(c.sourceHandle) }, { node: c.target as D.NodeId, column: col(c.targetHandle) });
    },
    [join],
  );

  // A line drawn from a field and let go elsewhere than on a column's handle: on another box, it
  // joins that box (on the row let go on, or a same-named column); on the empty canvas, it adds a
  // table under the field's table.
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      const d = current();
      if (!d || state.isValid || state.toNode || !state.fromNode || state.fromHandle?.type !== "source") return;
      const t = D.table(d, state.fromNode.id as D.NodeId);
      if (!t || t.kind === "reference") return;
      const column = (state.fromHandle.id ?? "").replace(/^out:/, "");
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      if (!point) return;
      const under = document.elementFromPoint?.(point.clientX, point.clientY) ?? null;
      const boxId = under?.closest?.("[data-node]")?.getAttribute("data-node") as D.NodeId | null | undefined;
      const target = boxId ? D.table(d, boxId) : undefined;
      if (target && target.id !== t.id) {
        const rows = columnsOf(target.source)?.map((c) => c.name) ?? target.fields.map((f) => f.column);
        const row = under?.closest?.("li[data-column]")?.getAttribute("data-column");
        const field = D.fieldNameOf(t, column);
        const onto = row ?? [column, field].find((c) => rows.includes(c));
        if (onto) join({ node: t.id, column }, { node: target.id, column: onto });
        else setNotice(`Let go on one of ${target.path === D.ENTITY ? d.entity.name : target.path}'s columns to join it there.`);
        return;
      }
      setAdding({
        parent: t.id,
        field: column ? D.fieldNameOf(t, column) : undefined,
        at: flow.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
      });
    },
    [current, flow, columnsOf, join, setNotice],
  );

  /** A new table's fields renamed where they would clash once assembled, said in a notice. */
  const withoutClashes = useCallback(
    async (next: ProductDefinition, id: D.NodeId, source: string): Promise<ProductDefinition> => {
      const columns = columnsOf(source) ?? (await api.inspectSource(source).then((i) => i.columns, () => null));
      const t = D.table(next, id);
      if (!columns || !t?.parent) return next;
      const owner = t.kind === "reference" ? D.rowNames(next, t.parent, columnsOf, id) : [];
      const { def: clear, renamed } = D.avoidNameClashes(next, id, columns, owner);
      if (renamed.length) setNotice(`Renamed in ${t.path}, so that no two fields share a name: ${renamed.join(", ")}.`);
      return clear;
    },
    [columnsOf, setNotice],
  );

  const addSource = useCallback(
    async (sourceId: string, at?: { x: number; y: number }) => {
      const d = current();
      if (!d) return;
      const added = D.addTable(d, sourceId);
      const next = await withoutClashes(added.def, added.id, sourceId);
      const lowest = Object.values(layout.latest.current).reduce((m, p) => Math.max(m, p.y), 0);
      place({ [added.id]: at ?? { x: NODE_WIDTH + 140, y: lowest + 240 } });
      edit(() => next);
      setSelected(added.id);
      revealPending.current = added.id;
    },
    [current, withoutClashes, layout.latest, place, edit],
  );

  const applyChild = useCallback(
    async (request: AddChildRequest, child: D.NewChild) => {
      const d = current();
      if (!d) return;
      const added = D.addChild(d, request.parent, child);
      const id = added.id;
      if (id === request.parent) return;
      const next = await withoutClashes(added.def, id, child.source);
      const at = request.at ?? positionsOf(next, layout.latest.current, columnsOf).get(id);
      if (at) place({ [id]: at });
      edit(() => next);
      setSelected(id);
      revealPending.current = id;
    },
    [current, withoutClashes, layout.latest, columnsOf, place, edit],
  );
  /** Adds a table under another, once the data has been asked whether it agrees with the join. */
  const addChild = useCallback(
    (request: AddChildRequest, child: D.NewChild) => {
      const d = current();
      if (!d) return;
      setAdding(null);
      const { def: next, id } = D.addChild(d, request.parent, child);
      if (id !== request.parent) void checkJoin(next, id, () => applyChild(request, child));
    },
    [current, checkJoin, applyChild],
  );

  const removeTables = useCallback(
    (ids: D.NodeId[]) => {
      edit((d) => ids.reduce((acc, id) => D.removeTable(acc, id), d));
      setSelected(null);
      setRemoving(null);
    },
    [edit],
  );
  /** Removes tables at once, or asks first when any has tables under it. */
  const requestRemove = useCallback(
    (ids: D.NodeId[]) => {
      const d = current();
      const own = ids.filter((id) => id !== "entity");
      if (!d || !own.length) return;
      if (own.some((id) => D.descendants(d, id).length)) setRemoving(own);
      else removeTables(own);
    },
    [current, removeTables],
  );

  // Discovered relationships, read once a table is first selected, offered in the inspector.
  const suggestions = useSuggestedJoins(selected !== null);

  const { undo, redo } = model;
  useModellerKeys({ undo, redo, layoutAll, deselect: () => setSelected(null) });

  const error = model.error ?? layout.error;
  if (error && !def) return <ErrorBox error={error} />;
  if (!def || !hist) return <p className="loading">Opening the model…</p>;

  const { issues, notice } = model;
  const inModel = new Set(D.tables(def).map((t) => t.source));
  const selectedTable = selected ? D.table(def, selected) : undefined;

  return (
    <div className="modeller">
      {paletteFolded ? (
        <FoldedPane title="Sources" label="Show the source browser" onShow={togglePalette} />
      ) : (
        <>
          <Palette sources={sources} inModel={inModel} onAdd={(id) => addSource(id)} width={paletteWidth} onFold={togglePalette}>
            {/* The minimap lives beside the canvas, never over its boxes or their handles. */}
            <div className="minimap-slot">
              <MiniMap pannable zoomable ariaLabel="Minimap" className="minimap" nodeClassName="minimap-node" />
            </div>
          </Palette>
          <Splitter label="Width of the source browser" side="left" width={paletteWidth} setWidth={setPaletteWidth} />
        </>
      )}
      <div className="canvas-column">
        <Toolbar hist={hist} undo={undo} redo={redo} layoutAll={layoutAll} saveState={model.saveState} checking={model.checking} issues={issues} />
        {notice && (
          <p className="notice" role="status" data-testid="modeller-notice">
            {notice}
          </p>
        )}
        {joins.measuring && (
          <p className="notice" role="status" data-testid="join-measuring">
            Measuring the join against the data…
          </p>
        )}
        {joins.contradicted && (
          <ContradictedJoin
            contradicted={joins.contradicted}
            onCancel={joins.dismiss}
            onJoin={() => {
              joins.contradicted?.apply();
              joins.dismiss();
            }}
          />
        )}
        {error && <ErrorBox error={error} />}
        <div
          className="canvas"
          data-testid="canvas"
          ref={canvasRef}
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
            colorMode={theme}
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            connectOnClick
            minZoom={0.2}
            deleteKeyCode={["Delete", "Backspace"]}
            onNodeClick={(e, n) => {
              // A click on a field's handle draws a line; the connection picks the selection.
              if ((e.target as HTMLElement).closest?.(".react-flow__handle")) return;
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
            onNodeDragStop={(_, n) => savePositions({ ...layout.latest.current, [n.id]: n.position })}
            onNodesChange={(changes) => {
              // Dragging moves boxes live; other changes come from the definition. The arrow
              // keys move a selected box (Shift: further), saved at once as a drop is.
              const moved: Record<string, { x: number; y: number }> = {};
              let dropped = false;
              for (const c of changes)
                // A box chosen from the keyboard (Enter on a focused box) is selected as a click selects it.
                if (c.type === "select" && c.selected && document.activeElement?.closest(`.react-flow__node[data-id="${c.id}"]`)) {
                  setSelected(c.id as D.NodeId);
                  setSelectedEdge(null);
                } else if (c.type === "position" && c.position) {
                  moved[c.id] = c.position;
                  dropped ||= c.dragging === false;
                }
              if (!Object.keys(moved).length) return;
              layout.move(moved);
              if (dropped) savePositions({ ...layout.latest.current, ...moved });
            }}
            onBeforeDelete={async ({ nodes: ns, edges: es }) => {
              // The root stays; a table with tables under it goes only once the steward confirms.
              const d = current();
              const own = ns.filter((n) => n.id !== "entity");
              if (d && own.some((n) => D.descendants(d, n.id as D.NodeId).length)) {
                setRemoving(own.map((n) => n.id as D.NodeId));
                return false;
              }
              // Edges go with their own tables, or when selected: never every join of the root's.
              const gone = new Set(own.map((n) => n.id));
              return { nodes: own, edges: es.filter((e) => e.selected || gone.has(e.source) || gone.has(e.target)) };
            }}
            onDelete={({ nodes: ns, edges: es }) =>
              edit((d) => {
                const without = ns.reduce((acc, n) => D.removeTable(acc, n.id as D.NodeId), d);
                // Later pairs first, so earlier indexes stay valid.
                return [...es]
                  .sort((a, b) => pairIndex(b) - pairIndex(a))
                  .reduce((acc, e) => D.removeJoin(acc, e.target as D.NodeId, pairIndex(e)), without);
              })
            }
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
        <Problems issues={issues} onSelect={setSelected} />
      </div>
      {inspectorFolded ? (
        <FoldedPane title="Inspector" label="Show the inspector" onShow={toggleInspector} right />
      ) : (
        <>
          <Splitter label="Width of the inspector" side="right" width={inspectorWidth} setWidth={setInspectorWidth} />
          <div className="inspector-pane" style={{ width: inspectorWidth }}>
            <button className="small pane-fold inspector-fold" aria-label="Fold the inspector away" title="Fold away" onClick={toggleInspector}>
              ›
            </button>
          <Inspector
            def={def}
            selected={selectedTable ? selected : null}
            columnsOf={columnsOf}
            issues={selectedTable ? (byNode.get(selectedTable.id) ?? []) : (byNode.get(null) ?? [])}
            edit={edit}
            editJoin={editJoin}
            select={setSelected}
            onRootChange={() => laidOut.current && void layoutAll()}
            onMoved={follow}
            onAddUnder={(parent, kind) => setAdding({ parent, kind })}
            onRemove={(id) => requestRemove([id])}
            suggestions={suggestions}
            onSuggest={(offer) => addChild({ parent: offer.parent }, offer.child)}
            notify={setNotice}
          />
          </div>
        </>
      )}
      {adding && (
        <AddChildDialog
          def={def}
          request={adding}
          sources={sources}
          parentColumns={columnsOf(D.table(def, adding.parent)?.source ?? "")}
          onAdd={(child) => addChild(adding, child)}
          onClose={() => setAdding(null)}
        />
      )}
      {removing && (
        <ConfirmRemove def={def} ids={removing} onConfirm={() => removeTables(removing)} onClose={() => setRemoving(null)} />
      )}
    </div>
  );
}
