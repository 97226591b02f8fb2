// The problem list: title, difficulty, and whether the learner has solved it yet.
import type { SiteIndex } from "./protocol";
import { getProgress } from "./store";

export function renderList(main: HTMLElement, index: SiteIndex): void {
  main.replaceChildren();
  const heading = document.createElement("h1");
  heading.textContent = "Problems";
  const intro = document.createElement("p");
  intro.textContent = "Build an autograd engine one piece at a time. Your code runs and is tested right here in your browser.";
  const list = document.createElement("ol");
  list.className = "problem-list";
  for (const problem of index.problems) {
    const progress = getProgress(problem.slug);
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#/p/${problem.slug}`;
    link.textContent = problem.title;
    const meta = document.createElement("span");
    meta.className = `difficulty difficulty-${problem.difficulty}`;
    meta.textContent = problem.difficulty;
    const state = document.createElement("span");
    state.className = progress?.solved ? "state solved" : "state";
    state.textContent = progress?.solved ? "solved" : progress ? `${progress.passed} of ${progress.total} passed` : "not yet";
    const summary = document.createElement("p");
    summary.textContent = problem.summary;
    item.append(link, " ", meta, " ", state, summary);
    list.append(item);
  }
  main.append(heading, intro, list);
  heading.tabIndex = -1;
  heading.focus();
}
