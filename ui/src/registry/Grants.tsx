// Who may read a product from a data node, and how: the product's grants in the registry —
// consumer, profile, versions, end, in force or revoked — with a form to grant a consumer key
// one of the product's masking profiles (or `unmasked`, for its owners) and a revoke that asks
// why. Each is signed with the steward's key from the OS keychain; the registry refuses keys
// not trusted for the product's domain, and says so.
import { useState } from "react";
import type { GrantInfo } from "../bindings";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction, useIpcQuery } from "../shared/hooks";

const UNMASKED = "unmasked";

/** The product's grants and its masking profiles: what the panel shows and offers. */
function useGrants(product: string) {
  const grants = useIpcQuery(() => api.registryGrants(product), [product]);
  const doc = useIpcQuery(() => api.openProduct(product), [product]);
  const profiles = [...Object.keys(doc.data?.definition.masking ?? {}), UNMASKED];
  return { grants, profiles };
}

function Revoke({ grant, onDone }: { grant: GrantInfo; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const revoke = useAction(() => api.registryRevokeGrant({ digest: grant.digest, reason }));
  if (!open)
    return (
      <button className="small" onClick={() => setOpen(true)} aria-label={`Revoke the grant to ${grant.consumerName}`}>
        Revoke…
      </button>
    );
  return (
    <form
      className="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if ((await revoke.run()) !== undefined) onDone();
      }}
    >
      <input aria-label={`Why the grant to ${grant.consumerName} is revoked`} placeholder="why" value={reason} onChange={(e) => setReason(e.target.value)} />
      <button className="small danger" type="submit" disabled={!reason.trim() || revoke.busy}>
        Revoke
      </button>
      <button className="small" type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {revoke.error && <ErrorBox error={revoke.error} />}
    </form>
  );
}

/** Who read the product lately, from the data node's access log (for its owners). */
function Accesses({ product }: { product: string }) {
  const accesses = useIpcQuery(() => api.nodeAccesses(product), [product]);
  const e = accesses.error;
  return (
    <section aria-label="Recent accesses" data-testid="accesses">
      <h3>
        Recent accesses{" "}
        <button className="small" onClick={accesses.reload}>
          Refresh
        </button>
      </h3>
      {e && e.code === "app.no_node" && <p className="hint">Set the data node in Settings to see who read this product.</p>}
      {e && e.code === "node.forbidden" && <p className="hint">The access log is for the product's owners: your key needs an unmasked grant.</p>}
      {e && !["app.no_node", "node.forbidden"].includes(e.code) && <ErrorBox error={e} />}
      {accesses.data && accesses.data.length === 0 && <p className="hint">No one has read it yet.</p>}
      {accesses.data && accesses.data.length > 0 && (
        <table className="relations" aria-label={`Recent accesses to ${product}`}>
          <thead>
            <tr>
              <th>When</th>
              <th>Consumer</th>
              <th>Profile</th>
              <th>Read</th>
              <th>Entities</th>
            </tr>
          </thead>
          <tbody>
            {accesses.data.map((a) => (
              <tr key={a.index} data-access={a.index}>
                <td>{a.at}</td>
                <td title={a.consumer}>{a.consumerName}</td>
                <td>{a.profile}</td>
                <td>
                  {a.endpoint} · {a.version}
                </td>
                <td>{a.entities.toLocaleString("en-US")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Grants({ product }: { product: string }) {
  const { grants, profiles } = useGrants(product);
  const [consumer, setConsumer] = useState("");
  const [name, setName] = useState("");
  const [profile, setProfile] = useState("");
  const [versions, setVersions] = useState("");
  const [expires, setExpires] = useState("");
  const chosen = profile || profiles[0];
  const grant = useAction(() =>
    api.registryGrant({ product, consumer, consumerName: name, profile: chosen, versions: versions || null, expires: expires || null }),
  );
  const list = grants.data;
  // No registry, or nothing published yet: said once, plainly.
  const quiet = grants.error && ["registry.unconfigured", "registry.not_found"].includes(grants.error.code);

  return (
    <section aria-label="Grants" data-testid="grants">
      <h3>Who may read it</h3>
      <p className="hint">
        A grant lets one consumer key read this product from a data node through one masking profile — or unmasked, for its owners. The node refuses
        everyone else.
      </p>
      {grants.error && !quiet && <ErrorBox error={grants.error} />}
      {quiet && <p className="hint">Publish the product first: grants name a published product.</p>}
      {list && list.length === 0 && <p className="hint">No grants yet.</p>}
      {list && list.length > 0 && (
        <table className="relations" aria-label={`Grants of ${product}`}>
          <thead>
            <tr>
              <th>Consumer</th>
              <th>Profile</th>
              <th>Versions</th>
              <th>Ends</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((g) => (
              <tr key={g.digest} data-grant={g.consumerName} data-revoked={g.revoked ? "yes" : "no"}>
                <td title={g.consumer}>{g.consumerName}</td>
                <td>{g.profile}</td>
                <td>{g.versions}</td>
                <td>{g.expires ?? "never"}</td>
                <td>{g.revoked ? `revoked: ${g.revoked}` : "in force"}</td>
                <td>{!g.revoked && <Revoke grant={g} onDone={grants.reload} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form grant-form"
        aria-label="Grant access"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await grant.run()) {
            setConsumer("");
            setName("");
            grants.reload();
          }
        }}
      >
        <input aria-label="Consumer key" placeholder="consumer key (ed25519:…) or key name" value={consumer} onChange={(e) => setConsumer(e.target.value)} />
        <input aria-label="Who holds it" placeholder="who holds it" value={name} onChange={(e) => setName(e.target.value)} />
        <select aria-label="Profile" value={chosen} onChange={(e) => setProfile(e.target.value)}>
          {profiles.map((p) => (
            <option key={p} value={p}>
              {p === UNMASKED ? "unmasked (owners)" : p}
            </option>
          ))}
        </select>
        <input aria-label="Versions" placeholder="versions (^1)" value={versions} onChange={(e) => setVersions(e.target.value)} />
        <input aria-label="Ends" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        <button className="small" type="submit" disabled={!consumer.trim() || !name.trim() || grant.busy}>
          Grant
        </button>
      </form>
      {grant.error && <ErrorBox error={grant.error} />}
      {!quiet && <Accesses product={product} />}
    </section>
  );
}
