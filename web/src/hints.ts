// A ladder of hints, revealed one level at a time: concept, direction, specific, then code.
// How far the learner went is remembered per problem and case. The code level gives the answer
// away, so it takes two presses: the first only says what the next hint is.
import { appendInline } from "./inline";
import { hintLevel, setHintLevel } from "./store";

export const LEVELS = ["Concept", "Direction", "Specific", "Code"];

function levelName(index: number, count: number): string {
  // A ladder of four or more ends with code; shorter ladders name their levels by position.
  if (count >= 4 && index === count - 1) return "Code";
  return LEVELS[Math.min(index, 2)];
}

export function isCodeLevel(index: number, count: number): boolean {
  return levelName(index, count) === "Code";
}

export function hintLadder(key: string, hints: string[], title = "Hints"): HTMLElement {
  const box = document.createElement("div");
  box.className = "hint-ladder";
  box.dataset.key = key;
  const heading = document.createElement("p");
  heading.className = "hint-ladder-title";
  heading.textContent = title;
  const list = document.createElement("ol");
  list.className = "hint-list";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "hint-next";
  const live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  box.append(heading, list, button, live);
  let shown = Math.min(hintLevel(key), hints.length);
  let confirming = false;

  const render = () => {
    list.replaceChildren(...hints.slice(0, shown).map((text, i) => {
      const item = document.createElement("li");
      item.className = `hint hint-${levelName(i, hints.length).toLowerCase()}`;
      const label = document.createElement("strong");
      label.textContent = `${levelName(i, hints.length)}: `;
      const body = document.createElement(isCodeLevel(i, hints.length) ? "pre" : "span");
      // Code is shown as it is; words with `code` in them get it marked as code.
      if (isCodeLevel(i, hints.length)) body.textContent = text;
      else appendInline(body, text);
      item.append(label, body);
      return item;
    }));
    if (shown >= hints.length) {
      button.hidden = true;
      return;
    }
    button.hidden = false;
    const next = levelName(shown, hints.length);
    button.textContent = confirming
      ? "Press again to see code that solves it"
      : `Show a hint: ${next.toLowerCase()} (${shown + 1} of ${hints.length})`;
    button.classList.toggle("hint-confirm", confirming);
  };

  button.addEventListener("click", () => {
    if (isCodeLevel(shown, hints.length) && !confirming) {
      confirming = true; // the code level is never shown on one press
      live.textContent = "The next hint shows code. Press the button again to see it.";
      render();
      return;
    }
    confirming = false;
    shown += 1;
    setHintLevel(key, shown);
    live.textContent = `${levelName(shown - 1, hints.length)} hint shown.`;
    render();
    (list.lastElementChild as HTMLElement | null)?.setAttribute("tabindex", "-1");
  });
  render();
  return box;
}
