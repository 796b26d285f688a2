"""Read models kept from other services' events: districts, unions, members (for eligibility),
rates and settlement credit."""
from __future__ import annotations

from common.bus import PermanentFailure
from common.readmodel import upsert_if_newer
from services.enrollment.adapters.orm import CreditView, DistrictView, MemberView, UnionView
from services.enrollment.handlers.shared import parse_date, parse_datetime


def record_district_when_district_changed(uow, event: dict) -> None:
    """DistrictViewWhenDistrictRegistered/Updated."""
    d = event["data"]
    upsert_if_newer(uow.session, DistrictView, {"district_id": d["district_id"]},
                    {k: d[k] for k in ("name", "kind", "special_industry", "version")})


def record_union_when_union_changed(uow, event: dict) -> None:
    """UnionViewWhenUnionRegistered/Updated (renames, contact changes, moves)."""
    d = event["data"]
    upsert_if_newer(uow.session, UnionView, {"union_id": d["union_id"]},
                    {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")})


def record_member_when_member_changed(uow, event: dict) -> None:
    """MemberViewWhenMemberChanged: every members.member.* snapshot (eligibility read model)."""
    d = event["data"]
    try:
        values = {
            "union_id": d.get("union_id"), "district_id": d.get("district_id"), "name": d["name"],
            "id_type": d["id_type"], "id_number": d["id_number"], "member_no": d.get("member_no"),
            "status": d["status"], "card_number": d.get("card_number"),
            "card_issued_on": parse_date(d.get("card_issued_on")), "card_recorded_at": parse_datetime(d.get("card_recorded_at")),
            "removed": bool(d.get("removed", False)), "version": int(d["version"]),
        }
        member_id = int(d["member_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed member snapshot: {exc!r}") from exc
    upsert_if_newer(uow.session, MemberView, {"member_id": member_id}, values)


def record_credit_when_credit_available(uow, event: dict) -> None:
    """CreditViewWhenCreditAvailable: the district's settlement credit available against a year."""
    d = event["data"]
    try:
        key = {"district_id": int(d["district_id"]), "cover_year": int(d["cover_year"])}
        values = {"available_fen": int(d["available_fen"]), "version": int(d["version"])}
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed credit: {exc!r}") from exc
    upsert_if_newer(uow.session, CreditView, key, values)
