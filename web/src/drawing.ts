// Placeholder for the pg-graph branch's drawing (replaced at merge): the same export, a plain table.
import type { Drawing } from "./generated/play";

export function renderDrawing(parent: HTMLElement, drawing: Drawing, options?: { onCompare?: () => void }): void {
  const table = document.createElement("table");
  table.className = "drawing";
  table.createCaption().textContent = `draw(${drawing.title ?? drawing.output})`;
  table.createTHead().insertRow().append(...["node", "op", "data", "grad"].map((h) => Object.assign(document.createElement("th"), { textContent: h })));
  const body = table.createTBody();
  for (const node of drawing.nodes) {
    const row = body.insertRow();
    for (const cell of [node.label ?? node.id, node.op ?? "", String(node.data), String(node.grad)]) row.insertCell().textContent = cell;
  }
  parent.append(table);
  if (options?.onCompare) {
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: "Compare with the reference" });
    button.addEventListener("click", () => options.onCompare!());
    parent.append(button);
  }
}
