"""What the gateway publishes (see docs/events.md): its name on the bus and its event names.
Imports no handlers."""

from __future__ import annotations

SERVICE = "gateway"

# A one-time link to set an account's password was made (activation or 找回密码): the
# notifications service mails it to the account's address. docs/events.md.
ACCOUNT_LINK_ISSUED = "gateway.account.link_issued"


# Why a link was issued beyond its purpose: `registration_approved` (a district approved the
# union's 组织注册; the mail names the district and the registration). Absent: the centre's.
REGISTRATION_APPROVED = "registration_approved"


def registration_occasion(number: str, union_name: str, district_name: str | None) -> dict:
    """The additive fields of gateway.account.link_issued for an account made on approval."""
    return {
        "occasion": REGISTRATION_APPROVED,
        "registration_no": number,
        "union_name": union_name,
        "district_name": district_name,
    }


# A union's clerk changed (代办员变更): the new clerk's activation mail says whose clerk they now
# are and who named them (docs/decisions/0040-clerk-handover.md).
CLERK_HANDOVER = "clerk_handover"


def handover_occasion(union_name: str | None, named_by: str) -> dict:
    """The additive fields of gateway.account.link_issued for a clerk named by a handover."""
    return {"occasion": CLERK_HANDOVER, "union_name": union_name, "named_by": named_by}


def link_issued_data(
    account_id: int,
    username: str,
    display_name: str,
    email: str,
    purpose: str,
    token: str,
    expires_at: str,
    occasion: dict | None = None,
    set_up_by: str | None = None,
) -> dict:
    """gateway.account.link_issued: to whom, why, and the link's path (its token in the fragment,
    which a browser never sends to a server or a Referer); `occasion` adds the reason's fields;
    `set_up_by` names who set the account up (its district; None: 市职保中心), for every mail."""
    return {
        **(occasion or {}),
        "account_id": account_id,
        "username": username,
        "display_name": display_name,
        "email": email,
        "purpose": purpose,
        "link": f"/password/set#t={token}",
        "expires_at": expires_at,
        "set_up_by": set_up_by,
    }
