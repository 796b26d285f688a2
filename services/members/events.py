"""Integration events the members service publishes and consumes (see docs/events.md)."""
from __future__ import annotations

DISTRICT_REGISTERED = "members.district.registered"
DISTRICT_UPDATED = "members.district.updated"
UNION_REGISTERED = "members.union.registered"
UNION_UPDATED = "members.union.updated"


def district_data(district) -> dict:
    return {"district_id": district.id, "name": district.name, "kind": district.kind,
            "special_industry": district.special_industry, "version": district.version}


def union_data(union) -> dict:
    return {"union_id": union.id, "name": union.name, "credit_code": union.credit_code,
            "district_id": union.district_id, "contact_person": union.contact_person,
            "phone": union.phone, "version": union.version}
