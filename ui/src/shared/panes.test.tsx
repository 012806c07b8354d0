import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Splitter, useFolded, usePaneWidth } from "./panes";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

function Pane() {
  const [folded, toggle] = useFolded("test");
  const [width, setWidth] = usePaneWidth("test", 200, 150, 300);
  return (
    <div>
      <button onClick={toggle}>{folded ? "Show" : "Fold"}</button>
      {!folded && <aside data-testid="pane" style={{ width }} />}
      <Splitter label="Width of the pane" side="left" width={width} setWidth={setWidth} />
    </div>
  );
}

describe("panes", () => {
  it("fold away and widen within bounds, and are remembered", () => {
    render(<Pane />);
    const bar = screen.getByRole("separator", { name: "Width of the pane" });
    fireEvent.keyDown(bar, { key: "ArrowRight" });
    expect(screen.getByTestId("pane").style.width).toBe("216px");
    for (let i = 0; i < 10; i++) fireEvent.keyDown(bar, { key: "ArrowRight" });
    expect(screen.getByTestId("pane").style.width).toBe("300px");
    fireEvent.click(screen.getByRole("button", { name: "Fold" }));
    expect(screen.queryByTestId("pane")).toBeNull();
    cleanup();
    render(<Pane />);
    expect(screen.queryByTestId("pane")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show" }));
    expect(screen.getByTestId("pane").style.width).toBe("300px");
  });
});
