"""Bounded fuzzing of the whole API through the gateway, as each role: schemathesis generates
requests — valid and invalid — for every operation of the gateway's aggregated OpenAPI document
and sends each with the bearer token of an account of every role to the real system. Every
answer must be no 5xx, a status the document lists for the operation, of a media type it lists,
and — errors included — a body that matches the documented schema.

Bounded so that it stays a few minutes on two cores: a fixed number of examples per operation
and account, derandomized (the same requests every run), no shrinking, and an overall time limit
past which only the first pass (a few examples of every operation as every account, always run
whole) is guaranteed. The figures are printed (`pytest -s`)."""

from __future__ import annotations

import os
import time
from collections import Counter

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from common.config import SERVICES

# One account of each role, and a second union (scope differs between two of the same role).
ACCOUNTS = {
    "centre": "centre",
    "district": "district",
    "grassroots1": "grassroots",
    "grassroots2": "grassroots",
    "member": "member",  # demo member 1, signed in by a code (个人登录, decision 0041)
}
# Operations that would end the fuzzing session itself; each has its own tests elsewhere
# (tests/e2e/test_gateway.py and the sessions tests):
# - logout ends the very session whose token the fuzzer sends;
# - PATCH /accounts/{id} can disable an account, change its role or reset its password, each of
#   which ends every session of that account (decision 0017) — the fuzzer's accounts are ids 1–4.
# Everything else is fuzzed, session handling included: ending one's other sessions ends none of
# the fuzzer's (one per account), a session id cannot be guessed, and a password change needs the
# current password (a wrong one is a 422, then 429, like a failed login).
# - 代办员变更 disables the union's clerk accounts (grassroots1 and 2 are the fuzzer's), ending their
#   sessions (tests/services/gateway/test_handover.py, tests/e2e/test_clerk_handover.py).
EXCLUDED = {
    ("POST", "/api/v1/auth/logout"),
    ("PATCH", "/api/v1/accounts/{account_id}"),
    ("POST", "/api/v1/unions/{union_id}/clerks/handover"),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FIRST_PASS = 2  # examples of every operation as every account, whatever the time
# A deeper run: FUZZ_EXAMPLES=50 FUZZ_TIME_LIMIT=1800 pytest -s tests/e2e/test_no_server_errors.py
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))  # as every account allowed to call it
EXAMPLES_REFUSED = 2  # as an account whose role the operation refuses (a 403 at the gateway)
TIME_LIMIT = float(os.environ.get("FUZZ_TIME_LIMIT", "240"))  # seconds for the second pass; the first runs whole


HANDLER = {"name": "张三", "phone": "13800138000", "email": "zhangsan@example.com"}


def prepare_season(system) -> None:
    """Things for the ids the fuzzer tries first to name (1, 2: see `_strategies`): on top of the
    demo's roster and 2027 cover year (every window open today), a submission, a batch priced by
    billing with a voucher, both notices, and a refused import with its wrong rows. The voucher's
    file name holds a control and a bidi character, as the one of issue 23 whose every download
    was a 500: the fuzzer downloads it as every role."""
    import io

    import openpyxl

    from tests.season import ok
    from tests.services.billing.files import PNG

    g1, district = system.login("grassroots1"), system.login("district")
    submission = ok(
        g1.post("/api/v1/enrollment/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": [1, 2]}), 201
    )
    ok(district.post(f"/api/v1/enrollment/submissions/{submission['id']}/stage", json={}))
    batch = ok(district.post("/api/v1/enrollment/batches", json={"cover_year": YEAR, "handler": HANDLER}), 201)
    system.wait_for(
        lambda: district.get(f"/api/v1/billing/batches/{batch['id']}").status_code == 200,
        timeout=60,
        message="billing prices the batch",
    )
    ok(
        district.post(
            f"/api/v1/billing/batches/{batch['id']}/voucher",
            data={"amount": "10", "paid_on": "2026-12-07"},
            files={"file": ("凭证\x1a\u202e.png", PNG)},
        ),
        201,
    )
    template = g1.get("/api/v1/members/templates/import.xlsx")
    assert template.status_code == 200, template.text
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    book.worksheets[0].append(["张三", "居民身份证", "310101199001011234"])
    data = io.BytesIO()
    book.save(data)
    refused = g1.post("/api/v1/members/uploads/import", files={"file": ("导入.xlsx", data.getvalue())})
    assert refused.status_code == 422 and refused.json()["error"]["rows"], refused.text
    system.wait_for(
        lambda: len(district.get("/api/v1/documents/documents").json()["items"]) >= 2,
        timeout=60,
        message="the union's and the district's notices",
    )


class Tokens:
    """Each account's bearer token, renewed before its 15 minutes are up (a deeper run lasts longer)."""

    RENEW_AFTER = 600  # seconds

    def __init__(self, system):
        self.system, self.issued = system, {}

    def __getitem__(self, user: str) -> str:
        if user == "member":
            return self._member()
        token, at = self.issued.get(user, (None, 0.0))
        if token is None or time.monotonic() - at > self.RENEW_AFTER:
            token, at = self.system.login(user).http.headers["Authorization"], time.monotonic()
            self.issued[user] = (token, at)
        return token

    def _member(self) -> str:
        """A member signs in once (codes are throttled per ID number and address, and the fuzzer
        asks for codes too); their token is renewed by its refresh token."""
        from services.members.demo import demo_id

        session, at = self.issued.get("member", (None, 0.0))
        if session is None:
            session, at = self.system.member_login(demo_id(1), "13910000001"), time.monotonic()
        elif time.monotonic() - at > self.RENEW_AFTER:
            session.refresh(session.http.headers["Authorization"])
            at = time.monotonic()
        self.issued["member"] = (session, at)
        return session.http.headers["Authorization"]


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in EXCLUDED:
            yield operation


YEAR = 2027  # the demo's cover year
# Path parameters given values that name real things (prepare_season) in half the cases,
# so that requests get past "not found" to the rules and downloads behind it.
KNOWN = {"year": [YEAR], "cover_year": [YEAR]}


def _strategies(operation):
    modes = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    ids = [p.name for p in operation.path_parameters if p.definition.get("schema", {}).get("type") == "integer"]
    if ids:
        for value in (1, 2):
            known = {name: KNOWN.get(name, [value])[0] for name in ids}
            modes.append(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=known))
    return st.one_of(*modes)


def _fuzz(operation, token: str, examples: int, sent: Counter, user: str, failures: list) -> None:
    strategy = _strategies(operation)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case):
        response = case.call(headers={"Authorization": token}, timeout=60)
        sent[user] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        send()
    except Exception as failure:  # noqa: BLE001 - every failure is collected and reported at the end
        failures.append(f"[{user}] {operation.method.upper()} {operation.path}: {str(failure)[:1500]}")


def test_fuzzing_as_each_role_finds_no_server_error_and_no_schema_break(system):
    spec = requests.get(system.base + "/api/v1/openapi.json", timeout=30).json()
    assert "x-unavailable-services" not in spec["info"]
    spec["servers"] = [{"url": system.base}]
    schema = schemathesis.openapi.from_dict(spec)
    schema.config.update(base_url=system.base)
    prepare_season(system)
    tokens = Tokens(system)
    for user in ACCOUNTS:  # every account signed in before the fuzzer asks for codes and fails logins
        tokens[user]
    operations = list(_operations(schema))
    sent, failures, started = Counter(), [], time.monotonic()

    def allowed(operation, role):
        return role in operation.definition.raw.get("x-roles", [role])

    for operation in operations:
        for user, role in ACCOUNTS.items():
            _fuzz(operation, tokens[user], FIRST_PASS, sent, user, failures)
    first_pass = time.monotonic() - started
    cut_short = 0
    for operation in operations:
        for user, role in ACCOUNTS.items():
            if time.monotonic() - started > first_pass + TIME_LIMIT:
                cut_short += 1
                continue
            _fuzz(
                operation,
                tokens[user],
                EXAMPLES if allowed(operation, role) else EXAMPLES_REFUSED,
                sent,
                user,
                failures,
            )
    print(
        f"\nfuzzed {len(operations)} operations ({len(EXCLUDED)} excluded) in {time.monotonic() - started:.0f} s "
        f"(first pass {first_pass:.0f} s); requests by account: {dict(sent)}; "
        f"{cut_short} operation × account runs cut by the time limit; {len(failures)} failures"
    )
    assert len(operations) > 90
    assert not failures, "\n\n".join(failures)


def test_the_document_gives_every_operation_its_answers(system):
    """Every operation documents a 2xx answer with its body (a schema, or the media types of a
    download), and every error status it lists has the one error body."""
    spec = requests.get(system.base + "/api/v1/openapi.json", timeout=30).json()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(spec["components"]["schemas"]["ErrorDetail"]["required"]) == {"code", "message"}
    undocumented, operations = [], 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operations += 1
            responses = operation["responses"]
            ok = [s for s in responses if s.startswith("2")]
            if not ok or any(s != "204" and not responses[s].get("content") for s in ok):
                undocumented.append(f"{method.upper()} {path}: no 2xx body")
            if "default" in responses:
                undocumented.append(f"{method.upper()} {path}: a default answer")
            for status, answer in responses.items():
                if status.startswith(("4", "5")):
                    shared = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
                    assert shared["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert {"401", "403"} <= set(responses), (method, path)
            if path.startswith(tuple(f"/api/v1/{s}/" for s in SERVICES)):
                assert "503" in responses, (method, path)
    assert operations > 90
    assert not undocumented, "\n".join(undocumented)
    assert spec["paths"]["/api/v1/billing/dashboard/{year}"]["get"]["responses"]["200"]["content"]
    assert spec["paths"]["/api/v1/auth/me"]["get"]["responses"]["200"]["content"]
    assert "429" in spec["paths"]["/api/v1/auth/login"]["post"]["responses"]


def test_a_real_error_matches_the_documented_error_body(system):
    """Errors of several kinds, each from a different place (the gateway's policy, webargs, a
    handler's domain error), have the documented body."""
    import jsonschema

    spec = requests.get(system.base + "/api/v1/openapi.json", timeout=30).json()
    resolver_spec = {"components": spec["components"], "$ref": "#/components/schemas/Error"}
    grassroots = system.login("grassroots1")
    answers = [
        grassroots.get("/api/v1/billing/reconciliation"),  # 403: role, at the gateway
        grassroots.get("/api/v1/members/members?page=0"),  # 422: webargs fields
        grassroots.get("/api/v1/members/members/999999"),  # 404: the handler
        requests.get(system.base + "/api/v1/auth/me", timeout=30),
    ]  # 401: no login
    assert [a.status_code for a in answers] == [403, 422, 404, 401]
    for answer in answers:
        jsonschema.validate(answer.json(), resolver_spec)
    assert answers[1].json()["error"]["fields"]["page"]
