// Adding a source: a file (native picker or a typed path), or a PostgreSQL table. The form keeps
// what the steward typed when something fails, and shows why.
import { useEffect, useState } from "react";
import type { FileTable, PostgresProbe, WorkspaceInfo } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction } from "../shared/hooks";
import { Modal } from "../shared/Modal";

type Props = { onAdded: (ws: WorkspaceInfo) => void; onClose: () => void };

function FileForm({ onAdded }: { onAdded: Props["onAdded"] }) {
  const [path, setPath] = useState("");
  const [table, setTable] = useState("");
  const [system, setSystem] = useState("");
  const [tables, setTables] = useState<FileTable[]>([]);

  // Workbooks and SQLite files hold several tables: offer them once the file is known.
  const lookInside = async (p: string) => {
    setTables([]);
    if (!p.startsWith("/")) return;
    try {
      const found = await api.listFileTables(p);
      setTables(found);
      if (found.length > 0) setTable(found[0].name);
    } catch {
      // Errors are shown when the file is added.
    }
  };
  // Look inside the file once the steward stops typing (or picked it).
  useEffect(() => {
    const t = setTimeout(() => void lookInside(path), 300);
    return () => clearTimeout(t);
  }, [path]);
  const browse = useAction(async () => {
    const picked = await api.pickFile();
    if (picked) setPath(picked);
  });
  const add = useAction(async () => onAdded(await api.addFileSource({ path, table: table || null, system: system || null })));
  const error = add.error ?? browse.error;
  const busy = add.busy;
  return (
    <form
      className="form"
      aria-label="Add a file"
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <label>
        File
        <span className="row">
          <input
            name="path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/data.csv"
          />
          <button type="button" onClick={() => void browse.run()}>
            Browse…
          </button>
        </span>
      </label>
      <label>
        Sheet or table <small>(workbooks and SQLite files; default: the first sheet)</small>
        {tables.length > 0 ? (
          <select name="table" value={table} onChange={(e) => setTable(e.target.value)}>
            {tables.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name} ({t.kind})
              </option>
            ))}
          </select>
        ) : (
          <input name="table" value={table} onChange={(e) => setTable(e.target.value)} />
        )}
      </label>
      <label>
        System <small>(CRM, billing…)</small>
        <input name="system" value={system} onChange={(e) => setSystem(e.target.value)} />
      </label>
      {error && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy || !path}>
        {busy ? "Reading…" : "Add file"}
      </button>
    </form>
  );
}

/** libpq's TLS modes, safest first. */
const SSL_MODES = ["verify-full", "verify-ca", "require", "prefer", "disable"] as const;

function PostgresForm({ onAdded }: { onAdded: Props["onAdded"] }) {
  const [f, setF] = useState({
    host: "127.0.0.1",
    port: "5432",
    database: "",
    user: "",
    password: "",
    table: "",
    system: "",
    sslMode: "verify-full",
    sslRootCert: "",
  });
  const [probe, setProbe] = useState<PostgresProbe | null>(null);
  // Testing the connection and adding the table share the busy flag and the error shown.
  const { run: attempt, busy, error } = useAction((what: () => Promise<void>) => what());
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setF({ ...f, [k]: e.target.value });
  const request = () => ({
    host: f.host,
    port: Number(f.port) || 0,
    database: f.database,
    user: f.user,
    password: f.password || null,
    table: f.table || null,
    system: f.system || null,
    sslMode: f.sslMode,
    sslRootCert: f.sslRootCert || null,
  });
  return (
    <form
      className="form"
      aria-label="Add a PostgreSQL table"
      onSubmit={(e) => {
        e.preventDefault();
        void attempt(async () => onAdded(await api.addPostgresSource(request())));
      }}
    >
      <div className="grid2">
        <label>
          Host
          <input name="host" value={f.host} onChange={set("host")} />
        </label>
        <label>
          Port
          <input name="port" value={f.port} onChange={set("port")} inputMode="numeric" />
        </label>
        <label>
          Database
          <input name="database" value={f.database} onChange={set("database")} />
        </label>
        <label>
          User
          <input name="user" value={f.user} onChange={set("user")} autoComplete="off" />
        </label>
      </div>
      <label>
        Password <small>(kept in the OS keychain, never in the workspace)</small>
        <input name="password" type="password" value={f.password} onChange={set("password")} autoComplete="off" />
      </label>
      <div className="grid2">
        <label>
          TLS <small>(verify-full checks the server's certificate and name)</small>
          <select name="sslMode" value={f.sslMode} onChange={set("sslMode")}>
            {SSL_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          CA certificate <small>(PEM, for a private CA; optional)</small>
          <input name="sslRootCert" value={f.sslRootCert} onChange={set("sslRootCert")} placeholder="certs/ca.pem" />
        </label>
      </div>
      <button type="button" disabled={busy} onClick={() => void attempt(async () => setProbe(await api.testPostgres(request())))}>
        Test connection
      </button>
      {probe && (
        <p className="ok" role="status">
          Connected: {probe.version.split(" ").slice(0, 2).join(" ")} · {probe.tables.length} tables
        </p>
      )}
      <label>
        Table
        {probe ? (
          <select name="table" value={f.table} onChange={set("table")}>
            <option value="">Choose a table…</option>
            {probe.tables.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        ) : (
          <input name="table" value={f.table} onChange={set("table")} placeholder="schema.table" />
        )}
      </label>
      <label>
        System
        <input name="system" value={f.system} onChange={set("system")} />
      </label>
      {error && <ErrorBox error={error} />}
      <button type="submit" className="primary" disabled={busy || !f.database || !f.user}>
        Add table
      </button>
    </form>
  );
}

export function AddSourceDialog({ onAdded, onClose }: Props) {
  const [tab, setTab] = useState<"file" | "postgres">("file");
  return (
    <Modal label="Add a source" title="Add a source" onClose={onClose}>
      <nav className="tabs" role="tablist">
        <button role="tab" aria-selected={tab === "file"} onClick={() => setTab("file")}>
          File
        </button>
        <button role="tab" aria-selected={tab === "postgres"} onClick={() => setTab("postgres")}>
          PostgreSQL
        </button>
      </nav>
      {tab === "file" ? <FileForm onAdded={onAdded} /> : <PostgresForm onAdded={onAdded} />}
    </Modal>
  );
}
