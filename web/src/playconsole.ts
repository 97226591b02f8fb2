// The playground's console: what the code printed (as it arrives, stdout and stderr in order),
// then what the run left: the echoed last expression, a traceback trimmed to the learner's own
// frames (each a link to its line), why it stopped, and each drawing.
import type { OutputStream, PlayError, PlayFrame, PlayResult } from "./protocol";
import { workerWasReplaced } from "./pyrunner";
import { brief } from "./announce";
import { el } from "./ui";

const FILE_NAMES: Record<PlayFrame["file"], string> = { scratch: "scratch", solution: "your code" };

/** How a run that did not end by itself ended, in words the learner can act on. */
export function endedText(status: PlayResult["status"], limit: number): string | null {
  switch (status) {
    case "timeout": return `Stopped after ${limit} s: your code was still running (an infinite loop?).`;
    case "stopped": return "Stopped: you pressed Stop before your code finished.";
    case "crashed": return "Python crashed while running your code (too much memory, or recursion too deep?). It was restarted: you can run again.";
    default: return null;
  }
}

export class PlayConsole {
  private stream: OutputStream | null = null;
  private chunk: HTMLElement | null = null;

  constructor(readonly el: HTMLElement) {}

  /** Empty it, optionally with a status line (removed when the run's result is shown). */
  clear(status?: string): void {
    this.el.replaceChildren();
    this.stream = null;
    this.chunk = null;
    if (status) this.el.append(el("p", "console-note console-pending", status));
  }

  /** Text the code printed, appended in order; consecutive text of one stream joins one element. */
  output(stream: OutputStream, text: string): void {
    if (!this.chunk || this.stream !== stream) {
      this.chunk = el("span", `console-${stream}`);
      this.stream = stream;
      this.outputBlock().append(this.chunk);
    }
    this.chunk.append(text);
  }

  private outputBlock(): HTMLElement {
    let block = this.el.querySelector<HTMLElement>(":scope > .console-output");
    if (!block) {
      block = el("pre", "console-output");
      this.el.append(block);
    }
    return block;
  }

  /** The run ended: what it left. `onFrame` moves to a traceback frame's line. */
  result(result: PlayResult, limit: number, onFrame: (frame: PlayFrame) => void, onCompare?: () => void): void {
    this.el.querySelector(".console-pending")?.remove();
    this.chunk = null;
    if (result.output_dropped > 0) {
      this.el.append(el("p", "console-note console-dropped",
        `… ${result.output_dropped.toLocaleString("en")} more characters not shown (output is capped)`));
    }
    if (result.echo !== null) this.el.append(el("pre", "console-echo", `Out: ${result.echo}`));
    if (result.error) this.el.append(traceback(result.error, onFrame));
    const ended = endedText(result.status, limit);
    if (ended) this.el.append(el("p", `console-note console-ended console-${result.status}`, ended));
    if (workerWasReplaced(result) && result.status !== "crashed") {
      this.el.append(el("p", "console-note console-lost",
        "Python had to be restarted to stop it, so text printed just before it stopped may be missing."));
    }
    if (result.drawings.length) {
      // The renderer is its own chunk, fetched the first time something is drawn (precached for
      // offline use): a visit that never calls draw() does not download it.
      const boxes = result.drawings.map(() => this.el.appendChild(el("div", "console-drawing")));
      void import("./drawing").then(({ renderDrawing }) => {
        result.drawings.forEach((drawing, i) => renderDrawing(boxes[i], drawing, onCompare ? { onCompare } : undefined));
      }, () => {
        for (const box of boxes) box.append(el("p", "console-note console-error", "The drawing could not be shown: the page could not load its renderer. Reload the page and Run again."));
      });
    }
    if (!this.el.childElementCount) this.el.append(el("p", "console-note", "Your code ran; it printed nothing."));
  }

  /** What is said when a run ends: how it ended, the start of what it printed, the echo, the
   * drawings (the console holds the rest, read at the learner's pace). */
  sentence(result: PlayResult, limit: number): string {
    const parts: string[] = [];
    const printed = this.el.querySelector(":scope > .console-output")?.textContent ?? "";
    if (printed.trim()) parts.push(`Printed: ${brief(printed, 200)}`);
    if (result.echo !== null) parts.push(`Out: ${brief(result.echo, 100)}`);
    if (result.error) parts.push(`Error: ${brief(`${result.error.type}: ${result.error.message}`, 150)} (traceback in the console)`);
    const ended = endedText(result.status, limit);
    if (ended) parts.push(ended);
    const n = result.drawings.length;
    if (n) parts.push(n === 1 ? "1 drawing in the console." : `${n} drawings in the console.`);
    return parts.length ? `Run finished. ${parts.join(" ")}` : "Your code ran; it printed nothing.";
  }

  /** The run could not start or was dropped (never a claim about the learner's code). */
  failed(message: string): void {
    this.el.querySelector(".console-pending")?.remove();
    this.el.append(el("p", "console-note console-error", message));
  }
}

function traceback(error: PlayError, onFrame: (frame: PlayFrame) => void): HTMLElement {
  const box = el("div", "console-traceback");
  box.append(el("p", "console-traceback-head", "Traceback (your code only):"));
  const frames = el("ol", "console-frames");
  for (const frame of error.frames) {
    const item = el("li", "console-frame");
    const where = `${FILE_NAMES[frame.file]} line ${frame.line}`;
    const link = el("button", "line-link", where);
    link.type = "button";
    link.title = `Show ${where} in its editor`;
    link.addEventListener("click", () => onFrame(frame));
    item.append(link, `, in ${frame.name}: `, el("code", "console-frame-text", frame.text));
    frames.append(item);
  }
  if (frames.childElementCount) box.append(frames);
  if (error.omitted > 0) box.append(el("p", "console-note", `… ${error.omitted} more frames of your code not shown`));
  const column = error.column ? ` (column ${error.column})` : "";
  box.append(el("pre", "console-exception", `${error.type}: ${error.message}${column}`));
  return box;
}
