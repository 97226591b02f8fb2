// The divider between the editor and the playground (wide screens): drag it, or focus it and use
// Up/Down (5 % a step), Home/End. It sets the editor's share of the pane in `--editor-share`.
// Window-splitter pattern of the ARIA Authoring Practices; remembered for this tab only.

const MIN = 20;
const MAX = 85;
const KEY = "gradlab:editor-share";

export function wireSplit(divider: HTMLElement, pane: HTMLElement): void {
  const set = (share: number): void => {
    const value = Math.round(Math.min(MAX, Math.max(MIN, share)));
    pane.style.setProperty("--editor-share", String(value));
    divider.setAttribute("aria-valuenow", String(value));
    try { sessionStorage.setItem(KEY, String(value)); } catch { /* a courtesy */ }
  };
  let initial = 55;
  try { initial = Number(sessionStorage.getItem(KEY)) || 55; } catch { /* default */ }
  set(initial);

  divider.addEventListener("keydown", (event) => {
    const now = Number(divider.getAttribute("aria-valuenow"));
    const to = { ArrowUp: now - 5, ArrowDown: now + 5, Home: MIN, End: MAX }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    set(to);
  });
  divider.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    divider.setPointerCapture(event.pointerId);
    const editor = pane.querySelector<HTMLElement>(".editor")!;
    const playground = pane.querySelector<HTMLElement>(".playground")!;
    const move = (e: PointerEvent) => {
      const top = editor.getBoundingClientRect().top;
      const room = playground.getBoundingClientRect().bottom - top;
      if (room > 0) set(((e.clientY - top) / room) * 100);
    };
    const up = () => {
      divider.removeEventListener("pointermove", move);
      divider.removeEventListener("pointerup", up);
      divider.removeEventListener("pointercancel", up);
    };
    divider.addEventListener("pointermove", move);
    divider.addEventListener("pointerup", up);
    divider.addEventListener("pointercancel", up);
  });
}
