"""Demo data for the embedded mode: a district, two grassroots unions, and an account for each
role. Idempotent: running it again changes nothing.

Later slices add their own demo data here (a cover year whose windows are open today, prices)."""

from __future__ import annotations

from sqlalchemy import select

from common.identity import Identity

DEMO_PASSWORD = "Demo@2026pass"
CENTRE = Identity(user="seed", role="centre", request_id="seed")


def credit_code(body17: str) -> str:
    from services.members.domain.directory import credit_code_check_char

    return body17 + credit_code_check_char(body17)


DEMO_DISTRICT = {"name": "黄浦区总工会", "kind": "district", "special_industry": False}
DEMO_UNIONS = [
    {
        "name": "上海示范科技有限公司工会",
        "credit_code": credit_code("91310101MA1FL0001"),
        "contact_person": "王芳",
        "phone": "13800000001",
    },
    {
        "name": "上海示范物流有限公司工会",
        "credit_code": credit_code("91310101MA1FL0002"),
        "contact_person": "李强",
        "phone": "021-63210002",
    },
]


def seed_directory() -> tuple[int, list[int]]:
    from services.members.adapters.orm import District, GrassrootsUnion
    from services.members.bootstrap import runtime
    from services.members.handlers import directory

    with runtime.uow() as uow:
        district = uow.session.scalar(select(District).where(District.name == DEMO_DISTRICT["name"]))
        district_id = district.id if district else directory.register_district(uow, CENTRE, **DEMO_DISTRICT).id
    union_ids = []
    for data in DEMO_UNIONS:
        with runtime.uow() as uow:
            union = uow.session.scalar(
                select(GrassrootsUnion).where(GrassrootsUnion.credit_code == data["credit_code"])
            )
            union_ids.append(
                union.id if union else directory.register_union(uow, CENTRE, {**data, "district_id": district_id}).id
            )
    return district_id, union_ids


def seed_accounts(district_id: int, union_ids: list[int]) -> list[tuple[str, str]]:
    from gateway.adapters.orm import Account
    from gateway.auth import hash_password, utcnow
    from gateway.bootstrap import runtime

    wanted = [
        ("centre", "市职保中心 演示账号", "centre", None, None),
        ("district", "黄浦区总工会 演示账号", "district", None, district_id),
        ("grassroots1", DEMO_UNIONS[0]["name"], "grassroots", union_ids[0], district_id),
        ("grassroots2", DEMO_UNIONS[1]["name"], "grassroots", union_ids[1], district_id),
    ]
    with runtime.sessions() as session:
        for username, display, role, union_id, district in wanted:
            if session.scalar(select(Account.id).where(Account.username == username)):
                continue
            now = utcnow()
            session.add(
                Account(
                    username=username,
                    display_name=display,
                    password_hash=hash_password(DEMO_PASSWORD),
                    role=role,
                    union_id=union_id,
                    district_id=district,
                    active=True,
                    email=f"{username}@demo.zhibao.example.cn",  # notifications → DATA_DIR/mail
                    created_at=now,
                    password_changed_at=now,
                )
            )
        session.commit()
    return [(w[0], w[1]) for w in wanted]


def seed() -> list[tuple[str, str]]:
    """The directory and accounts, then each service's own demo data (`services/<s>/demo.py`,
    a `seed(district_id, union_ids)` function, idempotent) in the order below."""
    import importlib
    import importlib.util

    district_id, union_ids = seed_directory()
    logins = seed_accounts(district_id, union_ids)
    for service in ("members", "billing", "enrollment", "documents"):
        if importlib.util.find_spec(f"services.{service}.demo") is not None:
            importlib.import_module(f"services.{service}.demo").seed(district_id, union_ids)
    return logins


if __name__ == "__main__":
    for username, display in seed():
        print(f"{username:12s} {DEMO_PASSWORD}  {display}")
