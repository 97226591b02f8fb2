// The playground ("Try it"): a scratch editor whose code runs after the learner's solution, with
// their Value class and draw(); a Run button (Shift+Enter in both editors) and a console. Runs go
// through the same PyRunner as Run tests (same time limit, Stop, recovery); only one run at a time.
import "./playground.css";
import { Announcer } from "./announce";
import { Autosave } from "./autosave";
import { definesValue } from "./carry";
import { CodeEditor } from "./editor";
import { exposeScratch, playShown } from "./hooks";
import { PlayConsole } from "./playconsole";
import type { GraphView, PlayFrame, ProblemEntry } from "./protocol";
import type { PyRunner } from "./pyrunner";
import { CodeSlot } from "./store";
import { showBanner } from "./ui";

/** What an empty scratch editor starts with: the same for every problem. */
export const DEFAULT_SCRATCH = `# Scratch code: it runs after your code, with your Value class.
# draw(v) draws v's graph; steps=True also shows each step of backward().
a = Value(2.0)
b = a * a + a
b.backward()
print(a.grad)
draw(b, steps=True)
`;

/** What it starts with when the problem's code defines no Value (the learner writes a test of
 * engines, check_engine(Value)): their functions need an engine to be tried on. */
export const NO_VALUE_SCRATCH = `# Scratch code: it runs after your code. This problem's code defines no Value
# class: paste an engine here (your Value from an earlier problem works), break it
# on purpose, and call your functions on it to see whether they notice.
# draw(v) draws a value's graph once there is a Value.
`;

/** A play's time limit: the problem's, at least 5 s (and at most what the worker accepts). */
const MIN_LIMIT_S = 5;
const MAX_LIMIT_S = 60;

export interface PlaygroundHost {
  problem: ProblemEntry;
  title: string;
  starter: string; // the problem's starter code: whether it defines a Value class
  timeLimit: number; // the problem's, seconds per case
  runner: PyRunner;
  /** The solution editor's text (saved first). */
  solution(): string;
  jumpToSolution(line: number): void;
  runTests(): void;
  /** A run started or ended: the page redraws its buttons (which call onPhase). */
  busyChanged(): void;
}

/** Scratch code that rebuilds a failed case's graph: leaves as Values with the expected data,
 * then each operation as the case wrote it, then backward and a drawing. */
export function graphScratch(graph: GraphView): string {
  const number = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
  const lines = ["# Rebuilt from a failed test: run it and compare with the expected values."];
  for (const node of graph.nodes) {
    lines.push(node.op === "leaf" ? `${node.id} = Value(${number(node.expected_data)})` : node.code);
  }
  lines.push(`${graph.output}.backward()`, `draw(${graph.output}, steps=True)`, "");
  return lines.join("\n");
}

export class Playground {
  private editor: CodeEditor;
  private autosave: Autosave;
  private console: PlayConsole;
  private runButton: HTMLButtonElement;
  private stopButton: HTMLButtonElement;
  private readonly limit: number;
  private last: { source: string; scratch: string } | null = null;
  /** A run's start and its end, said once (the console is not a live region: it would re-read
   * every printed line). */
  private said = new Announcer("console-said");

  constructor(private section: HTMLElement, private host: PlaygroundHost) {
    this.limit = Math.min(MAX_LIMIT_S, Math.max(MIN_LIMIT_S, host.timeLimit));
    const hasValue = definesValue(host.starter);
    const help = hasValue
      ? "Scratch code runs after your code, so it can use your <code>Value</code> class; <code>draw(v)</code> draws a value's graph."
      : "Scratch code runs after your code, so it can call your functions; your code defines no <code>Value</code> class, so define or paste one here to try them on.";
    section.innerHTML = `
      <h2 class="playground-title">Try it</h2>
      <p class="playground-help" id="playground-help">${help} Shift+Enter runs it.</p>
      <div class="playground-toolbar" role="toolbar" aria-label="Scratch code actions">
        <button type="button" class="play primary" aria-keyshortcuts="Shift+Enter">Run</button>
        <button type="button" class="play-stop" aria-label="Stop the scratch run" disabled>Stop</button>
      </div>
      <div class="scratch-editor"></div>
      <div class="console" role="region" aria-label="Console" tabindex="0"><p class="console-note">Press Run (Shift+Enter) to run your scratch code.</p></div>`;
    section.querySelector(".playground-toolbar")!.after(this.said.el);
    this.runButton = section.querySelector(".play")!;
    this.stopButton = section.querySelector(".play-stop")!;
    this.console = new PlayConsole(section.querySelector(".console")!);
    const slot = new CodeSlot(host.problem.slug, "scratch");
    this.editor = new CodeEditor({
      parent: section.querySelector<HTMLElement>(".scratch-editor")!,
      doc: slot.load() || (hasValue ? DEFAULT_SCRATCH : NO_VALUE_SCRATCH),
      label: `Scratch code for ${host.title}`,
      describedBy: "editor-help playground-help",
      onChange: (code) => this.autosave.schedule(code),
      onRun: () => host.runTests(), // Ctrl+Enter runs the tests from either editor
      onPlay: () => void this.run(),
    });
    this.autosave = new Autosave(slot, () => this.editor, `The scratch code of “${host.title}”`, "conflict-scratch");
    this.runButton.addEventListener("click", () => void this.run());
    this.stopButton.addEventListener("click", () => host.runner.interrupt());
    exposeScratch(() => this.editor.code);
  }

  flush(): void {
    this.autosave.flush();
  }

  dispose(): void {
    this.autosave.dispose();
    exposeScratch(null);
    this.editor.view.destroy();
  }

  /** Reflect the runner's state: one run at a time, Run tests or this. */
  onPhase(): void {
    const busy = this.host.runner.busy;
    this.runButton.disabled = busy;
    this.stopButton.disabled = this.host.runner.busyWith !== "play";
    this.runButton.textContent = this.host.runner.busyWith === "play" ? "Running…" : "Run";
  }

  /** Run the solution, then the scratch code; `compare` repeats the last run with the reference
   * engine's Value drawn beside the learner's. */
  async run(compare = false): Promise<void> {
    const runner = this.host.runner;
    if (runner.busy) return;
    this.flush();
    const play = compare && this.last ? this.last : { source: this.host.solution(), scratch: this.editor.code };
    this.last = play;
    const starting = runner.isReady ? "Running…" : "Python is starting; your code will run as soon as it is ready.";
    this.console.clear(starting);
    this.said.say(starting);
    const promise = runner.play(this.host.problem, play.source, play.scratch, this.limit, compare,
      (stream, text) => this.console.output(stream, text));
    this.host.busyChanged();
    try {
      const result = await promise;
      this.host.busyChanged();
      this.console.result(result, this.limit, (frame) => this.jump(frame), () => void this.run(true));
      this.said.say(this.console.sentence(result, this.limit));
      playShown(result);
    } catch (error) {
      this.host.busyChanged();
      this.console.failed(`Your code could not run: ${(error as Error).message}`);
      this.said.say(`Your code could not run: ${(error as Error).message}`);
    }
  }

  private jump(frame: PlayFrame): void {
    if (frame.file === "scratch") this.editor.jumpTo(frame.line);
    else this.host.jumpToSolution(frame.line);
  }

  /** "Open in playground" on a failed case: its graph as scratch code (undoable), saved, in view. */
  openGraph(graph: GraphView): void {
    this.replaceScratch(graphScratch(graph), "Your scratch code was replaced with the failed test's graph.");
  }

  /** "Try my Value from problem N": that code (an engine) as the scratch code, for a problem
   * whose own code is no engine. */
  openEngine(code: string, from: string): void {
    const text = `# Your code from “${from}”: change it, then call your functions on this Value.\n${code.trimEnd()}\n`;
    this.replaceScratch(text, `Your scratch code was replaced with your code from “${from}”.`);
  }

  private replaceScratch(text: string, said: string): void {
    this.editor.replace(text);
    this.flush();
    this.section.scrollIntoView({ block: "start" });
    this.editor.view.focus();
    showBanner("scratch-replaced", said, [
      { label: "Undo", action: () => this.editor.undo() },
    ], 15000);
  }
}
