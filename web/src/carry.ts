// "Start from my Value": a learner's code from the previous problem, read as text (never run):
// whether it defines `class Value`, and which names the new problem's starter has that it lacks.
// Read honestly off the text: a name counts as present when it is defined (def, class or an
// assignment such as `__radd__ = __add__`) at the right level, whatever its body does.

const CLASS_VALUE = /^class\s+Value\b/;

export function definesValue(code: string): boolean {
  return code.split("\n").some((line) => CLASS_VALUE.test(line));
}

/** Names defined directly in `class Value`'s body (methods and class attributes), or null when
 * the code has no such class at the top level. */
export function valueMembers(code: string): Set<string> | null {
  const lines = code.split("\n");
  const start = lines.findIndex((line) => CLASS_VALUE.test(line));
  if (start < 0) return null;
  const names = new Set<string>();
  let indent: string | null = null;
  for (const line of lines.slice(start + 1)) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const lead = /^\s*/.exec(line)![0];
    if (!lead) break; // back at the top level: the class is over
    indent ??= lead;
    if (lead !== indent) continue; // inside a method
    const name = /^\s+(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(line)?.[1] ?? /^\s+([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/.exec(line)?.[1];
    if (name) names.add(name);
  }
  return names;
}

/** Top-level functions and classes. */
export function topLevelNames(code: string): Set<string> {
  return new Set([...code.matchAll(/^(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]));
}

export interface Missing { methods: string[]; names: string[] }

/** What the new starter defines that `mine` does not: methods of Value, and top-level names. */
export function missingFrom(mine: string, starter: string): Missing {
  const have = valueMembers(mine) ?? new Set<string>();
  const methods = [...(valueMembers(starter) ?? [])].filter((name) => !have.has(name));
  const top = topLevelNames(mine);
  const names = [...topLevelNames(starter)].filter((name) => name !== "Value" && !top.has(name));
  return { methods, names };
}

function codeList(names: string[]): string {
  return names.map((n) => `\`${n}\``).join(", ");
}

/** One sentence: what this problem's starter has that the learner's code does not, yet. */
export function missingSentence(missing: Missing): string {
  const parts: string[] = [];
  if (missing.methods.length) parts.push(`your Value has no ${codeList(missing.methods)} yet`);
  if (missing.names.length) parts.push(`your code has no ${codeList(missing.names)} yet`);
  if (!parts.length) return "It already defines every name this problem's starter has; the statement says what this problem tests.";
  const text = parts.join("; ");
  return `${text[0].toUpperCase()}${text.slice(1)}: this problem's starter has ${parts.length > 1 || missing.methods.length + missing.names.length > 1 ? "them" : "it"}.`;
}
