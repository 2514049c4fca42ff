"""Optional raster tiles (TILE_URL): an intranet tile server on another port really paints under the wall's map.

Offline is the default (no tile layer at all); a command hall with its own tile server sets TILE_URL, and the
page's Content-Security-Policy must then let images come from that server (and only images).
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.conftest import VIEWPORT
from tests.e2e.server import Jurisdiction, LiveApp, free_port, running_app


def _png(width: int = 256, height: int = 256, rgb: tuple[int, int, int] = (20, 60, 90)) -> bytes:
    """A plain-colour PNG, built by hand so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class _Tiles(BaseHTTPRequestHandler):
    body = _png()
    served: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        _Tiles.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def tiled_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"TILE_URL": f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"}
    try:
        small = Jurisdiction(grids=40, streets=3, communities=6)
        with running_app(tmp_path_factory.mktemp("tiles"), small, env) as live:
            yield live
    finally:
        server.shutdown()


def test_tiles_from_the_configured_server_paint_under_the_map(browser: Any, tiled_app: LiveApp) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        page.goto(f"{tiled_app.base_url}/screen?token={tiled_app.tokens['screen']}")
        page.wait_for_function("() => window.gridcmdLive && window.gridcmdLive.state === 'live'", timeout=30_000)
        # Leaflet marks a tile loaded only after the browser decoded the image: CSP-blocked tiles never are.
        # Read in the same call that finds them: the wall may fit the district again as its layout settles (a new
        # zoom replaces the tiles), so tiles found by one call can be gone by the next.
        handle = page.wait_for_function(
            """() => { const t = document.querySelectorAll('img.leaflet-tile.leaflet-tile-loaded');
                return t.length >= 4 && Array.from(t).map((i) => i.naturalWidth); }""",
            timeout=20_000,
        )
        sizes = handle.json_value()
        assert sizes and set(sizes) == {256}
        assert _Tiles.served and all(p.endswith(".png") for p in _Tiles.served)
        assert not blocked, blocked
    finally:
        context.close()
