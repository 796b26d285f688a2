"""The embedded mode's portable path: the same import and sync (temporary table, one join,
set-based updates) on SQLite."""
from tests.conftest import ServiceClient
from tests.services.members.roster_helpers import IMPORT_HEADER, add, import_row, rid, setup, upload, wait_job, xlsx


def test_import_and_sync_on_sqlite(tmp_path):
    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    try:
        s = setup(members)
        assert upload(s["g1"], "/uploads/import", xlsx([IMPORT_HEADER, import_row(1), import_row(2)])).status_code == 200
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
