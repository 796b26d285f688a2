"""The bare Flask hop that bench.members_list prints its lines beside (decision 0048): what
Flask and gunicorn themselves cost, with none of our own work.

- `app()`: a minimal Flask app answering one JSON document (BARE_ANSWER, a file: the bench
  writes a real member-list page there) at every path, encoded by Flask's own `jsonify` each time.
- `gateway()`: a minimal Flask app forwarding every GET to BARE_UPSTREAM over a pooled
  keep-alive connection (urllib3) and answering its body: one hop of a proxy, nothing else.

Both run under gunicorn with deploy/gunicorn.conf.py, exactly as the real processes do:

    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:PORT 'bench.bare_flask:app()'
"""

from __future__ import annotations

import json
import os

from flask import Flask, Response, jsonify, request


def app() -> Flask:
    with open(os.environ["BARE_ANSWER"], encoding="utf-8") as f:
        answer = json.load(f)
    bare = Flask("bare")

    @bare.get("/", defaults={"path": ""})
    @bare.get("/<path:path>")
    def _answer(path: str) -> Response:
        return jsonify(answer)

    return bare


def gateway() -> Flask:
    import urllib3

    upstream = os.environ["BARE_UPSTREAM"].rstrip("/")
    pool = urllib3.PoolManager(maxsize=32)
    bare = Flask("bare-gateway")

    @bare.get("/", defaults={"path": ""})
    @bare.get("/<path:path>")
    def _forward(path: str) -> Response:
        query = request.query_string.decode()
        answer = pool.request("GET", f"{upstream}/{path}" + (f"?{query}" if query else ""))
        return Response(answer.data, status=answer.status, content_type=answer.headers.get("Content-Type"))

    return bare
