"""The wheel the site ships to Pyodide: only what runs in the browser, nothing of the instructor's.

``python -m build`` would package all of ``engine`` (authoring, mutation testing, the sandbox, the
CLI). The browser needs the reference engine's package root, the pure grader (``engine.grading``),
the playground (``engine.playground``), the worker's entry point (``engine.browser``) and the
protocol's schema; nothing else is sent to a learner. The zip is written deterministically (fixed
timestamps, sorted entries), so the same sources give the same bytes and the same content hash in
the site's file names.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1]
# Package-relative globs of what runs in Pyodide (checked by tests/test_imports.py: everything
# engine.browser.worker imports is in here, and nothing from authoring, sandbox or cli).
BROWSER_FILES = ("__init__.py", "autograd.py", "grading/*.py", "playground/*.py", "browser/*.py",
                 "schemas/worker.schema.json")
NAME, VERSION = "gradlab_engine", "0.1.0"
_EPOCH = (2026, 1, 1, 0, 0, 0)


def browser_files() -> list[Path]:
    """The package files that go into the browser wheel, sorted."""
    return sorted({p for pattern in BROWSER_FILES for p in ENGINE.glob(pattern)})


def write_browser_wheel(out_dir: Path) -> Path:
    """Write ``gradlab_engine-<version>-py3-none-any.whl`` into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dist_info = f"{NAME}-{VERSION}.dist-info"
    entries = [(f"engine/{p.relative_to(ENGINE).as_posix()}", p.read_bytes())
               for p in browser_files()]
    entries += [
        (f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
                                  "Summary: Gradlab's grader, the part that runs in the browser\n"
                                  .encode()),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: gradlab\nRoot-Is-Purelib: true\n"
                               b"Tag: py3-none-any\n"),
    ]
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in entries]
    entries.append((f"{dist_info}/RECORD", ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n")
                    .encode()))
    path = out_dir / f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as wheel:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    return path


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


__all__ = ["BROWSER_FILES", "browser_files", "write_browser_wheel"]
