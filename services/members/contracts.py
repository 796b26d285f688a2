"""What the members service publishes (see docs/events.md): event names and payload builders. It
imports no handler: the wiring of consumed events to handlers is in subscriptions.py."""

from __future__ import annotations

SERVICE = "members"

DISTRICT_REGISTERED = "members.district.registered"
DISTRICT_UPDATED = "members.district.updated"
UNION_REGISTERED = "members.union.registered"
UNION_UPDATED = "members.union.updated"
# 组织注册/组织审核 (docs/decisions/0036): a district approved a union's registration (the gateway
# makes the clerk's inactive account and mails its activation link) or returned it (the applicant
# is to be mailed the reason).
REGISTRATION_APPROVED = "members.registration.approved"
REGISTRATION_RETURNED = "members.registration.returned"
# 工会批量导入 (docs/decisions/0039): many unions at once, one message per UNITS_PER_MESSAGE of them
# (read models upsert them in one statement), and the clerks' wanted accounts, for the gateway only.
UNIONS_REGISTERED = "members.unions.registered"
CLERKS_LOADED = "members.clerks.loaded"
UNITS_PER_MESSAGE = 5_000
# 待确认变更 (docs/decisions/0047): the union accepted or declined a member's own correction of
# their address and mobile; members itself consumes it to text the member (members.texts).
DETAIL_CHANGE_DECIDED = "members.detail_change.decided"
MOBILE_REPLACED = "members.detail_change.mobile_replaced"


def district_data(district) -> dict:
    return {
        "district_id": district.id,
        "name": district.name,
        "kind": district.kind,
        "special_industry": district.special_industry,
        "version": district.version,
    }


def union_data(union) -> dict:
    return {
        "union_id": union.id,
        "name": union.name,
        "credit_code": union.credit_code,
        "district_id": union.district_id,
        "contact_person": union.contact_person,
        "phone": union.phone,
        "version": union.version,
    }


def unions_registered_data(unions: list[dict], job_id: int) -> dict:
    """members.unions.registered (schema 1): `unions`, each as members.union.registered's data
    (union_data), and the upload job that registered them."""
    return {"job_id": job_id, "unions": unions}


def clerks_loaded_data(clerks: list[dict], job_id: int) -> dict:
    """members.clerks.loaded (schema 1): each clerk's wanted account — `role` grassroots (with
    `union_id`) or district, `district_id`, `district_name`, `unit_name`, `username`,
    `clerk_name`, `email`, `set_up_by` (the uploading district's name, None for the centre's
    upload: who the mails name, decision 0040); the gateway makes them inactive with an
    activation link mailed."""
    return {"job_id": job_id, "clerks": clerks}


def registration_approved_data(registration, district_name: str) -> dict:
    """members.registration.approved: the new union and the clerk's wanted account, and the
    district's name (so the clerk's mail can say who approved it)."""
    return {
        "registration_id": registration.id,
        "number": registration.number,
        "union_id": registration.union_id,
        "district_id": registration.district_id,
        "district_name": district_name,
        "union_name": registration.name,
        "username": registration.username,
        "clerk_name": registration.clerk_name,
        "email": registration.clerk_email,
    }


def registration_returned_data(registration) -> dict:
    """members.registration.returned: whom to tell, and why."""
    return {
        "registration_id": registration.id,
        "number": registration.number,
        "district_id": registration.district_id,
        "union_name": registration.name,
        "clerk_name": registration.clerk_name,
        "email": registration.clerk_email,
        "reason": registration.reason,
    }


# the member snapshot (state-carried, same data for every member event)
MEMBER_REGISTERED = "members.member.registered"
MEMBER_APPROVED = "members.member.approved"
MEMBER_REJECTED = "members.member.rejected"
MEMBER_UPDATED = "members.member.updated"
MEMBER_TRANSFERRED_OUT = "members.member.transferred_out"
MEMBER_TRANSFERRED_IN = "members.member.transferred_in"
MEMBER_CARD_ISSUED = "members.member.card_issued"
MEMBER_REMOVED = "members.member.removed"
# Schema of members.member.* (the envelope's `schema_version`, docs/events.md): 2 — one message
# carries the snapshots of many members, `data` = {"members": [snapshot, ...]}, at most
# MEMBERS_PER_EVENT each (an upload or an approval of 1,000 people is one fact, issue 30; 100 a
# message keeps a relay's or a consumer's batch of full messages within its pod's memory,
# docs/decisions/0044); 1 —
# `data` was one member's snapshot, still read by every consumer for one release.
MEMBER_EVENT_VERSION = 2
MEMBERS_PER_EVENT = 100
ROSTER_SYNCED = "members.roster.synced"
# transfer requests (会员转出审核): waiting for the source union, and its decision
TRANSFERS_REQUESTED = "members.transfers.requested"
TRANSFER_DECIDED = "members.transfer.decided"
# A work message, not a fact for others: an accepted upload whose file is stored, for members'
# own worker to run (its queue members.uploads; docs/decisions/0020-durable-bounded-uploads.md).
UPLOAD_ACCEPTED = "members.upload.accepted"


def _iso(value):
    return value.isoformat() if value is not None else None


def member_data(member, district_id: int | None, **extra) -> dict:
    """The member snapshot of docs/events.md. `member` is an ORM object or a row mapping. The ID
    number travels only as members stores it: sealed (`id_sealed`, the very string in its
    table), its blind index (`id_index`, for a consumer's lookups and joins) and masked
    (`id_masked`, for lists) — never in clear, in the outbox or on the broker (issue 14)."""
    get = member.get if isinstance(member, dict) else (lambda k: getattr(member, k))
    recorded = get("card_recorded_at")
    data = {
        "member_id": get("id"),
        "union_id": get("union_id"),
        "district_id": district_id,
        "name": get("name"),
        "id_type": get("id_type"),
        "id_sealed": get("id_sealed"),
        "id_index": get("id_index"),
        "id_masked": get("id_masked"),
        "gender": get("gender"),
        "birth_date": _iso(get("birth_date")),
        "member_no": get("member_no"),
        "status": get("status"),
        "card_number": get("card_number"),
        "card_issued_on": _iso(get("card_issued_on")),
        # stored as naive UTC; published zone-aware
        "card_recorded_at": recorded.isoformat() + "+00:00" if recorded is not None else None,
        "removed": bool(get("removed")),
        "version": get("version"),
    }
    data.update(extra)
    return data


def member_events(changes: list[tuple[str, dict]], per_event: int = MEMBERS_PER_EVENT) -> list[tuple[str, dict]]:
    """Member snapshots `(event type, snapshot)` as version-2 events: one per event type (in the
    order each type first appears) and per `per_event` snapshots, each `{"members": [...]}`."""
    by_type: dict[str, list[dict]] = {}
    for event_type, snapshot in changes:
        by_type.setdefault(event_type, []).append(snapshot)
    return [
        (event_type, {"members": snapshots[i : i + per_event]})
        for event_type, snapshots in by_type.items()
        for i in range(0, len(snapshots), per_event)
    ]


def detail_change_decided_data(change, message: str) -> dict:
    """members.detail_change.decided (schema 1): the change, its member and union, the state
    decided (accepted / declined), the union's reason, and the words of the member's SMS. No
    address and no mobile: only members, which holds them, sends the text."""
    return {
        "change_id": change.id,
        "member_id": change.member_id,
        "union_id": change.union_id,
        "state": change.state,
        "reason": change.reason,
        "message": message,
    }


def mobile_replaced_data(change, message: str) -> dict:
    """members.detail_change.mobile_replaced (schema 1): an accepted change replaced the member's
    mobile; the previous one is texted `message`. No mobile in it: members opens the change's
    sealed old mobile."""
    return {"change_id": change.id, "member_id": change.member_id, "union_id": change.union_id, "message": message}
