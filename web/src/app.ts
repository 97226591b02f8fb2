// The app, loaded by main.ts once Python is already starting: route between the list and a
// problem, and wire the site-wide actions (export/import, storage warnings, updates).
import "katex/dist/katex.min.css";
import { Announcer } from "./announce";
import { renderList } from "./listpage";
import { ProblemPage } from "./problempage";
import { TracePage } from "./tracepage";
import type { SiteIndex } from "./protocol";
import type { Phase, PyRunner } from "./pyrunner";
import { askPersistence, checkStorage, exportAll, importAll, importSizeProblem, parseExport, storageLooksPrivate, type ExportFile } from "./store";
import { showBanner } from "./ui";

const base = new URL(".", location.href).href;
const main = document.getElementById("main")!;
const pythonStatus = document.getElementById("python-status")!;
let page: ProblemPage | TracePage | null = null;

const PHASE_TEXT: Record<Phase, string> = {
  booting: "Starting Python…",
  "loading-engine": "Loading the grader…",
  ready: "Python ready",
  running: "Running tests…",
  restarting: "Restarting Python…",
  failed: "Python could not start",
};

/** Python's state, said when it changes by itself (starting, ready, failed, restarting), not at
 * each run's start and end: a run's own announcements say those. */
const phaseSaid = new Announcer("python-status-said");
pythonStatus.after(phaseSaid.el);

export function setPhase(phase: Phase, detail?: string): void {
  const previous = pythonStatus.dataset.phase;
  if (phase !== "running" && !(phase === "ready" && previous === "running") && phase !== previous) {
    phaseSaid.say(PHASE_TEXT[phase] + (detail ? `: ${detail}` : ""));
  }
  pythonStatus.dataset.phase = phase;
  pythonStatus.querySelector(".text")!.textContent = PHASE_TEXT[phase] + (detail ? `: ${detail}` : "");
  pythonStatus.querySelector("progress")!.hidden = !["booting", "loading-engine", "restarting"].includes(phase);
  page?.onPhase(phase);
}

/** A graded run started case `index` (the problem page shows the count). */
export function caseStarted(index: number): void {
  page?.onCaseStarted(index);
}

/** The skip link (first in Tab order): to the editor on a problem page, else to the content. Its
 * `#main` would be taken as a route, so it moves focus itself. */
function wireSkipLink(): void {
  const link = document.querySelector<HTMLAnchorElement>("a.skip")!;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    (main.querySelector<HTMLElement>(".cm-content") ?? main).focus();
  });
}

function nameSkipLink(onProblem: boolean): void {
  document.querySelector("a.skip")!.textContent = onProblem ? "Skip to the editor" : "Skip to main content";
}

async function route(index: SiteIndex, runner: PyRunner): Promise<void> {
  page?.dispose();
  page = null;
  nameSkipLink(false);
  const match = /^#\/p\/([a-z0-9-]+)/.exec(location.hash);
  const problem = match && index.problems.find((p) => p.slug === match[1]);
  if (match && !problem) {
    main.innerHTML = `<h1 tabindex="-1">No such problem</h1><p><a href="#/">See all problems</a></p>`;
    return;
  }
  if (!problem) {
    document.title = "Gradlab";
    renderList(main, index);
    return;
  }
  document.title = `${problem.title} · Gradlab`;
  if (problem.kind === "trace") { // no code and no editor: checked in the page, no Python
    page = new TracePage(main, problem, base, index.problems);
    await page.show();
    return;
  }
  page = new ProblemPage(main, problem, runner, base, index.problems);
  await page.show();
  nameSkipLink(true);
}

function wireExport(index: SiteIndex): void {
  document.getElementById("export")!.addEventListener("click", () => {
    page?.flush();
    download(exportAll(index.problems.map((p) => p.slug)), "gradlab-progress");
  });
  const input = document.getElementById("import-file") as HTMLInputElement;
  document.getElementById("import")!.addEventListener("click", () => input.click());
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      const tooBig = importSizeProblem(file.size);
      if (tooBig) {
        showBanner("import", tooBig, []);
        return;
      }
      const parsed = parseExport(await file.text());
      if (typeof parsed === "string") {
        showBanner("import", parsed, []);
        return;
      }
      const slugs = Object.keys(parsed.problems);
      if (!slugs.length) {
        showBanner("import", "This export file holds no problems: there is nothing to import.", []);
        return;
      }
      if (!window.confirm(`Import your code and progress for ${slugs.length} problem(s)? This replaces the code saved here for: ${slugs.join(", ")}.`)) return;
      page?.flush(); // the open problem's last keystrokes are stored first, not over the import
      const result = importAll(parsed);
      if (!result.ok) {
        const backup = result.backup;
        showBanner("import", result.message, backup ? [{ label: "Download the backup", action: () => download(backup, "gradlab-backup") }] : []);
        return;
      }
      try {
        sessionStorage.setItem(IMPORTED_NOTE, `Imported your code and progress for ${slugs.length} problem(s).`);
      } catch { /* the note is a courtesy */ }
      location.reload();
    } catch (error) {
      showBanner("import", `The import failed: ${(error as Error)?.message ?? String(error)}. Nothing was imported.`, []);
    }
  });
}

/** Say when the learner's work will not outlive this tab: storage blocked, or a private window. */
function warnAboutStorage(): void {
  if (checkStorage() === "blocked") {
    showBanner("storage", "This browser is blocking storage for this site (private mode or a privacy setting), so your code will NOT be saved. Before you close this tab, use “Export progress” (or “Download my code”) to keep your work.", []);
    return;
  }
  void askPersistence().then(async (persisted) => {
    if (!persisted && await storageLooksPrivate()) {
      showBanner("storage", "This looks like a private window: the browser deletes your code when the window closes. Before you close it, use “Export progress” to keep your work (“Import progress” brings it back).", []);
    }
  });
}

const IMPORTED_NOTE = "gradlab:imported";

/** After an import the page reloads: say there that it worked. */
function showImportedNote(): void {
  try {
    const note = sessionStorage.getItem(IMPORTED_NOTE);
    sessionStorage.removeItem(IMPORTED_NOTE);
    if (note) showBanner("import", note, [], 8000);
  } catch { /* no session storage: nothing to say */ }
}

function download(file: ExportFile, name: string): void {
  const blob = new Blob([JSON.stringify(file, null, 1)], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${name}-${new Date().toISOString().slice(0, 10)}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

/** The page is controlled by the service worker, which sends COOP/COEP, yet it is not isolated:
 * it was served by an older service worker or straight from the network. One reload fixes that
 * (once per tab session: never a loop, whatever the host does). */
function isolateByReload(): boolean {
  if (!("serviceWorker" in navigator)) return false;
  const key = "gradlab:isolation-reload";
  if (globalThis.crossOriginIsolated) {
    sessionStorage.removeItem(key);
    return false;
  }
  if (!navigator.serviceWorker.controller || sessionStorage.getItem(key)) return false;
  sessionStorage.setItem(key, "1");
  location.reload();
  return true;
}

// The service worker that served this page (null on a first visit or without one), read as early
// as this module runs: a controller change from here on means a new version took over.
const controllerAtLoad = "serviceWorker" in navigator ? navigator.serviceWorker.controller : null;

/** Reload onto a new version as soon as it takes over (from this tab's banner or another tab's).
 * Listened for from the start, not once Python is up: a tab still booting must follow too. */
function followNewVersions(runner: PyRunner): { requestUpdate: () => void } {
  let updateRequested = false;
  const reload = (): void => {
    updateRequested = true;
    location.reload();
  };
  if (!("serviceWorker" in navigator)) return { requestUpdate: reload };
  // A previous version controlled this page: a controller change is an update (the files this page
  // would ask for next may no longer exist), not the first install.
  let hadController = !!controllerAtLoad;
  let stale = false;
  const onChange = (): void => {
    const update = hadController;
    hadController = true;
    if (!update) return;
    if (updateRequested || !runner.busy) {
      reload();
      return;
    }
    // Updated from another tab while a run is going here: reload at the next chance.
    stale = true;
    showBanner("update", "Gradlab was updated in another tab.", [{ label: "Reload", action: reload }]);
  };
  navigator.serviceWorker.addEventListener("controllerchange", onChange);
  // It changed while this page's scripts were loading: that event has gone, act on it now.
  if (controllerAtLoad && navigator.serviceWorker.controller !== controllerAtLoad) onChange();
  // Opening another problem on a page of an older version: load the new version instead.
  window.addEventListener("hashchange", () => {
    if (stale && !updateRequested) reload();
  });
  return {
    requestUpdate: () => {
      updateRequested = true;
      // Set to reload on controllerchange; should that not come (it already took over elsewhere),
      // reload anyway.
      setTimeout(reload, 3000);
    },
  };
}

/** Register the service worker and offer "Reload to update" when a new version has installed. */
function offerUpdates(requestUpdate: () => void): void {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("./sw.js").then((registration) => {
    const offer = (worker: ServiceWorker) => {
      showBanner("update", "A new version of Gradlab is available.", [
        {
          label: "Reload to update",
          action: () => {
            requestUpdate();
            worker.postMessage({ type: "skip-waiting" }); // it takes over: controllerchange
          },
        },
      ]);
    };
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      });
    });
  }).catch(() => { /* no offline support on this host (e.g. file://); everything else works */ });
}

/** Show the page for `index`; `runner` is the Python worker main.ts has already started. */
export async function start(index: SiteIndex, runner: PyRunner): Promise<void> {
  warnAboutStorage();
  wireSkipLink();
  wireExport(index);
  showImportedNote();
  // Installing the service worker downloads and stores the whole site (about 9 MB on a first
  // visit): started once Python is up (or has had 15 s), it does not compete with the boot.
  if (!isolateByReload()) {
    const { requestUpdate } = followNewVersions(runner);
    void Promise.race([runner.firstReady, new Promise((r) => setTimeout(r, 15_000))]).then(() => offerUpdates(requestUpdate));
  }
  window.addEventListener("hashchange", () => void route(index, runner));
  await route(index, runner);
}
