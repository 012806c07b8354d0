// The steward's own settings, kept in their config folder (not the workspace, which is shared):
// the registry to publish to, checked before it is saved, the domain's data node (whose access
// log a product's owners read) and the app's colours.
import { useState } from "react";
import type { RegistryCheckInfo, SettingsInfo, Theme } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction, useIpcQuery } from "../shared/hooks";
import { Modal } from "../shared/Modal";
import { count } from "../shared/plural";
import { applyTheme, THEME_LABELS } from "../shared/theme";

export function SettingsDialog({ onClose, onSaved }: { onClose: () => void; onSaved?: (s: SettingsInfo) => void }) {
  const settings = useIpcQuery(() => api.settingsInfo(), []);
  const [url, setUrl] = useState<string | null>(null);
  const [checked, setChecked] = useState<RegistryCheckInfo | null>(null);
  const [chosenTheme, setTheme] = useState<Theme | null>(null);
  const [nodeUrl, setNodeUrl] = useState<string | null>(null);
  const value = url ?? settings.data?.registry ?? "";
  const node = nodeUrl ?? settings.data?.node ?? "";
  const theme = chosenTheme ?? settings.data?.theme ?? "system";
  const check = useAction((u: string) => api.checkRegistry(u));
  const save = useAction((u: string) => api.saveSettings({ registry: u.trim() || null, theme, node: node.trim() }));
  const close = () => {
    // Colours tried but not saved go back to the saved ones.
    if (settings.data) applyTheme(settings.data.theme);
    onClose();
  };
  const info = settings.data;
  return (
    <Modal label="Settings" title="Settings" onClose={close}>
      <form
        className="settings-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const saved = await save.run(value);
          if (saved) {
            settings.setData(saved);
            applyTheme(saved.theme);
            onSaved?.(saved);
            onClose();
          }
        }}
      >
        <label>
          Registry URL
          <input
            name="registry-url"
            placeholder="https://registry.example.com"
            value={value}
            onChange={(e) => {
              setUrl(e.target.value);
              setChecked(null);
              check.reset();
            }}
          />
        </label>
        <label>
          Data node URL
          <input name="node-url" placeholder="http://127.0.0.1:7979 (optional)" value={node} onChange={(e) => setNodeUrl(e.target.value)} />
        </label>
        <label>
          Colours
          <select
            name="theme"
            value={theme}
            onChange={(e) => {
              const t = e.target.value as Theme;
              setTheme(t);
              applyTheme(t);
            }}
          >
            {(Object.keys(THEME_LABELS) as Theme[]).map((t) => (
              <option key={t} value={t}>
                {THEME_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <div className="inline-form">
          <button
            type="button"
            disabled={!value.trim() || check.busy}
            onClick={async () => setChecked((await check.run(value.trim())) ?? null)}
          >
            {check.busy ? "Checking…" : "Check connection"}
          </button>
          <button type="submit" disabled={save.busy}>
            Save
          </button>
        </div>
        {checked && (
          <p className="ok" role="status" data-testid="registry-check">
            Reached {checked.url}: {count(checked.products, "product")}
            {checked.registryKey ? `, registry key ${checked.registryKey}` : ""}.
          </p>
        )}
        {check.error && <ErrorBox error={check.error} />}
        {save.error && <ErrorBox error={save.error} />}
        {settings.error && <ErrorBox error={settings.error} />}
        {info && (
          <p className="hint">
            Kept in {info.path}, for you alone (not in the workspace).
            {info.registryInUse && info.registryInUse !== info.registry
              ? ` This run uses ${info.registryInUse}, from STEWARD_REGISTRY.`
              : ""}
          </p>
        )}
      </form>
    </Modal>
  );
}
