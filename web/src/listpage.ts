// The problem list: title, difficulty, and whether the learner has solved it yet.
import type { SiteIndex } from "./protocol";
import { getLearner, getProgress, setLearner } from "./store";

export function renderList(main: HTMLElement, index: SiteIndex): void {
  main.replaceChildren();
  const heading = document.createElement("h1");
  heading.textContent = "Problems";
  const intro = document.createElement("p");
  intro.textContent = "Build an autograd engine one piece at a time. Your code runs and is tested right here in your browser.";
  const list = document.createElement("ol");
  list.className = "problem-list";
  const progressOf = new Map(index.problems.map((p) => [p.slug, getProgress(p.slug)]));
  const solved = index.problems.filter((p) => progressOf.get(p.slug)?.solved).length;
  const next = index.problems.find((p) => !progressOf.get(p.slug)?.solved);
  const overall = document.createElement("p");
  overall.className = "path-progress";
  overall.textContent = `${solved} of ${index.problems.length} solved. The problems build on each other in this order; you can open any of them.`;
  for (const problem of index.problems) {
    const progress = progressOf.get(problem.slug);
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `#/p/${problem.slug}`;
    link.textContent = problem.title;
    const meta = document.createElement("span");
    meta.className = `difficulty difficulty-${problem.difficulty}`;
    meta.textContent = problem.difficulty;
    const state = document.createElement("span");
    state.className = progress?.solved ? "state solved" : "state";
    state.textContent = progress?.solved ? "solved" : progress ? `${progress.passed} of ${progress.total} ${problem.kind === "trace" ? "cells right" : "passed"}` : "not yet";
    const summary = document.createElement("p");
    summary.textContent = problem.summary;
    item.append(link, " ", meta, " ", state);
    if (problem === next && index.problems.length > 1) {
      const tag = document.createElement("span");
      tag.className = "state next-up";
      tag.textContent = solved ? "next up" : "start here";
      item.append(" ", tag);
      item.classList.add("is-next");
    }
    item.append(summary);
    list.append(item);
  }
  main.append(heading, intro, overall, list, learnerForm());
  heading.tabIndex = -1;
  heading.focus();
}

/** An optional name and id for "Export progress" files, so an instructor grading a folder of
 * them knows whose each is. Saved in this browser as typed; never sent anywhere. */
function learnerForm(): HTMLElement {
  const box = document.createElement("details");
  box.className = "learner";
  const summary = document.createElement("summary");
  summary.textContent = "Your name on exported files (optional)";
  const note = document.createElement("p");
  note.className = "muted";
  note.textContent = "If your instructor collects “Export progress” files, add your name and student id here; they go into every file you export. They stay in this browser and are never sent anywhere.";
  const saved = getLearner();
  const field = (key: "name" | "id", label: string, autocomplete: string): HTMLElement => {
    const wrap = document.createElement("label");
    wrap.textContent = `${label} `;
    const input = document.createElement("input");
    input.type = "text";
    input.name = `learner-${key}`;
    input.maxLength = 200;
    input.setAttribute("autocomplete", autocomplete);
    input.value = saved[key];
    input.addEventListener("input", () => setLearner({ ...getLearner(), [key]: input.value }));
    wrap.append(input);
    return wrap;
  };
  box.append(summary, note, field("name", "Name", "name"), " ", field("id", "Student id or login", "username"));
  if (saved.name || saved.id) box.open = true;
  return box;
}
