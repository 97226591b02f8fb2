// Problem statements: Markdown (marked) with $inline$ and $$display$$ math rendered by KaTeX.
// Statements are written by the course's instructors, so their HTML is trusted.
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

export function renderStatement(markdown: string): string {
  return marked.parse(markdown, { async: false }) as string;
}
