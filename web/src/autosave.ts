// Saving one editor's text as the learner types (the solution, or the playground's scratch code):
// a short debounce, a flush before anything that must see the latest text (a run, an export, an
// import, leaving the page), and the never-lose rules: blocked storage is said, and when another
// tab saved the same slot, nothing is overwritten until the learner chooses.
import type { CodeEditor } from "./editor";
import type { CodeSlot } from "./store";
import { showBanner } from "./ui";

const SAVE_DELAY_MS = 250;

export class Autosave {
  private timer: number | undefined;
  private pending: string | null = null;
  private conflict = false;
  private unwatch: () => void;

  /** `what`: the text's name in the two-tabs banner (“Basic ops”, the scratch code of “Basic ops”);
   * `bannerId`: that banner's id, one per slot. */
  constructor(private slot: CodeSlot, private editor: () => CodeEditor, private what: string,
              private bannerId: string) {
    this.unwatch = slot.watch(() => this.onOtherTab());
  }

  /** The editor changed: save it shortly. */
  schedule(code: string): void {
    this.pending = code;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(this.flush, SAVE_DELAY_MS);
  }

  /** Save what the learner typed now. */
  flush = (): void => {
    window.clearTimeout(this.timer);
    if (this.pending === null || this.conflict) return;
    const outcome = this.slot.save(this.pending);
    if (outcome === "conflict") this.onOtherTab();
    else if (outcome === "failed") saveFailed();
    else this.pending = null;
  };

  dispose(): void {
    this.flush();
    this.unwatch();
  }

  /** Another tab saved this slot: never overwrite silently, let the learner choose. Until they
   * do, this tab does not save; closing the banner is a choice too: keep editing here. */
  private onOtherTab(): void {
    this.conflict = true;
    const keepMine = () => {
      this.conflict = false;
      window.clearTimeout(this.timer);
      // Saving tells the other tab (a storage event): it shows this same choice there.
      const outcome = this.slot.save(this.editor().code, true);
      if (outcome === "failed") saveFailed();
      else this.pending = null;
    };
    showBanner(this.bannerId, `${this.what} was changed in another tab. Which version do you want to keep? Until you choose, this tab does not save.`, [
      {
        label: "Use the other tab's version",
        action: () => {
          const theirs = this.slot.adopt();
          this.conflict = false;
          if (theirs !== null) this.editor().replace(theirs); // undoable, so this tab's text is not lost
          this.pending = null; // replace() scheduled a save of what is already stored: drop it
          window.clearTimeout(this.timer);
        },
      },
      { label: "Keep this tab's version", action: keepMine },
    ], undefined, { label: "Close and keep editing here (keeps this tab's version)", onDismiss: keepMine });
  }
}

function saveFailed(): void {
  showBanner("storage-failed", "Your code could not be saved (storage is full or blocked). Use “Download my code” or “Export progress” to keep a copy.", []);
}
