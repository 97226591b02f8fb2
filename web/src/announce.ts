// What a screen reader hears, said once: a small visually hidden status region per topic (a run's
// result, the console, the Python status), whose text is set once per event. The report, the
// console and the statement themselves are not live regions: a live region re-reads whatever is
// added to it (every case of a report, every printed line), where one sentence is what is needed.

export class Announcer {
  readonly el: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(className: string) {
    this.el = document.createElement("p");
    this.el.className = `visually-hidden ${className}`;
    this.el.setAttribute("role", "status");
    this.el.setAttribute("aria-live", "polite");
    this.el.setAttribute("aria-atomic", "true");
  }

  /** Say `text` (politely). The same text twice in a row is said again: cleared, then set. */
  say(text: string): void {
    clearTimeout(this.timer);
    if (this.el.textContent !== text) {
      this.el.textContent = text;
      return;
    }
    this.el.textContent = "";
    this.timer = setTimeout(() => (this.el.textContent = text), 100);
  }
}

/** At most `max` characters of `text`, on one line, cut at a word with "…". */
export function brief(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  return flat.slice(0, flat.lastIndexOf(" ", max) > max / 2 ? flat.lastIndexOf(" ", max) : max) + "…";
}
