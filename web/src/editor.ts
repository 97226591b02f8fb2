// The code editor: CodeMirror 6 with Python, line numbers, bracket matching, search, undo,
// Tab indents (Esc then Tab leaves the editor), Ctrl/Cmd+Enter runs the tests, Shift+Enter runs
// the playground, and a marked error line.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory, undo } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching, defaultHighlightStyle, foldGutter, foldKeymap, indentOnInput, indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { EditorState, Prec, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  crosshairCursor, Decoration, type DecorationSet, drawSelection, dropCursor, EditorView,
  highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers,
  rectangularSelection,
} from "@codemirror/view";

const setErrorLine = StateEffect.define<number | null>();

// A line the grader blamed, marked until the learner edits the code.
const errorLine = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setErrorLine)) {
        if (effect.value === null || effect.value < 1 || effect.value > tr.state.doc.lines) return Decoration.none;
        const line = tr.state.doc.line(effect.value);
        return Decoration.set([Decoration.line({ class: "cm-error-line", attributes: { title: "The error is on this line" } }).range(line.from)]);
      }
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  onChange(doc: string): void;
  onRun(): void;
  /** Shift+Enter: the playground's Run. */
  onPlay?(): void;
  label: string;
}

export class CodeEditor {
  readonly view: EditorView;

  constructor(options: EditorOptions) {
    const extensions: Extension[] = [
      lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(),
      drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(), closeBrackets(),
      autocompletion(), rectangularSelection(), crosshairCursor(), highlightActiveLine(),
      highlightSelectionMatches(), search({ top: true }), indentUnit.of("    "), python(), errorLine,
      Prec.highest(keymap.of([
        { key: "Mod-Enter", run: () => { options.onRun(); return true; } },
        ...(options.onPlay ? [{ key: "Shift-Enter", run: () => { options.onPlay!(); return true; } }] : []),
      ])),
      keymap.of([
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap,
        ...completionKeymap, indentWithTab,
      ]),
      EditorView.contentAttributes.of({ "aria-label": options.label }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange(update.state.doc.toString());
      }),
    ];
    this.view = new EditorView({ doc: options.doc, extensions, parent: options.parent });
  }

  get code(): string {
    return this.view.state.doc.toString();
  }

  /** Replace the whole text as one undoable change (Reset, "use the other tab's version"). */
  replace(text: string): void {
    // Its own undo step: never merged with the typing just before it.
    this.view.dispatch({
      changes: { from: 0, to: this.view.state.doc.length, insert: text },
      annotations: isolateHistory.of("full"),
    });
  }

  undo(): void {
    undo(this.view);
  }

  /** Move the cursor to a line, scroll it into view, mark it, and focus the editor. */
  jumpTo(line: number): void {
    const doc = this.view.state.doc;
    const target = doc.line(Math.min(Math.max(line, 1), doc.lines));
    this.view.dispatch({
      selection: { anchor: target.from },
      effects: [setErrorLine.of(line), EditorView.scrollIntoView(target.from, { y: "center" })],
    });
    this.view.focus();
  }

  markLine(line: number | null): void {
    this.view.dispatch({ effects: setErrorLine.of(line) });
  }
}
