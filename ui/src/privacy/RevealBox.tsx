// For holders of the masking key: the original of a value masked by a reversible rule (FF1),
// e.g. the card number behind a masked one a support case quotes.
import { useState } from "react";
import { api } from "../shared/api";
import { ErrorBox } from "../shared/ErrorBox";
import { useAction } from "../shared/hooks";

export function RevealBox({ productId, profile, fields }: { productId: string; profile: string; fields: string[] }) {
  const [field, setField] = useState(fields[0] ?? "");
  const [value, setValue] = useState("");
  const [original, setOriginal] = useState<string | null>(null);
  const chosen = fields.includes(field) ? field : (fields[0] ?? "");
  const reveal = useAction(async (masked: string) => {
    const [o] = await api.privacyReveal({ productId, profile, field: chosen, values: [masked], keyVersion: null });
    return o ?? null;
  });
  return (
    <form
      className="inline-form reveal-box"
      aria-label="Reverse a masked value"
      onSubmit={(e) => {
        e.preventDefault();
        setOriginal(null);
        reveal.reset();
        if (!value.trim()) return;
        void reveal.run(value.trim()).then((o) => o !== undefined && setOriginal(o));
      }}
    >
      <span>Key holders: original of a masked</span>
      <select aria-label="Reversible field" value={chosen} onChange={(e) => setField(e.target.value)}>
        {fields.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
      <input aria-label="Masked value" placeholder="masked value" value={value} onChange={(e) => setValue(e.target.value)} />
      <button className="small" type="submit">
        Decrypt
      </button>
      {original !== null && (
        <output data-testid="revealed-original">
          {original}
        </output>
      )}
      {reveal.error && <ErrorBox error={reveal.error} />}
    </form>
  );
}
