import type { IpcError } from "../bindings";

export function ErrorBox({ error }: { error: IpcError }) {
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      <code>{error.code}</code>
    </div>
  );
}
