"""Serve dist/ like a well-configured static host: COOP/COEP (cross-origin isolation, so Stop can
interrupt Python instead of restarting it), correct MIME types, and caching headers.

    python scripts/serve.py [--port 8000] [--dir dist] [--no-isolation] [--prefix /course/gradlab/]

--no-isolation serves without COOP/COEP, like GitHub Pages; --prefix serves the site under a
sub-path. Used by ./scripts/serve and by the browser tests.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import threading
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parents[1]
MIME = {".wasm": "application/wasm", ".bin": "application/octet-stream", ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip",
        ".css": "text/css", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff",
        ".ttf": "font/ttf", ".md": "text/markdown; charset=utf-8", ".html": "text/html; charset=utf-8"}
# Content-addressed paths never change: cache for a year. Everything else: revalidate.
IMMUTABLE = re.compile(r"^(assets/|py/(engine|snapshot)-|pyodide/\d|problems/[^/]+\.[0-9a-f]{16}\.json)")


class Handler(http.server.SimpleHTTPRequestHandler):
    mounts: ClassVar[dict[str, str]] = {}  # extra URL prefix -> folder (the benchmark's pages)
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}
    isolation = True
    prefix = "/"

    def send_head(self):  # type: ignore[no-untyped-def]
        """Serve NAME.br or NAME.gz, written by the build, when the client accepts it."""
        path = Path(self.translate_path(self.path))
        accepted = self.headers.get("Accept-Encoding", "")
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            packed = path.with_name(path.name + suffix)
            if encoding in accepted and path.is_file() and packed.is_file():
                return self._send_packed(path, packed, encoding)
        return super().send_head()

    def _send_packed(self, path: Path, packed: Path, encoding: str):  # type: ignore[no-untyped-def]
        stat = packed.stat()
        if self.headers.get("If-None-Match") == f'"{stat.st_mtime_ns:x}-{encoding}"':
            self.send_response(304)
            self.end_headers()
            return None
        handle = packed.open("rb")
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("ETag", f'"{stat.st_mtime_ns:x}-{encoding}"')
        self.end_headers()
        return handle

    def translate_path(self, path: str) -> str:
        for mount, folder in self.mounts.items():
            if path.startswith(mount):
                rel = path.split("?", 1)[0][len(mount):]
                return str(Path(folder) / rel)
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_prefix__")
        return super().translate_path("/" + path[len(self.prefix):])

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        """Count every body byte sent: the benchmark's "bytes over the wire"."""
        start = source.tell()
        super().copyfile(source, outputfile)
        with self.server.lock:  # type: ignore[attr-defined]
            sent = source.tell() - start
            self.server.bytes_sent += sent  # type: ignore[attr-defined]
            by_path = self.server.bytes_by_path  # type: ignore[attr-defined]
            by_path[self.path] = by_path.get(self.path, 0) + sent

    def end_headers(self) -> None:
        rel = self.path.split("?", 1)[0][len(self.prefix):]
        if IMMUTABLE.match(rel):
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        if self.isolation:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


def make_server(directory: Path, port: int = 8000, host: str = "127.0.0.1", isolation: bool = True,
                prefix: str = "/", verbose: bool = False,
                mounts: dict[str, str] | None = None) -> http.server.ThreadingHTTPServer:
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler = type("GradlabHandler", (Handler,), {"isolation": isolation, "prefix": prefix,
                                                  "mounts": mounts or {}})
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(directory)))
    server.verbose = verbose  # type: ignore[attr-defined]
    server.bytes_sent = 0  # type: ignore[attr-defined]
    server.bytes_by_path = {}  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    server.daemon_threads = True
    return server


def serve_in_thread(directory: Path, **kwargs: object) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = make_server(directory, port=0, **kwargs)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prefix = kwargs.get("prefix", "/") or "/"
    prefix = "/" + str(prefix).strip("/") + "/" if str(prefix).strip("/") else "/"
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--dir", type=Path, default=ROOT / "dist")
    parser.add_argument("--no-isolation", action="store_true", help="omit COOP/COEP headers")
    parser.add_argument("--prefix", default="/", help="serve the site under this sub-path")
    args = parser.parse_args()
    server = make_server(args.dir, args.port, args.host, not args.no_isolation, args.prefix, True)
    mode = "without cross-origin isolation" if args.no_isolation else "with COOP/COEP"
    print(f"Gradlab at http://{args.host}:{args.port}{args.prefix} ({mode}); Ctrl+C stops",
          flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
