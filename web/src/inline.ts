// Inline code in learner-facing text: the grader writes code as `backquoted` parts ("`x.grad`:
// expected 2.0, got 1 in `x + x`"). Each paired part becomes a <code> element; everything is
// added as text nodes, never parsed as HTML, so a learner's `<script>` stays text. A backquote
// without a partner is kept as it is.

/** Append `text` to `parent`, each `backquoted` part as a <code> element; returns `parent`. */
export function appendInline<T extends Element>(parent: T, text: string): T {
  const parts = text.split("`");
  // An even number of parts means one backquote has no partner: it and what follows stay text.
  const paired = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  for (let i = 0; i < paired; i++) {
    if (!parts[i]) continue;
    if (i % 2) {
      const code = document.createElement("code");
      code.className = "inline-code";
      code.textContent = parts[i];
      parent.append(code);
    } else {
      parent.append(document.createTextNode(parts[i]));
    }
  }
  if (paired < parts.length) parent.append(document.createTextNode("`" + parts[paired]));
  return parent;
}

/** A new element of `tag` holding `text` with its inline code. */
export function inlineEl<K extends keyof HTMLElementTagNameMap>(tag: K, className: string | undefined, text: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return appendInline(node, text);
}
