// Problem statements: Markdown (marked) with $inline$ and $$display$$ math rendered by KaTeX, then
// sanitised (DOMPurify), for every course: a statement is data from whoever wrote the course, and
// it must not run script, restyle the page or cover the app. KaTeX's output is kept whole: its
// MathML (with the TeX source in <annotation>), its SVG (roots, stretchy arrows) and its spans'
// inline sizes and offsets.
import DOMPurify from "dompurify";
import katex from "katex";
import { Marked, type TokenizerAndRendererExtension } from "marked";

function math(display: boolean): TokenizerAndRendererExtension {
  const pattern = display ? /^\$\$([\s\S]+?)\$\$/ : /^\$((?:\\\$|[^$\n])+?)\$/;
  return {
    name: display ? "mathBlock" : "mathInline",
    level: display ? "block" : "inline",
    start: (src: string) => src.indexOf(display ? "$$" : "$"),
    tokenizer(src: string) {
      const match = pattern.exec(src);
      if (match) return { type: display ? "mathBlock" : "mathInline", raw: match[0], text: match[1].trim() };
      return undefined;
    },
    renderer: (token) =>
      katex.renderToString(token.text as string, { displayMode: display, throwOnError: false, output: "htmlAndMathml" }),
  };
}

const marked = new Marked({ extensions: [math(true), math(false)], gfm: true });

// The CSS properties KaTeX writes in style attributes (sizes, offsets, rules, colours).
const KATEX_PROPERTY = /^(height|(min-|max-)?width|vertical-align|top|bottom|left|right|margin(-(top|right|bottom|left))?|padding-(left|right)|border(-(top|right|bottom|left))?-(width|style|color)|color|background-color|text-shadow|position)$/;

/** A style attribute is kept only inside KaTeX's output, and only with KaTeX's own properties. */
function katexStyle(element: Element, style: string): boolean {
  if (!element.closest(".katex")) return false;
  return style.split(";").every((declaration) => {
    if (!declaration.trim()) return true;
    const colon = declaration.indexOf(":");
    const property = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration.slice(colon + 1).trim().toLowerCase();
    if (colon < 0 || !KATEX_PROPERTY.test(property) || /url\(|expression|\\|@/.test(value)) return false;
    return property !== "position" || value === "relative" || value === "absolute";
  });
}

DOMPurify.addHook("uponSanitizeAttribute", (node, data) => {
  if (data.attrName === "style") data.keepAttr = katexStyle(node as Element, data.attrValue);
});

const SANITIZE = {
  USE_PROFILES: { html: true, mathMl: true, svg: true }, // KaTeX draws stretchy arrows, roots... in SVG
  ADD_TAGS: ["semantics", "annotation"], // KaTeX's MathML: the TeX source, for screen readers and copying
  ADD_ATTR: ["encoding"],
  FORBID_TAGS: ["style", "form"], // no restyling the page, no forms posting anywhere
};

export function renderStatement(markdown: string): string {
  const html = DOMPurify.sanitize(marked.parse(markdown, { async: false }) as string, SANITIZE);
  if (DOMPurify.removed.length) {
    // Said to the course's author (the learner sees the statement without them).
    console.warn("Gradlab: removed from the statement as unsafe:", DOMPurify.removed.map((r) =>
      "attribute" in r ? `${r.attribute?.name ?? "?"}="${r.attribute?.value ?? ""}" on <${(r.from as Element).nodeName.toLowerCase()}>`
        : `<${(r.element as Element).nodeName.toLowerCase()}>`));
  }
  return html;
}
