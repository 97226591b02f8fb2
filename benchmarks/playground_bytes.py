"""What the playground adds to a cold visit, gzip (issue #15's budget: at most 60 KB).

A first visit downloads the whole site (the service worker stores it for offline use), so every
playground file counts, the lazily loaded drawing chunk included. Counted, from the built dist/:

- the drawing chunk (renderer, layout, step-through, its CSS): its ``.gz`` files, exactly;
- the Try it section (``web/src/playground.ts``, ``playconsole.ts``, ``playground.css``), bundled
  into the app chunk: each transpiled by TypeScript alone, unminified, and gzipped on its own, so
  an upper bound (the build minifies them and compresses them with the rest of the chunk);
- ``engine/playground/`` in the engine wheel: each entry's compressed size in the zip, exactly.

Not counted: the few lines the playground added to shared modules (the runner's play message,
the worker's play handler, "Open in playground" in results.ts).
"""

from __future__ import annotations

import gzip
import json
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRY_IT = ("playground.ts", "playconsole.ts", "playground.css")

_TRANSPILE = """
const ts = require("typescript"), fs = require("fs");
const out = {};
for (const file of JSON.parse(process.argv[1])) {
  out[file] = ts.transpileModule(fs.readFileSync(file, "utf8"), {compilerOptions: {
    module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true}}).outputText;
}
console.log(JSON.stringify(out));
"""


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def measure(dist: Path) -> dict[str, int]:
    """Bytes per part (gzip), and their sum under "total"."""
    parts: dict[str, int] = {}
    assets = dist / "assets"
    for path in sorted(assets.glob("drawing-*.js")) + sorted(assets.glob("drawing-*.css")):
        packed = path.with_name(path.name + ".gz")
        parts[f"assets/{path.name}"] = packed.stat().st_size if packed.exists() \
            else _gz(path.read_bytes())
    src = ROOT / "web" / "src"
    scripts = [str(src / name) for name in TRY_IT if name.endswith(".ts")]
    js = json.loads(subprocess.run(["node", "-e", _TRANSPILE, json.dumps(scripts)], cwd=ROOT,
                                   capture_output=True, text=True, check=True).stdout)
    for name in TRY_IT:
        text = js[str(src / name)] if name.endswith(".ts") else (src / name).read_text()
        parts[f"web/src/{name}"] = _gz(text.encode())
    [wheel] = sorted((dist / "py").glob("engine-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            if info.filename.startswith("engine/playground/"):
                parts[info.filename] = info.compress_size
    parts["total"] = sum(parts.values())
    return parts


if __name__ == "__main__":
    for part, size in measure(ROOT / "dist").items():
        print(f"{size / 1000:7.1f} KB  {part}")
