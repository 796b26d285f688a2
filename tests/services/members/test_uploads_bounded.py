"""Issue 17 item 3 on PostgreSQL: no answer about an upload grows with the file. A job's status
carries its counts and at most the first 100 errors, with links to page on and to download them
all; the history carries no rows; the total rows are known from the start (0 / N)."""

import io
import json

import openpyxl

from services.members.domain.idcard import mask_id
from tests.services.members.roster_helpers import IMPORT_HEADER, add, import_row, rid, setup, upload, wait_job, xlsx

LIMIT = 256 * 1024


def test_a_refused_import_answers_the_first_100_errors_and_links_to_all(service):
    members = service("members")
    s = setup(members)
    rows = [IMPORT_HEADER] + [
        import_row(n, 学历="幼儿园", 户籍类型="外星", 移动电话="1", 联系地址="") for n in range(1, 1000)
    ]
    response = upload(s["g1"], "/uploads/import", xlsx(rows))
    assert response.status_code == 422 and len(response.data) < LIMIT
    body = response.get_json()["error"]
    assert body["code"] == "ROWS_INVALID" and body["error_count"] == 3996 and len(body["rows"]) == 100
    assert [r["row"] for r in body["rows"]][:8] == [2, 2, 2, 2, 3, 3, 3, 3]
    job = body["job_id"]
    page = s["g1"].get(f"{body['errors_path']}?page=40&per_page=100").get_json()
    assert page["total"] == 3996 and len(page["items"]) == 96 and page["items"][-1]["row"] == 1000
    assert s["g1"].get(f"{body['errors_path']}?page=41").get_json()["items"] == []
    assert s["g1"].get(f"{body['errors_path']}?per_page=101").status_code == 422
    book = openpyxl.load_workbook(io.BytesIO(s["g1"].get(body["errors_download_path"]).data))
    sheet = book["错误信息"]
    assert sheet.max_row == 3997 and [c.value for c in sheet[1]][:4] == [
        "错误行号",
        "错误列",
        "单元格内容",
        "错误信息（请按此修改）",
    ]
    status = s["g1"].get(f"/uploads/{job}")
    assert len(status.data) < LIMIT and status.get_json()["error_count"] == 3996
    assert len(status.get_json()["errors"]) == 100 and status.get_json()["total"] == 999
    assert s["g2"].get(f"/uploads/{job}/errors").status_code == 404  # another union sees nothing
    assert s["g2"].get(f"/uploads/{job}/errors.xlsx").status_code == 404


def test_a_refused_big_sync_stays_light_and_the_history_has_no_rows(service, monkeypatch):
    monkeypatch.setenv("ID_LOOKUP_FLOOR", "1000000")  # 20,000 unknown rows for a union of one: past the daily quota
    members = service("members")
    s = setup(members)
    add(s["g1"], 1)
    n = 20_000
    rows = [["姓名", "证件号码"]] + [
        [f"无此人{i}", rid(i % 1000, birth=f"19{50 + i // 1000:02d}0101")] for i in range(2, n + 2)
    ]
    started = upload(s["g1"], "/uploads/sync", xlsx(rows))
    assert started.status_code == 202
    assert started.get_json()["total"] == n and started.get_json()["done"] == 0  # N known before any work
    job = wait_job(s["g1"], started.get_json()["id"])
    assert job["state"] == "failed" and job["counts"]["E"] == n and job["error_count"] == n
    assert job["done"] == job["total"] == n  # the refused file was read to its end
    status = s["g1"].get(f"/uploads/{job['id']}")
    assert len(status.data) < LIMIT and len(status.get_json()["errors"]) == 100
    assert all("*" in e["id_number"] for e in status.get_json()["errors"])
    for who in ("g1", "dist1", "centre"):
        history = s[who].get("/uploads")
        assert history.status_code == 200 and len(history.data) < 4096, who
        item = history.get_json()["items"][0]
        assert "errors" not in item and "result" not in item and item["error_count"] == n
        assert item["errors_download_path"] == f"/uploads/{job['id']}/errors.xlsx"
    assert rid(2, birth="19500101") not in json.dumps(status.get_json())
    assert status.get_json()["errors"][0]["id_number"] == mask_id(rid(2, birth="19500101"))


def test_errors_found_by_the_join_are_masked_in_sql_as_in_python(service):
    members = service("members")
    s = setup(members)
    add(s["g1"], 1)
    rows = [
        ["姓名", "证件号码"],
        ["会员1", rid(1)],
        ["无此人", rid(7)],
        ["短号", "H123456"],
        ["别名", rid(1, birth="19900102")],
    ]
    add(s["g2"], 1, name="原名", id_number=rid(1, birth="19900102"))
    job = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(rows)).get_json()["id"])
    by_row = {e["row"]: e for e in job["errors"]}
    assert by_row[3]["id_number"] == by_row[3]["value"] == mask_id(rid(7)) and by_row[3]["name"] == "无此人"
    assert by_row[4]["id_number"] == mask_id("H123456")
    assert by_row[5]["column"] == "姓名" and by_row[5]["value"] == "别名"
    assert [e["row"] for e in job["errors"]] == [3, 4, 5] and job["counts"]["E"] == 3
