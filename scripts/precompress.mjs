// Build step: write NAME.br and NAME.gz beside every compressible file in dist/, so a server that
// honours Accept-Encoding (scripts/serve.py, nginx gzip_static/brotli_static, ...) sends them
// as-is. The big ones (Pyodide's wasm, the snapshot) shrink 3-6x.
//   node scripts/precompress.mjs DIST [BROTLI_QUALITY]
// Files over 1 MB get BROTLI_QUALITY (11 by default: about a minute for the three big ones, 10-15%
// smaller than 9); smaller files always get 11, which is quick for them.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const [dist, qualityArg] = process.argv.slice(2);
const bigQuality = Number(qualityArg ?? 11);
const COMPRESSIBLE = /\.(wasm|bin|zip|mjs|js|css|json|html|svg|ttf|txt|md|map)$/;
let before = 0, after = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (COMPRESSIBLE.test(name) && statSync(file).size > 1024) compress(file);
  }
}

function compress(file) {
  const raw = readFileSync(file);
  const br = zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: raw.length > 1e6 ? bigQuality : 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = zlib.gzipSync(raw, { level: 9 });
  writeFileSync(file + ".br", br);
  writeFileSync(file + ".gz", gz);
  before += raw.length;
  after += br.length;
}

walk(dist);
console.log(`precompressed: ${(before / 1e6).toFixed(1)} MB -> ${(after / 1e6).toFixed(1)} MB brotli (q${bigQuality} for big files)`);
