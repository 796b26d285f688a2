"""No existence oracle in billing: every id a request names (body or path) answers the same
status, code and message when it is outside the caller's scope as when it does not exist."""

import io
import json

import pytest

from tests.services.billing.conftest import AVIATION, U_AV, YEAR, at, set_splits
from tests.services.billing.files import PNG

MISSING = 987654


def same_answer(send, foreign: int, missing: int = MISSING):
    a, b = send(foreign), send(missing)
    assert a.status_code == b.status_code and a.status_code >= 400, (a.get_json(), b.get_json())
    text_a = json.dumps(a.get_json(), ensure_ascii=False, sort_keys=True).replace(str(foreign), "<id>")
    text_b = json.dumps(b.get_json(), ensure_ascii=False, sort_keys=True).replace(str(missing), "<id>")
    assert text_a == text_b


@pytest.fixture
def world(billing):
    set_splits(billing)
    s = billing.submit(U_AV, AVIATION, "A+", {"centralised": 4})
    batch = billing.batch(AVIATION, [(s, U_AV, "A+", {"centralised": 4})])
    at("2020-01-10T10:00:00")
    return {"aviation_batch": batch, "aviation_union": U_AV}


def voucher(client):
    return lambda i: client.post(
        f"/batches/{i}/voucher",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(PNG), "v.png"), "amount": "100", "paid_on": "2020-01-09"},
    )


SHARES = {"types": {"A+": {"district_share": "43", "grassroots_share": "20"}}}
ROWS = [
    ("district uploads a voucher for another district's batch", lambda b: voucher(b.huangpu), "aviation_batch"),
    ("district reads another district's batch", lambda b: lambda i: b.huangpu.get(f"/batches/{i}"), "aviation_batch"),
    (
        "district reads another district's feedback",
        lambda b: lambda i: b.huangpu.get(f"/batches/{i}/feedback"),
        "aviation_batch",
    ),
    (
        "district reads another district's voucher",
        lambda b: lambda i: b.huangpu.get(f"/batches/{i}/voucher"),
        "aviation_batch",
    ),
    (
        "district sets a split for another district's union",
        lambda b: lambda i: b.huangpu.put(f"/splits/{YEAR}/unions/{i}", json=SHARES),
        "aviation_union",
    ),
    (
        "district reads rates for another district's union",
        lambda b: lambda i: b.huangpu.get(f"/rates/{YEAR}?union_id={i}"),
        "aviation_union",
    ),
]


@pytest.mark.parametrize("what, request_for, whose", ROWS, ids=[r[0] for r in ROWS])
def test_a_foreign_id_answers_like_a_missing_one(billing, world, what, request_for, whose):
    if "split" in what:
        at("2019-10-28T10:00:00")  # inside the split window, so only the id can make a difference
    same_answer(request_for(billing), world[whose])


def test_a_credit_names_any_district_for_the_centre_only(billing):
    """The centre's scope is every district, so "该区局（产业）工会不存在" tells it nothing new;
    a district cannot ask at all."""
    body = {"district_id": MISSING, "source_year": 2019, "designated_year": 2020, "amount": "10"}
    refused = billing.centre.post("/credits", json=body)
    assert refused.status_code == 422 and "district_id" in refused.json["error"]["fields"]
    assert billing.huangpu.post("/credits", json={**body, "district_id": AVIATION}).status_code == 403
    assert billing.huangpu.post("/credits", json=body).status_code == 403
