// The learner's work, kept in localStorage: code per problem (saved as they type), progress, and
// an export file to move to another machine. Never loses work silently: blocked storage is
// detected and said, and two tabs editing one problem notice each other instead of overwriting.

import type { ExportFile, Progress } from "./generated/export";
import validateExport from "./generated/exportValidate";

const PREFIX = "gradlab:v1:";

export const EXPORT_FORMAT = "gradlab-export";

export interface SavedCode { code: string; rev: number; tab: string; savedAt: number }
// The export file's contract is engine/schemas/export.schema.json; its types and its validator
// are generated from it (scripts/gen_types.mjs), and `gradlab grade --bundle` checks the same schema.
export type { ExportFile, Progress } from "./generated/export";

export type StorageState = "ok" | "blocked";

const tabId = Math.random().toString(36).slice(2, 10);

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(PREFIX + key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  localStorage.setItem(PREFIX + key, JSON.stringify(value));
}

export function checkStorage(): StorageState {
  try {
    localStorage.setItem(PREFIX + "probe", "1");
    localStorage.removeItem(PREFIX + "probe");
    return "ok";
  } catch {
    return "blocked";
  }
}

/** Ask the browser not to evict our data; false in private windows and some browsers. */
export async function askPersistence(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}

/**
 * Whether the browser will probably delete this site's storage when the window closes: a
 * Chromium private (incognito) window. Nothing says so directly; Chromium gives a private window
 * a storage quota below twice the JavaScript heap limit, a normal profile a share of the disk
 * (the heuristic detectIncognito uses). Other browsers: false (not knowable; no false alarms).
 */
export async function storageLooksPrivate(): Promise<boolean> {
  try {
    const heap = (performance as { memory?: { jsHeapSizeLimit?: number } }).memory?.jsHeapSizeLimit;
    if (!heap || !navigator.storage?.estimate) return false;
    if (await navigator.storage.persisted?.()) return false;
    const { quota } = await navigator.storage.estimate();
    return quota !== undefined && quota < 2 * heap;
  } catch {
    return false;
  }
}

/** Which text of a problem a slot holds: the solution ("code") or the playground's scratch code. */
export type SlotKind = "code" | "scratch";

/** One problem's code (or scratch code): knows which revision this tab loaded, so it can tell
 * when another tab saved. */
export class CodeSlot {
  private baseRev: number;
  private readonly key: string;

  constructor(readonly slug: string, readonly kind: SlotKind = "code") {
    this.key = `${kind}:${slug}`;
    this.baseRev = this.stored()?.rev ?? 0;
  }

  stored(): SavedCode | null {
    return read<SavedCode>(this.key);
  }

  /** The saved code, or null when the learner has not typed anything yet. */
  load(): string | null {
    const saved = this.stored();
    this.baseRev = saved?.rev ?? 0;
    return saved?.code ?? null;
  }

  /** "saved", or "conflict" when another tab saved since this tab loaded (nothing is written). */
  save(code: string, force = false): "saved" | "conflict" | "failed" {
    const current = this.stored();
    if (!force && current && current.rev !== this.baseRev && current.tab !== tabId && current.code !== code) {
      return "conflict";
    }
    const rev = (current?.rev ?? 0) + 1;
    try {
      write(this.key, { code, rev, tab: tabId, savedAt: Date.now() } satisfies SavedCode);
    } catch {
      return "failed";
    }
    this.baseRev = rev;
    return "saved";
  }

  /** Adopt what another tab saved (the caller puts it in the editor). */
  adopt(): string | null {
    return this.load();
  }

  /** Calls back when another tab saves this problem. */
  watch(onOtherTab: (saved: SavedCode) => void): () => void {
    const listener = (event: StorageEvent) => {
      if (event.key !== PREFIX + this.key || !event.newValue) return;
      const saved = JSON.parse(event.newValue) as SavedCode;
      if (saved.tab !== tabId && saved.rev !== this.baseRev) onOtherTab(saved);
    };
    window.addEventListener("storage", listener);
    return () => window.removeEventListener("storage", listener);
  }
}

/** The code saved for a problem (another one than the open page's, read only), or null. */
export function savedCode(slug: string): string | null {
  return read<SavedCode>(`code:${slug}`)?.code ?? null;
}

export function getProgress(slug: string): Progress | null {
  return read<Progress>(`progress:${slug}`);
}

export function recordResult(slug: string, passed: number, total: number, suiteVersion: string): Progress {
  const before = getProgress(slug);
  const solved = passed === total && total > 0;
  const progress: Progress = {
    solved: solved || (before?.solved ?? false), passed, total, suiteVersion,
    solvedAt: solved ? Date.now() : before?.solvedAt,
  };
  try {
    write(`progress:${slug}`, progress);
  } catch {
    /* storage full or blocked: the banner already says so */
  }
  return progress;
}

/** Who the learner says they are, put in their export files so an instructor's `gradlab grade
 * --class` knows whose file it is. Optional; kept in this browser only, never sent anywhere. */
export interface Learner { name: string; id: string }

export function getLearner(): Learner {
  const saved = read<Partial<Learner>>("learner");
  return { name: typeof saved?.name === "string" ? saved.name : "", id: typeof saved?.id === "string" ? saved.id : "" };
}

export function setLearner(learner: Learner): void {
  try {
    write("learner", { name: learner.name.slice(0, 200), id: learner.id.slice(0, 200) });
  } catch {
    /* storage full or blocked: the banner already says so */
  }
}

export function exportAll(slugs: string[]): ExportFile {
  const problems: ExportFile["problems"] = {};
  for (const slug of slugs) {
    const code = read<SavedCode>(`code:${slug}`)?.code ?? null;
    const scratch = read<SavedCode>(`scratch:${slug}`)?.code ?? null;
    const cells = traceCells(slug);
    const trace = Object.keys(cells).length ? cells : null;
    const progress = getProgress(slug);
    if (code !== null || progress !== null || scratch !== null || trace !== null) {
      // `scratch` and `trace` only when there is some: files without them stay as before.
      problems[slug] = { code, progress, ...(scratch === null ? {} : { scratch }), ...(trace === null ? {} : { trace }) };
    }
  }
  const file: ExportFile = { format: EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString(), problems };
  // Only what the learner typed: files without a name or id stay exactly as before.
  const learner = getLearner();
  if (learner.name.trim()) file.name = learner.name.trim();
  if (learner.id.trim()) file.id = learner.id.trim();
  return file;
}

/** The largest file "Import progress" reads: Gradlab's own export files are a few KB per problem. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A message when a file is too big to be an export file, else null (checked before reading it). */
export function importSizeProblem(bytes: number): string | null {
  if (bytes <= IMPORT_MAX_BYTES) return null;
  return `This file is ${megabytes(bytes)}: too big for a Gradlab export file (at most ${megabytes(IMPORT_MAX_BYTES)}). Nothing was imported.`;
}

/** Check a whole export file before anything is written; returns a message saying what is wrong,
 * or the parsed file. */
export function parseExport(text: string): ExportFile | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return "This is not a Gradlab export file (it is not JSON). Nothing was imported.";
  }
  const file = data as { format?: unknown; version?: unknown } | null;
  if (typeof file !== "object" || file?.format !== EXPORT_FORMAT) return "This is not a Gradlab export file. Nothing was imported.";
  if (file.version !== 1) return `This export file is version ${String(file.version)}; this site reads version 1. Nothing was imported.`;
  if (!validateExport(data)) {
    const error = validateExport.errors?.[0];
    const where = error?.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "the file";
    return `This export file is damaged: ${where} ${error?.message ?? "is not valid"}. Nothing was imported.`;
  }
  return data;
}

export type ImportResult = { ok: true; slugs: string[] } | { ok: false; message: string; backup: ExportFile | null };

function storageError(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === "QuotaExceededError") return "this browser's storage for this site is full";
  return `the browser refused to store it (${name ?? "error"}: ${(error as Error)?.message ?? String(error)})`;
}

/** Write a whole (checked) export file, all or nothing: on any failure every key already written
 * goes back to what it was, and the message says so. */
export function importAll(file: ExportFile): ImportResult {
  const slugs = Object.keys(file.problems);
  const backup = exportAll(slugs); // what was here, in memory, in case putting it back fails too
  const writes: [string, string][] = [];
  for (const [slug, entry] of Object.entries(file.problems)) {
    for (const [kind, text] of [["code", entry.code], ["scratch", entry.scratch ?? null]] as const) {
      if (text === null) continue;
      const rev = (read<SavedCode>(`${kind}:${slug}`)?.rev ?? 0) + 1;
      writes.push([`${kind}:${slug}`, JSON.stringify({ code: text, rev, tab: tabId, savedAt: Date.now() } satisfies SavedCode)]);
    }
    if (entry.progress) writes.push([`progress:${slug}`, JSON.stringify(entry.progress)]);
    if (entry.trace) writes.push([`trace:${slug}`, JSON.stringify(entry.trace)]);
  }
  const previous: [string, string | null][] = [];
  try {
    for (const [key, value] of writes) {
      previous.push([key, localStorage.getItem(PREFIX + key)]);
      localStorage.setItem(PREFIX + key, value);
    }
  } catch (error) {
    const why = storageError(error);
    // Put every key back: remove first (frees the space the import took), then rewrite.
    let restored = true;
    for (const [key] of previous) {
      try { localStorage.removeItem(PREFIX + key); } catch { restored = false; }
    }
    for (const [key, value] of previous) {
      if (value === null) continue;
      try { localStorage.setItem(PREFIX + key, value); } catch { restored = false; }
    }
    return restored
      ? { ok: false, backup: null, message: `Nothing was imported: ${why}. Your code and progress here are unchanged.` }
      : { ok: false, backup, message: `The import failed (${why}) and what was stored here could not all be put back. Download the backup now: it holds the code and progress that were here.` };
  }
  return { ok: true, slugs };
}

/** How many hints of one ladder the learner has revealed (key: "<slug>/<case id or 'problem'>"). */
export function hintLevel(key: string): number {
  return read<number>(`hints:${key}`) ?? 0;
}

export function setHintLevel(key: string, level: number): void {
  try {
    write(`hints:${key}`, level);
  } catch {
    // storage blocked: the level is still shown for this page view
  }
}

/** Whether Tab moves focus in the code editors instead of indenting (the learner's choice,
 * Ctrl+M or the "Tab moves focus" button; one setting for both editors, every problem). */
export function tabMovesFocus(): boolean {
  return read<boolean>("tab-moves-focus") === true;
}

export function setTabMovesFocus(on: boolean): void {
  try {
    write("tab-moves-focus", on);
  } catch {
    // storage blocked: the choice still holds for this page view
  }
}

/** A trace problem's entries, as typed: "<trace id>/<node>/<value|grad>" -> text. Saved at each
 * change; whether each is right is worked out again from the page data on load. */
export type TraceCells = Record<string, string>;

export function traceCells(slug: string): TraceCells {
  return read<TraceCells>(`trace:${slug}`) ?? {};
}

/** False when storage refused it (full or blocked). */
export function saveTraceCells(slug: string, cells: TraceCells): boolean {
  try {
    write(`trace:${slug}`, cells);
    return true;
  } catch {
    return false;
  }
}
