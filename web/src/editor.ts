// The code editor: CodeMirror 6 with Python, line numbers, bracket matching, search, undo,
// Tab indents (Esc then Tab leaves the editor; or, with "Tab moves focus" on (Ctrl+M, tabmode.ts),
// Tab always leaves it), Ctrl/Cmd+Enter runs the tests, Shift+Enter runs the playground, and a
// marked error line. Its colours come from the page's CSS variables
// (style.css), so it follows the colour scheme.
import { autocompletion, clearSnippet, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory, simplifySelection, undo } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching, foldGutter, foldKeymap, indentOnInput, indentUnit, syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { EditorState, Prec, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  crosshairCursor, Decoration, type DecorationSet, drawSelection, dropCursor, EditorView,
  highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers,
  rectangularSelection, ViewPlugin,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";
import { onTabFocusChange, tabFocus, toggleTabFocus } from "./tabmode";

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

/** How long Esc keeps Tab moving focus: until any other key is pressed (CodeMirror's own Esc
 * gives 2 s, too short for some keyboard users; this is effectively "until the next key"). */
const TAB_FOCUS_MS = 24 * 3600 * 1000;

/** One Esc always frees Tab: it closes the completion popup (if open) AND lets the next Tab
 * (or Shift+Tab) leave the editor. Without this, the popup's own Esc took the first press. Put
 * it before autocompletion() in an editor's extensions (same precedence: the first one wins). */
export const escapeFreesTab: Extension = Prec.highest(keymap.of([{
  key: "Escape",
  run: (view) => {
    closeCompletion(view);
    clearSnippet(view); // what Esc does otherwise: leave a snippet's fields, one cursor again
    simplifySelection(view);
    view.setTabFocusMode(TAB_FOCUS_MS);
    return true;
  },
}]));

/** Every editor follows the "Tab moves focus" setting (CodeMirror's tab focus mode, held on:
 * unlike Esc's, it lasts past the next key). The view sets the initial mode itself: a plugin is
 * made before the view's input state exists. */
const followTabSetting = ViewPlugin.define((view) => ({
  destroy: onTabFocusChange((on) => view.setTabFocusMode(on)),
}));

/** The editors' colours, all from CSS variables (light and dark schemes): text, gutters,
 * cursor, selection, popups (autocomplete, lint), the search panel. Syntax: `tok-*` classes. */
export const editorLook: Extension[] = [
  syntaxHighlighting(classHighlighter),
  EditorView.theme({
    "&": { color: "var(--fg)", backgroundColor: "var(--bg)" },
    ".cm-content": { caretColor: "var(--fg)" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--fg)" },
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
      { backgroundColor: "var(--selection) !important" },
    ".cm-gutters": { backgroundColor: "var(--panel)", color: "var(--muted)", borderRight: "1px solid var(--line)" },
    ".cm-activeLine": { backgroundColor: "var(--active-line)" },
    ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--fg)" },
    ".cm-selectionMatch": { backgroundColor: "var(--active-line)", outline: "1px solid var(--line-strong)" },
    "&.cm-focused .cm-matchingBracket": { backgroundColor: "transparent", outline: "1px solid var(--line-strong)" },
    "&.cm-focused .cm-nonmatchingBracket": { backgroundColor: "var(--bad-bg)" },
    ".cm-searchMatch": { backgroundColor: "var(--match)", outline: "1px solid var(--line-strong)" },
    ".cm-foldPlaceholder": { backgroundColor: "var(--panel)", border: "1px solid var(--line-strong)", color: "var(--muted)" },
    ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--line-strong)" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--on-accent)" },
    ".cm-completionMatchedText": { textDecoration: "underline", fontWeight: "700" },
    ".cm-completionDetail": { color: "inherit", opacity: "0.85" },
    ".cm-panels": { backgroundColor: "var(--panel)", color: "var(--fg)" },
    ".cm-panels.cm-panels-top": { borderBottom: "1px solid var(--line-strong)" },
    ".cm-textfield": { backgroundColor: "var(--bg)", color: "var(--fg)", border: "1px solid var(--line-strong)" },
    ".cm-button": { backgroundImage: "none", backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--line-strong)" },
    ".cm-panel.cm-search [name=close]": { color: "var(--fg)" },
    ".cm-tooltip-lint": { backgroundColor: "var(--panel)", color: "var(--fg)" },
  }),
];

export interface EditorOptions {
  parent: HTMLElement;
  doc: string;
  onChange(doc: string): void;
  onRun(): void;
  /** Shift+Enter: the playground's Run. */
  onPlay?(): void;
  label: string;
  /** The id of the text that explains the editor's keys. */
  describedBy?: string;
}

export class CodeEditor {
  readonly view: EditorView;

  constructor(options: EditorOptions) {
    const extensions: Extension[] = [
      escapeFreesTab, // first: autocompletion's Esc has the same (highest) precedence
      lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(),
      drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(),
      ...editorLook, bracketMatching(), closeBrackets(),
      autocompletion(), rectangularSelection(), crosshairCursor(), highlightActiveLine(),
      highlightSelectionMatches(), search({ top: true }), indentUnit.of("    "), python(), errorLine,
      Prec.highest(keymap.of([
        { key: "Mod-Enter", run: () => { options.onRun(); return true; } },
        // Ctrl+M: the remembered setting for both editors (CodeMirror's own Ctrl-m toggles one
        // editor until the page is left)
        { key: "Ctrl-m", run: toggleTabFocus },
        ...(options.onPlay ? [{ key: "Shift-Enter", run: () => { options.onPlay!(); return true; } }] : []),
      ])),
      keymap.of([
        ...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap,
        ...completionKeymap, indentWithTab,
      ]),
      // tabindex 0: the text is in the tab order anyway (contenteditable), but said so, the editor's
      // scroller (.cm-scroller, tabindex -1) visibly holds focusable content: a keyboard user
      // scrolls it by moving the cursor (axe's scrollable-region-focusable counts only tabindex).
      EditorView.contentAttributes.of({
        "aria-label": options.label, tabindex: "0",
        ...(options.describedBy ? { "aria-describedby": options.describedBy } : {}),
      }),
      followTabSetting,
      EditorView.updateListener.of((update) => {
        if (update.docChanged) options.onChange(update.state.doc.toString());
      }),
    ];
    this.view = new EditorView({ doc: options.doc, extensions, parent: options.parent });
    this.view.setTabFocusMode(tabFocus());
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
