import { defineConfig } from "vite";

// The site is built from web/; build/public (engine wheel, suites, Pyodide) is written by
// scripts/build_site.py and copied as-is. base "./" keeps every URL relative, so dist/ works at
// the root of a host or under any sub-path.
export default defineConfig({
  root: "web",
  base: "./",
  publicDir: "../build/public",
  build: {
    outDir: process.env.GRADLAB_OUT ?? "../dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { main: "web/index.html", sw: "web/src/sw.ts" },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js"),
      },
    },
  },
  worker: { format: "es" },
});
