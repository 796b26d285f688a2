"""核验参保凭证 through the gateway (issue 29 item 3): the public page `/verify/<code>` needs no
login, asks documents (a real documents app over HTTP, on its own database), says valid, revoked
or unknown in Chinese with the name masked, is limited per address, and is audited without the
code."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from gateway.adapters.orm import AuditRecord
from gateway.bootstrap import runtime
from gateway.domain import verification as rules
from tests.services.documents import contract as c
from tests.services.documents.conftest import Documents, pdf_text


@pytest.fixture
def documents_over_http(service, monkeypatch):
    monkeypatch.setenv("CLOCK_NOW", "2020-06-01T10:00:00")
    docs = Documents(service("documents"))
    docs.feed(*c.districts(), *c.unions())
    docs.feed(c.covers_recorded(101, c.UNION_A, c.DISTRICT_1, [(501, "张三丰")], "A+"))
    server = make_server("127.0.0.1", 0, docs.svc.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DOCUMENTS_URL", f"http://127.0.0.1:{server.server_port}")
    yield docs
    server.shutdown()


def _code(docs) -> str:
    content = docs.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1).get("/certificates/501/2020/file")
    assert content.status_code == 200
    return re.search(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){6}", pdf_text(content.data)).group(0)


def _audit() -> list[AuditRecord]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == "GET /verify")))


def test_valid_then_revoked_then_unknown_without_login_and_audited(gateway, documents_over_http):
    docs, client = documents_over_http, gateway.test_client()
    code = _code(docs)
    page = client.get(f"/verify/{code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "有效" in text and "张**" in text and "张三丰" not in text
    assert "A+ 类会员专享基本保障" in text and "2020-01-01 至 2020-12-31" in text and "保障中" in text

    docs.feed(c.cover_outcome("failed", 7, c.DISTRICT_1, [101]))
    text = client.get(f"/verify/{code.lower()}").get_data(as_text=True)
    assert "已失效" in text and "有效，" not in text

    for unknown in ("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "../../documents/1", "%3Cscript%3E"):
        answer = client.get(f"/verify/{unknown}")
        assert answer.status_code == 200 and "未查到" in answer.get_data(as_text=True)

    records = _audit()
    assert len(records) == 5 and all(r.username is None and r.status == 200 for r in records)
    assert records[0].subject == f"参保凭证 …{code[-4:]}（保障中）" and records[1].subject.endswith("（已失效）")
    assert all(code not in (r.subject or "") and code.replace("-", "") not in (r.subject or "") for r in records)


def test_an_address_is_limited(gateway, documents_over_http):
    client = gateway.test_client()
    answers = [client.get("/verify/AAAA") for _ in range(rules.VERIFICATIONS_PER_ADDRESS + 1)]
    assert [a.status_code for a in answers[:-1]] == [200] * rules.VERIFICATIONS_PER_ADDRESS
    refused = answers[-1]
    assert refused.status_code == 429 and "核验过于频繁" in refused.get_data(as_text=True)
    assert _audit()[-1].status == 429 and _audit()[-1].reason == "核验过于频繁，请 10 分钟后再试"


def test_clerks_cannot_call_the_verification_through_the_api(gateway, documents_over_http):
    client = gateway.test_client()
    login = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"})
    token = login.get_json()["access_token"]
    refused = client.get(
        "/api/v1/documents/certificates/verification/AAAA", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 403
