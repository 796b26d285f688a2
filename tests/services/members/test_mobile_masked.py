"""The member list's masked mobile is a stored copy (docs/decisions/0038-masked-mobile-copy.md):
written with the mobile by every way one is written — 新增, 编辑, 批量导入 (new rows and the
union's own) — and read by the list, which opens no sealed mobile (a page is listed even when
every seal is unreadable)."""

from __future__ import annotations

from sqlalchemy import text

from common import crypto
from common.pii import mask_mobile
from tests.services.members.roster_helpers import IMPORT_HEADER, add, import_row, setup, upload, xlsx


def stored(members) -> dict[str, tuple[str | None, str | None]]:
    """{name: (the opened mobile, its stored masked copy)}"""
    with members.runtime.engine.connect() as conn:
        rows = conn.execute(text("SELECT name, mobile_sealed, mobile_masked FROM members")).all()
    return {r.name: (crypto.open_sealed("mobile", r.mobile_sealed), r.mobile_masked) for r in rows}


def test_every_write_of_a_mobile_writes_its_masked_copy_and_the_list_reads_it(service):
    members = service("members")
    s = setup(members)
    g1 = s["g1"]
    first = add(g1, 1)
    add(g1, 2)
    assert g1.patch(f"/members/{first['id']}", json={"mobile": "13900001111"}).status_code == 200
    imported = upload(g1, "/uploads/import", xlsx([IMPORT_HEADER, import_row(3), import_row(4)]))
    assert imported.status_code == 200, imported.get_json()
    again = upload(g1, "/uploads/import", xlsx([IMPORT_HEADER, import_row(4, 移动电话="13700004444")]))
    assert again.status_code == 200, again.get_json()  # the union's own member, its details updated

    copies = stored(members)
    assert len(copies) == 4
    assert copies["会员1"] == ("13900001111", "139****1111")
    assert copies["导入4"] == ("13700004444", "137****4444")
    assert all(masked == mask_mobile(mobile) for mobile, masked in copies.values())

    # the list shows the stored copy: with every seal made unreadable it still answers, masked
    with members.runtime.engine.begin() as conn:
        conn.execute(text("UPDATE members SET mobile_sealed = 'e1:not-a-seal'"))
    for client in (g1, s["dist1"], s["centre"]):
        listed = client.get("/members?per_page=50")
        assert listed.status_code == 200, listed.get_json()
        mobiles = {m["name"]: m["mobile"] for m in listed.get_json()["items"]}
        assert mobiles == {name: masked for name, (_mobile, masked) in copies.items()}
