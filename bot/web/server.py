"""A small static server for the chat widget: the demo page, the widget's own
script and stylesheet, and socket.io-client as npm installed it (no CDN).

The demo page is the only templated file: it carries the Rasa server's URL for
the widget and a Content-Security-Policy that lets scripts come from this
origin only and lets the page talk to this origin and the Rasa server only."""

from __future__ import annotations

import argparse
import html
import logging
import re
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional, Tuple
from urllib.parse import unquote, urlsplit

WEB = Path(__file__).resolve().parent
STATIC = WEB / "static"
VENDOR = WEB / "node_modules" / "socket.io-client" / "dist"
# The two vendor files the widget may ask for; nothing else of node_modules is served.
VENDOR_FILES = {"/vendor/socket.io.min.js": "socket.io.min.js", "/vendor/socket.io.min.js.map": "socket.io.min.js.map"}
DEMO_PAGE = "index.html"
URL_MARK = "{{RASA_URL}}"
INSTALL_HINT = "socket.io-client is not installed for the chat widget: run `npm ci --prefix bot/web`"

# A static file's name: one path segment, no hidden files, so no way out of STATIC.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}

log = logging.getLogger(__name__)


class WidgetNotInstalled(RuntimeError):
    """node_modules is missing: the setup step (`npm ci --prefix bot/web`) has not run."""


def check_installed() -> None:
    if not (VENDOR / "socket.io.min.js").is_file():
        raise WidgetNotInstalled(f"{INSTALL_HINT} (missing {VENDOR / 'socket.io.min.js'})")


def normalise_rasa_url(url: str) -> str:
    """The widget and the CSP need a bare http(s) origin, optionally with a path prefix."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"The Rasa URL must look like http://host:port, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def content_security_policy(rasa_url: str) -> str:
    """Scripts from here only (no inline code); network to here and to Rasa (XHR polling and WebSocket)."""
    parts = urlsplit(rasa_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {origin} {ws_origin}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def render_demo_page(rasa_url: str) -> bytes:
    page = (STATIC / DEMO_PAGE).read_text(encoding="utf-8")
    return page.replace(URL_MARK, html.escape(rasa_url, quote=True)).encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of a fixed set of files; everything else is 404 (or 501 for other methods)."""

    server: WidgetServer

    def version_string(self) -> str:
        return "crmo-widget"  # not the Python version

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        found = self._resolve(unquote(urlsplit(self.path).path))
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", {}, with_body)
            return
        body, content_type, headers = found
        self._send(HTTPStatus.OK, body, content_type, headers, with_body)

    def _resolve(self, path: str) -> Optional[Tuple[bytes, str, dict]]:
        rasa_url = self.server.rasa_url
        if path in ("/", f"/{DEMO_PAGE}"):
            headers = {"Content-Security-Policy": content_security_policy(rasa_url), "Referrer-Policy": "no-referrer"}
            return render_demo_page(rasa_url), CONTENT_TYPES[".html"], headers
        if path in VENDOR_FILES:
            file = VENDOR / VENDOR_FILES[path]
        else:
            name = path[1:]
            if not SAFE_NAME.match(name):
                return None
            file = STATIC / name
        if not file.is_file():
            return None
        return file.read_bytes(), CONTENT_TYPES.get(file.suffix, "application/octet-stream"), {}

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict, with_body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        """Requests go to the debug log, not to stderr: the run command's terminal stays readable."""
        log.debug("%s %s", self.address_string(), format % args)


class WidgetServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: Tuple[str, int], rasa_url: str) -> None:
        self.rasa_url = rasa_url
        super().__init__(address, Handler)


@dataclass
class RunningServer:
    """The static server running in a daemon thread."""

    httpd: WidgetServer
    thread: threading.Thread
    url: str
    rasa_url: str

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def start(port: int, rasa_url: str, host: str = "127.0.0.1") -> RunningServer:
    """Serves the demo page and the widget on host:port (port 0: any free port) until .stop()."""
    check_installed()
    rasa_url = normalise_rasa_url(rasa_url)
    httpd = WidgetServer((host, port), rasa_url)
    bound_host, bound_port = httpd.server_address[:2]
    host_text = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
    shown_host = f"[{host_text}]" if ":" in host_text else host_text
    thread = threading.Thread(target=httpd.serve_forever, name="crmo-widget-server", daemon=True)
    thread.start()
    return RunningServer(httpd, thread, f"http://{shown_host}:{bound_port}", rasa_url)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.web.server", description="Serve the chat widget and its demo page."
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005", help="where the browser reaches Rasa")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    try:
        server = start(args.port, args.rasa_url, args.host)
    except (WidgetNotInstalled, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Chat widget demo page: {server.url}/ (the widget talks to {server.rasa_url})", flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
