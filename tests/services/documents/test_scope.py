"""Who may download what (SPEC §1): another union's or district's document answers exactly like a
missing one; roles outside a document's audience are refused."""

import pytest

from tests.services.documents import contract as c


@pytest.fixture
def stocked(documents):
    documents.feed(
        c.cover_year(),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
        c.submission(103, c.UNION_B, c.DISTRICT_1, "A", 4, 4, 1),
        c.priced(103, c.UNION_B, c.DISTRICT_1, "A", 4),
        c.submission(201, c.UNION_OTHER, c.DISTRICT_2, "A", 2, 2, 1),
        c.priced(201, c.UNION_OTHER, c.DISTRICT_2, "A", 2),
        c.batch_submitted(7, c.DISTRICT_1, [(101, c.UNION_A, "B", 3), (103, c.UNION_B, "A", 4)]),
        c.batch_priced(7, c.DISTRICT_1, {"B": 3, "A": 4}, 0),
        c.batch_submitted(8, c.DISTRICT_2, [(201, c.UNION_OTHER, "A", 2)], batch_no="CB201912290001"),
        c.batch_priced(8, c.DISTRICT_2, {"A": 2}, 0, batch_no="CB201912290001"),
    )
    ids = {}
    for item in documents.as_("centre").get("/documents?per_page=50").get_json()["items"]:
        ids[(item["kind"], item["union_id"] or item["district_id"])] = item["id"]
    return documents, ids


def callers(documents):
    return {
        "grassroots A": documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1),
        "district 1": documents.as_("district", district_id=c.DISTRICT_1),
        "district 2": documents.as_("district", district_id=c.DISTRICT_2),
        "centre": documents.as_("centre"),
    }


# (caller, document) -> may download?
SCOPE = [
    ("grassroots A", ("grassroots_notice", c.UNION_A), True),
    ("grassroots A", ("grassroots_notice", c.UNION_B), False),
    ("grassroots A", ("grassroots_notice", c.UNION_OTHER), False),
    ("grassroots A", ("district_notice", c.DISTRICT_1), False),
    ("district 1", ("grassroots_notice", c.UNION_A), True),
    ("district 1", ("grassroots_notice", c.UNION_B), True),
    ("district 1", ("grassroots_notice", c.UNION_OTHER), False),
    ("district 1", ("district_notice", c.DISTRICT_1), True),
    ("district 1", ("district_notice", c.DISTRICT_2), False),
    ("district 2", ("district_notice", c.DISTRICT_1), False),
    ("district 2", ("grassroots_notice", c.UNION_OTHER), True),
    ("centre", ("grassroots_notice", c.UNION_OTHER), True),
    ("centre", ("district_notice", c.DISTRICT_2), True),
]


@pytest.mark.parametrize("caller, document, allowed", SCOPE)
def test_scope_table_by_document_id(stocked, caller, document, allowed):
    documents, ids = stocked
    client = callers(documents)[caller]
    missing = client.get("/documents/999999/file")
    for path in (f"/documents/{ids[document]}/file", f"/documents/{ids[document]}"):
        response = client.get(path)
        if allowed:
            assert response.status_code == 200, (caller, document, path)
        else:
            assert response.status_code == 404 and response.get_json() == missing.get_json(), (caller, document, path)


@pytest.mark.parametrize(
    "caller, path, allowed",
    [
        ("grassroots A", f"/grassroots-notices/{c.UNION_A}/2020/file", True),
        ("grassroots A", f"/grassroots-notices/{c.UNION_B}/2020/file", False),
        ("district 1", f"/grassroots-notices/{c.UNION_B}/2020/file", True),
        ("district 2", f"/grassroots-notices/{c.UNION_B}/2020/file", False),
        ("district 1", "/district-notices/7/file", True),
        ("district 2", "/district-notices/7/file", False),
        ("centre", "/district-notices/8/file", True),
    ],
)
def test_scope_table_by_natural_key(stocked, caller, path, allowed):
    documents, _ = stocked
    client = callers(documents)[caller]
    response = client.get(path)
    missing = client.get(path.replace("/2020/", "/1999/") if "grassroots" in path else "/district-notices/999/file")
    if allowed:
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    else:
        assert response.status_code == missing.status_code == 404 and response.get_json() == missing.get_json()


def test_grassroots_may_not_ask_for_district_notices_at_all(stocked):
    documents, _ = stocked
    response = callers(documents)["grassroots A"].get("/district-notices/7/file")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "FORBIDDEN"


def test_lists_show_only_what_is_in_scope(stocked):
    documents, _ = stocked
    seen = {}
    for name, client in callers(documents).items():
        items = client.get("/documents").get_json()["items"]
        seen[name] = sorted((i["kind"], i["union_id"] or i["district_id"]) for i in items)
    assert seen["grassroots A"] == [("grassroots_notice", c.UNION_A)]
    assert seen["district 1"] == [
        ("district_notice", c.DISTRICT_1),
        ("grassroots_notice", c.UNION_A),
        ("grassroots_notice", c.UNION_B),
    ]
    assert seen["district 2"] == [("district_notice", c.DISTRICT_2), ("grassroots_notice", c.UNION_OTHER)]
    assert len(seen["centre"]) == 5
    only_b = callers(documents)["district 1"].get(f"/documents?kind=grassroots_notice&union_id={c.UNION_B}").get_json()
    assert [i["union_id"] for i in only_b["items"]] == [c.UNION_B]


def test_bad_query_parameters_get_field_messages(stocked):
    documents, _ = stocked
    client = callers(documents)["centre"]
    bad_kind = client.get("/documents?kind=invoice")
    assert bad_kind.status_code == 422 and "kind" in bad_kind.get_json()["error"]["fields"]
    bad_version = client.get(f"/grassroots-notices/{c.UNION_A}/2020/file?version=0")
    assert bad_version.status_code == 422 and "version" in bad_version.get_json()["error"]["fields"]
    no_identity = documents.svc.client.get("/documents")
    assert no_identity.status_code == 401


def test_listed_items_link_their_file_under_the_gateway_and_show_shanghai_time(stocked):
    documents, _ = stocked
    item = callers(documents)["grassroots A"].get("/documents").get_json()["items"][0]
    assert item["download"] == f"/documents/documents/{item['id']}/file"  # page links /api/v1 + download
    assert item["created_at"].endswith("+08:00")
    assert callers(documents)["grassroots A"].get(item["download"].removeprefix("/documents")).status_code == 200
