// The Registry panel of a product: the shared registry's products and versions, the local draft
// against the latest published version (changes, suggested bump, privacy review), and the
// publish dialog — the product measured and checked against the registry's central policy
// first, then signed with its evidence with the steward's key from the OS keychain. A refused
// publish says why (policy, untrusted key, version exists, registry unreachable) and never
// touches the draft.
import { useState } from "react";
import type { ProductSummary, PublishedInfo } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction, useIpcQuery } from "../shared/hooks";
import { SettingsDialog } from "../settings/SettingsDialog";
import { EvidenceSummary, Shortfalls, VersionEvidenceView } from "./Evidence";
import { Grants } from "./Grants";

/** What a refusal means for the steward, by error code. */
const ADVICE: Record<string, string> = {
  "registry.untrusted": "Your key is not trusted to publish for this domain. Send your public key to a registry admin.",
  "registry.version_exists": "This version is already published and versions never change. Raise the version in the definition.",
  "registry.replay": "This exact definition is already published.",
  "registry.version_not_newer": "Versions must increase. Raise the version above the latest published one.",
  "registry.breaking_change": "The changes break consumers: raise the major version, or publish with an explained override.",
  "registry.unreachable": "The registry cannot be reached. Your draft is safe; try again when it is back.",
  "registry.unconfigured": "No registry is configured for this app.",
  "registry.policy": "Fix what the policy check lists (most fixes are rules in the Privacy tab), or attach a privacy officer's signed override.",
};

function Versions({ name }: { name: string }) {
  const { data: versions, error } = useIpcQuery(() => api.registryVersions(name), [name]);
  const [shown, setShown] = useState<string | null>(null);
  if (error) return <ErrorBox error={error} />;
  if (!versions) return <p className="loading">Loading versions…</p>;
  return (
    <>
    <table className="relations" aria-label={`Versions of ${name}`}>
      <thead>
        <tr>
          <th>Version</th>
          <th>Published</th>
          <th>Signed by</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.version} data-version={v.version}>
            <td>
              <button className="link" title="The evidence it was published with" onClick={() => setShown(shown === v.version ? null : v.version)}>
                {v.version}
              </button>
            </td>
            <td>{v.publishedAt}</td>
            <td title={v.digest}>{v.signer}</td>
            <td>{v.yanked ? `yanked: ${v.yanked}` : v.deprecated ? `deprecated: ${v.deprecated}` : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
      {shown && <VersionEvidenceView name={name} version={shown} />}
    </>
  );
}

export function RegistryView({ product }: { product: ProductSummary }) {
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [override, setOverride] = useState(false);
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<PublishedInfo | null>(null);
  const [keyName, setKeyName] = useState("");
  const [waiver, setWaiver] = useState<string | null>(null);

  const registry = useIpcQuery(() => api.registryInfo(), []);
  const search = useIpcQuery(() => api.registrySearch({ q: query.trim() || null, domain: null, owner: null, tag: null }), [query], {
    keepPrevious: true,
  });
  // A draft the registry cannot compare (no registry, say) shows no comparison, and no error.
  const draft = useIpcQuery(() => api.registryDiff(product.id), [product.id]);
  const keygen = useAction(async (name: string) => registry.setData(await api.generateSigningKey(name)));
  // Measured and checked against the central policy each time the dialog opens.
  const check = useIpcQuery(() => (publishing ? api.registryCheck(product.id) : Promise.resolve(null)), [product.id, publishing]);
  const publication = useAction(() =>
    api.registryPublish({ productId: product.id, allowBreaking: override, reason: override ? reason : null, waiver }),
  );
  const shortfalls = check.data?.shortfalls ?? [];
  const blocked = !check.data || (shortfalls.length > 0 && !waiver);

  const info = registry.data;
  // Unreachable or unconfigured: no list at all, rather than an empty one that reads "nothing published".
  const products = search.error || !info?.url ? null : search.data;
  const [settingsOpen, setSettingsOpen] = useState(false);
  const diff = draft.data;
  // "No registry configured" is said plainly below, not as an error.
  const searchError = search.error?.code === "registry.unconfigured" ? null : search.error;
  const error = registry.error ?? searchError ?? keygen.error;
  const refusal = publication.error;
  const busy = publication.busy;

  const load = () => {
    registry.reload();
    search.reload();
    draft.reload();
  };

  const publish = async () => {
    setResult(null);
    const r = await publication.run();
    if (!r) return;
    setResult(r);
    setPublishing(false);
    setOverride(false);
    setReason("");
    setWaiver(null);
    load();
  };

  return (
    <section className="panel registry-view" aria-label="Registry">
      <div className="privacy-head">
        <span data-testid="registry-url">Registry: {info?.url ?? "not configured"}</span>
        <button className="small" onClick={() => setSettingsOpen(true)}>
          Settings…
        </button>
        {info?.keyName ? (
          <>
            <span className="model-status" data-testid="signing-key" title={info.fingerprint ?? ""}>
              Signing key: {info.keyName}
            </span>
            <details className="public-key">
              <summary>{info.fingerprint}</summary>
              <p className="hint">Your public key, for a registry admin to trust (the secret stays in the OS keychain):</p>
              <code data-testid="public-key">{info.publicKey}</code>
            </details>
          </>
        ) : (
          info && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void keygen.run(keyName.trim());
              }}
            >
              <span className="issue issue-warning">{info.keyError}</span>
              <input aria-label="New key name" placeholder="key name (ada)" value={keyName} onChange={(e) => setKeyName(e.target.value)} />
              <button className="small" type="submit">
                Generate signing key
              </button>
            </form>
          )
        )}
      </div>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} onSaved={() => load()} />}
      {info && !info.url && (
        <p className="issue issue-warning" data-testid="registry-state">
          No registry configured: choose one in Settings to publish and to compare this draft with what is published.
        </p>
      )}
      {info?.url && search.error?.code === "registry.unreachable" && (
        <p className="issue issue-warning" data-testid="registry-state">
          The registry at {info.url} cannot be reached: check the URL in Settings, or whether it is running.
        </p>
      )}
      {error && <ErrorBox error={error} />}

      <h3>This draft against the registry</h3>
      {diff && (
        <div data-testid="draft-diff">
          {diff.published === null ? (
            <p className="summary">
              {diff.product} is not published yet: {diff.draftVersion} would be its first version.
            </p>
          ) : (
            <>
              <p className="summary">
                Latest published {diff.published} · draft {diff.draftVersion} · {diff.changes.length} {diff.changes.length === 1 ? "change" : "changes"} · suggested bump:{" "}
                <strong data-testid="suggested-bump">{diff.suggested}</strong>
              </p>
              {diff.underBumped && diff.changes.length > 0 && (
                <p className="issue issue-warning">
                  The draft's version does not carry a {diff.suggested} bump: publishing will be refused unless you override.
                </p>
              )}
              {diff.privacyReview && <p className="issue issue-warning">Masking is weaker than in {diff.published}: a privacy officer should review.</p>}
              {diff.changes.length > 0 && (
                <table className="relations" aria-label="Changes">
                  <tbody>
                    {diff.changes.map((c, i) => (
                      <tr key={i} data-bump={c.bump}>
                        <td>{c.bump}</td>
                        <td>{c.kind}</td>
                        <td>{c.path}</td>
                        <td>{c.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          )}
        </div>
      )}
      {!publishing ? (
        <button onClick={() => setPublishing(true)} disabled={!info?.url}>
          Publish…
        </button>
      ) : (
        <div className="confirm" role="dialog" aria-label="Publish">
          <p>
            Sign <strong>{product.name}</strong> {diff?.draftVersion ?? product.version} with <strong>{info?.keyName ?? "your key"}</strong> and
            publish it to {info?.url}?
          </p>
          {diff?.underBumped && diff.changes.length > 0 && (
            <label className="inline">
              <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> Publish without the {diff.suggested} bump
              (recorded in the audit log)
            </label>
          )}
          {override && <input aria-label="Reason" placeholder="why" value={reason} onChange={(e) => setReason(e.target.value)} />}
          <h4>Evidence and central policy</h4>
          {check.error && <ErrorBox error={check.error} />}
          {!check.data && !check.error && <p className="loading">Measuring the product on its data (validation, quality, privacy)…</p>}
          {check.data && (
            <div data-testid="policy-check">
              <Shortfalls shortfalls={shortfalls} />
              <EvidenceSummary evidence={check.data.evidence} />
              {shortfalls.length > 0 && (
                <p className="hint">
                  {waiver ? (
                    <>
                      Publishing under the override in <code>{waiver}</code>.{" "}
                      <button className="link" onClick={() => setWaiver(null)}>
                        Remove
                      </button>
                    </>
                  ) : (
                    <>
                      Fix these, then check again — or{" "}
                      <button className="link" onClick={() => void api.pickWaiver().then((w) => w && setWaiver(w))}>
                        attach a privacy officer's signed override…
                      </button>
                    </>
                  )}
                </p>
              )}
              <button className="small" onClick={() => check.reload()}>
                Check again
              </button>
            </div>
          )}
          <button onClick={() => void publish()} disabled={busy || blocked || (override && !reason.trim())}>
            Sign and publish
          </button>{" "}
          <button
            onClick={() => {
              setPublishing(false);
              setWaiver(null);
              publication.reset();
            }}
          >
            Cancel
          </button>
        </div>
      )}
      {result && (
        <p className="model-status" data-testid="publish-result">
          Published {result.name}@{result.version} (audit log entry {result.logIndex})
          {result.privacyReview && " — flagged for privacy review"}
        </p>
      )}
      {refusal && (
        <div data-testid="publish-refusal" data-code={refusal.code}>
          <ErrorBox error={refusal} />
          {ADVICE[refusal.code] && <p className="hint">{ADVICE[refusal.code]}</p>}
        </div>
      )}

      {/* Read again after a publish: a first version makes grants possible. */}
      {info?.url && <Grants key={result ? `${result.name}@${result.version}` : "draft"} product={product.id} />}

      <h3>Products in the registry</h3>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <input aria-label="Search the registry" placeholder="search name, domain, owner, tag…" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button className="small" type="submit">
          Search
        </button>
      </form>
      {products && products.length === 0 && <p className="hint">Nothing published{query ? ` matching “${query}”` : ""} yet.</p>}
      {products && products.length > 0 && (
        <table className="relations" aria-label="Registry products">
          <thead>
            <tr>
              <th>Product</th>
              <th>Latest</th>
              <th>Domain</th>
              <th>Owner</th>
              <th>Versions</th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <tr key={p.name} data-registry-product={p.name} onClick={() => setOpen(open === p.name ? null : p.name)}>
                <td>
                  <button className="link">{p.name}</button>
                  {p.deprecated && <small> deprecated</small>}
                </td>
                <td>{p.latest}</td>
                <td>{p.domain}</td>
                <td>{p.owner}</td>
                <td>{p.versions}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <Versions name={open} />}
    </section>
  );
}
