// jsdom has no layout engine: give the virtualiser what it asks for.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver ??= ResizeObserverStub;

// Elements report a desktop-sized box, so the virtualised grid renders its first screen.
Object.defineProperty(HTMLElement.prototype, "offsetHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "offsetWidth", { configurable: true, get: () => 1024 });
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1024 });

// React Flow reads the canvas zoom through DOMMatrixReadOnly, which jsdom lacks.
class DOMMatrixReadOnlyStub {
  m22: number;
  constructor(transform?: string) {
    const scale = transform?.match(/scale\(([0-9.]+)\)/)?.[1];
    this.m22 = scale !== undefined ? Number(scale) : 1;
  }
}
(globalThis as unknown as { DOMMatrixReadOnly: unknown }).DOMMatrixReadOnly ??= DOMMatrixReadOnlyStub;

// Edge labels measure their text; jsdom has no SVG layout.
(SVGElement.prototype as unknown as { getBBox: () => DOMRect }).getBBox ??= () =>
  ({ x: 0, y: 0, width: 40, height: 12 }) as DOMRect;
