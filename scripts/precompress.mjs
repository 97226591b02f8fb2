// Build step: write NAME.br and NAME.gz beside every compressible file in dist/, so a server that
// honours Accept-Encoding (scripts/serve.py, nginx gzip_static/brotli_static, ...) sends them
// as-is. The big ones (Pyodide's wasm, the snapshot) shrink 3-6x.
//   node scripts/precompress.mjs DIST BROTLI_QUALITY [--release] [--cache DIR]
// BROTLI_QUALITY is for every file; --release gives files under 1 MB quality 11 whatever it is
// (quick for them) and gzip level 9 (else 6). Quality 11 on the big files is slow (minutes for the
// snapshot, 10-15% smaller than 9), which is why only release builds ask for it.
// --cache DIR keeps each output under its input's hash: Pyodide's files are the same in every build,
// so only what changed (the snapshot, the bundle, the suites) is compressed again.
// Files are compressed in parallel (zlib's thread pool), biggest first. Prints `total N`, then
// `done I/N PATH` per file, for build_site.py's progress line, then a summary.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, unlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
};
const release = args.includes("--release");
if (release) args.splice(args.indexOf("--release"), 1);
const cache = flag("--cache");
const [dist, qualityArg] = args;
const quality = Number(qualityArg ?? 11);
const gzipLevel = release ? 9 : 6;
const COMPRESSIBLE = /\.(wasm|bin|zip|mjs|js|css|json|html|svg|ttf|txt|md|map)$/;
const CACHE_DAYS = 14; // cached outputs unused for this long are deleted
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function walk(dir, files = []) {
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) walk(file, files);
    else if (COMPRESSIBLE.test(name) && statSync(file).size > 1024) files.push(file);
  }
  return files;
}

/** `make()`'s output, from the cache when this exact input was compressed this way before. */
async function cached(raw, how, make) {
  if (!cache) return make();
  const file = path.join(cache, `${createHash("sha256").update(raw).digest("hex").slice(0, 32)}-${how}`);
  if (existsSync(file)) {
    const now = new Date();
    utimesSync(file, now, now); // used: kept by the pruning below
    return readFileSync(file);
  }
  const out = await make();
  writeFileSync(file, out);
  return out;
}

let before = 0, after = 0, hits = 0;

async function compress(file) {
  const raw = readFileSync(file);
  const q = release && raw.length <= 1e6 ? 11 : quality;
  const params = {
    [zlib.constants.BROTLI_PARAM_QUALITY]: q,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
  };
  const misses = [];
  const br = await cached(raw, `q${q}.br`, () => (misses.push(1), brotli(raw, { params })));
  const gz = await cached(raw, `l${gzipLevel}.gz`, () => (misses.push(1), gzip(raw, { level: gzipLevel })));
  if (!misses.length) hits++;
  writeFileSync(file + ".br", br);
  writeFileSync(file + ".gz", gz);
  before += raw.length;
  after += br.length;
}

function prune() {
  const old = Date.now() - CACHE_DAYS * 86400e3;
  for (const name of readdirSync(cache)) {
    const file = path.join(cache, name);
    if (statSync(file).mtimeMs < old) unlinkSync(file);
  }
}

if (cache) mkdirSync(cache, { recursive: true });
const files = walk(dist).sort((a, b) => statSync(b).size - statSync(a).size);
console.log(`total ${files.length}`);
let next = 0, done = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    await compress(file);
    console.log(`done ${++done}/${files.length} ${path.relative(dist, file)}`);
  }
}
const parallel = Math.max(1, Math.min(os.availableParallelism?.() ?? os.cpus().length, 4));
await Promise.all(Array.from({ length: parallel }, worker));
if (cache) prune();
console.log(`precompressed ${files.length} files: ${(before / 1e6).toFixed(1)} MB -> ${(after / 1e6).toFixed(1)} MB brotli ` +
  `(quality ${quality}${release ? ", 11 under 1 MB" : ""}; ${hits} from the cache)`);
