// A dialog over the app: a title, a close button, and its content.
import type { ReactNode } from "react";

export function Modal({ label, title, onClose, children }: { label: string; title: string; onClose: () => void; children: ReactNode }) {
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label={label}>
        <header>
          <h2>{title}</h2>
          <button className="close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
