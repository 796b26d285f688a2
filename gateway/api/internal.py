"""For the services only, never for people: `GET /internal/v1/recipients`. The caller shows a
signed internal identity (the key the gateway signs with for them); nothing else is accepted."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from common import identity as internal
from common.web import uow
from gateway.handlers import recipients

bp = Blueprint("internal", __name__, url_prefix="/internal/v1")
PREFIX = "/internal/"
MAX_IDS = 1000


@bp.get("/recipients")
def _recipients():
    """?union=1&union=2&district=3&centre=0 → {"union": {"1": ["a@x"], …}, …}."""
    caller = internal.verify(request.headers.get(internal.HEADER))
    scopes = {}
    for audience in ("union", "district", "centre"):
        values = request.args.getlist(audience, type=int)[:MAX_IDS]
        if values:
            scopes[audience] = values
    with uow() as work:
        found = recipients.recipients(work, caller, scopes)
    return jsonify({aud: {str(k): v for k, v in ids.items()} for aud, ids in found.items()})
