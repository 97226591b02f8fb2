// Entry point, kept small on purpose: it starts the Python worker first, so Python boots while
// the editor and the rest of the app (app.ts, most of the JavaScript) download and start.
import "./style.css";
import { installHooks } from "./hooks";
import type { SiteIndex } from "./protocol";
import { type Phase, PyRunner } from "./pyrunner";

const base = new URL(".", location.href).href;
const app = import("./app");

async function boot(): Promise<void> {
  const response = await fetch(new URL("problems/index.json", base), { cache: "no-cache" });
  const index = (await response.json()) as SiteIndex;
  // Phases reported before the app has loaded are shown once it has (only the latest matters).
  let pending: [Phase, string | undefined] | null = null;
  let show: ((phase: Phase, detail?: string) => void) | null = null;
  let started: ((index: number) => void) | null = null;
  const runner = new PyRunner(base, index, {
    phase: (phase, detail) => (show ? show(phase, detail) : (pending = [phase, detail])),
    caseStarted: (caseIndex) => started?.(caseIndex),
  });
  installHooks(runner);
  runner.start();
  const { start, setPhase, caseStarted } = await app;
  show = setPhase;
  started = caseStarted;
  if (pending) setPhase(...(pending as [Phase, string | undefined]));
  await start(index, runner);
}

boot().catch((error) => {
  const main = document.getElementById("main")!;
  main.innerHTML = "";
  const p = document.createElement("p");
  p.className = "summary summary-error";
  p.textContent = `Gradlab could not start: ${error}`;
  main.append(p);
});
