// A box that scrolls (a wide table, a large figure) must be reachable by keyboard, or its hidden
// part cannot be read without a mouse (WCAG 2.1.1; axe's scrollable-region-focusable): it joins the
// tab order, where the arrow keys scroll it, and says what it holds.

/** Make `box` focusable (Tab, then arrow keys scroll it) and name it for screen readers. */
export function keyboardScrollable<T extends HTMLElement>(box: T, label: string): T {
  box.tabIndex = 0;
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", label);
  return box;
}
