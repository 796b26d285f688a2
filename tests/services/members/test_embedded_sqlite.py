"""The embedded mode's portable path: the same import and sync (temporary table, one join,
set-based updates) on SQLite."""

from tests.conftest import ServiceClient
from tests.services.members.roster_helpers import IMPORT_HEADER, add, import_row, rid, setup, upload, wait_job, xlsx


def test_import_and_sync_on_sqlite(tmp_path):
    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    try:
        s = setup(members)
        assert (
            upload(s["g1"], "/uploads/import", xlsx([IMPORT_HEADER, import_row(1), import_row(2)])).status_code == 200
        )
        add(s["g2"], 3)
        free = add(s["g2"], 4)
        s["g2"].post("/members/transfer-out", json={"member_ids": [free["id"]], "reason": "离职"})
        rows = [["姓名", "证件号码"], ["导入1", rid(1)], ["会员3", rid(3)], ["会员4", rid(4)]]
        job = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(rows)).get_json()["id"])
        assert job["state"] == "succeeded", job
        assert job["counts"] == {"A": 1, "B": 1, "C": 1, "D": 1, "E": 0}
        assert s["g1"].get("/members?synced=true").get_json()["total"] == 2
        assert s["g2"].get("/transfer-requests").get_json()["total"] == 1
        assert s["g1"].get(f"/uploads/{job['id']}/result.xlsx").status_code == 200
    finally:
        members.close()


def test_a_sync_whose_every_row_is_wrong_answers_the_rows_on_sqlite(tmp_path):
    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    try:
        s = setup(members)
        rows = [["姓名", "证件号码"], ["", rid(1)], ["", rid(2)]]  # no row left for the comparison to look up
        job = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(rows)).get_json()["id"])
        assert job["state"] == "failed" and {e["row"] for e in job["errors"]} == {2, 3}, job
    finally:
        members.close()


def test_errors_found_by_the_join_are_masked_in_sql_as_in_python_on_sqlite(tmp_path):
    from services.members.domain.idcard import mask_id

    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    try:
        s = setup(members)
        add(s["g1"], 1)
        rows = [
            ["姓名", "证件号码"],
            ["会员1", rid(1)],
            ["无此人", rid(7)],
            ["短号", "H123456"],
            ["改名", rid(1)[:0] + rid(1)],
        ]
        job = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(rows)).get_json()["id"])
        by_row = {e["row"]: e for e in job["errors"]}
        assert by_row[3]["id_number"] == by_row[3]["value"] == mask_id(rid(7))
        assert by_row[4]["id_number"] == mask_id("H123456") and by_row[5]["message"].startswith("证件号码与第 2 行重复")
    finally:
        members.close()
