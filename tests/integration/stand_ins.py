"""HTTP stand-ins for what the notifications jobs ask other components: enrollment's "who has not
acted" (these unions, before the grassroots deadline) and the gateway's addresses (one clerk per
union). Real HTTP on loopback; used by the jobs' integration test and bench/notifications_reminders."""

from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@contextlib.contextmanager
def enrollment_and_gateway(unions: list[int]):
    """Yields the base URL answering both `…/cover-years/{y}/not-acted` and `/internal/v1/recipients`."""

    class Stand(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path.endswith("/not-acted"):
                ids = unions if query["deadline"] == ["grassroots_end"] else []
                body = {"deadline": query["deadline"][0], "audience": "union", "ids": ids}
            else:
                body = {"union": {u: [f"clerk@u{u}.cn"] for u in query.get("union", [])}}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stand)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
