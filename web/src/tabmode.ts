// "Tab moves focus": for keyboard and screen-reader users, Tab in the code editors leaves the
// editor (as everywhere else on the page) instead of indenting. One setting for both editors
// (solution and scratch), remembered in this browser; Ctrl+M toggles it (CodeRunner's key, the one
// teachers know), as does the button by the Run tests toolbar. Ctrl+] and Ctrl+[ still indent.
import { setTabMovesFocus, tabMovesFocus } from "./store";

type Listener = (on: boolean) => void;

const listeners = new Set<Listener>();
let current: boolean | null = null;

/** The current setting (read from storage once). */
export function tabFocus(): boolean {
  current ??= tabMovesFocus();
  return current;
}

export function setTabFocus(on: boolean): void {
  current = on;
  setTabMovesFocus(on);
  for (const listener of [...listeners]) listener(on);
}

export function toggleTabFocus(): boolean {
  setTabFocus(!tabFocus());
  return true;
}

/** Call `listener` on every change; returns the function that stops it. */
export function onTabFocusChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Ctrl+M exactly (not with Shift, Alt or Meta). */
export function isTabModeKey(event: KeyboardEvent): boolean {
  return event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey && event.key.toLowerCase() === "m";
}
