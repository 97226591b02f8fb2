// Tabs as in the ARIA Authoring Practices (tabs with automatic activation): one tab stop for the
// whole list, Left/Right (and Home/End) move between tabs and show their panel. Each panel is its
// own scroll box and keeps its scroll position while another tab is shown.

export interface Tabs {
  /** Show the panel of the tab whose `data-tab` is `name`; `focus` moves focus to that tab. */
  select(name: string, focus?: boolean): void;
  readonly selected: string;
}

export function wireTabs(list: HTMLElement): Tabs {
  const tabs = [...list.querySelectorAll<HTMLElement>('[role="tab"]')];
  const panel = (tab: HTMLElement) => document.getElementById(tab.getAttribute("aria-controls")!)!;
  const scrolls = new Map<HTMLElement, number>();
  let selected = tabs.find((t) => t.getAttribute("aria-selected") === "true") ?? tabs[0];

  const select = (name: string, focus = false): void => {
    const tab = tabs.find((t) => t.dataset.tab === name);
    if (!tab) return;
    if (tab !== selected) {
      const old = panel(selected);
      scrolls.set(old, old.scrollTop); // a hidden box forgets where it was scrolled to
      for (const t of tabs) {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        panel(t).hidden = !on;
      }
      selected = tab;
      panel(tab).scrollTop = scrolls.get(panel(tab)) ?? 0;
    }
    if (focus) tab.focus();
  };

  for (const tab of tabs) tab.addEventListener("click", () => select(tab.dataset.tab!));
  list.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(selected);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(tabs[(to + tabs.length) % tabs.length].dataset.tab!, true);
  });
  return { select, get selected() { return selected.dataset.tab!; } };
}
