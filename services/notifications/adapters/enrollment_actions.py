"""Who has not acted before a deadline, as enrollment (owner of eligibility, submissions and
batches) says it: `GET /enrollment/cover-years/{year}/not-acted?deadline=…`."""

from __future__ import annotations

import requests

from common import identity
from common.config import service_url

_http = requests.Session()
_http.trust_env = False


def not_acted(cover_year: int, deadline: str, timeout: float = 60) -> list[int]:
    """The union ids (grassroots deadline) or district ids (district deadlines) still to act."""
    return list(_ask(cover_year, deadline, 0, timeout)["ids"])


def not_acted_named(cover_year: int, deadline: str, named: int, timeout: float = 60) -> tuple[list[int], dict]:
    """The ids still to act, and the names of the first `named` of them."""
    answer = _ask(cover_year, deadline, named, timeout)
    return list(answer["ids"]), {n["id"]: n["name"] for n in answer.get("named", [])}


def _ask(cover_year: int, deadline: str, named: int, timeout: float) -> dict:
    token = identity.sign(identity.Identity(user="notifications-reminders", role="centre", request_id="reminders"))
    response = _http.get(
        f"{service_url('enrollment')}/cover-years/{cover_year}/not-acted",
        params={"deadline": deadline, "named": named},
        headers={identity.HEADER: token},
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()
