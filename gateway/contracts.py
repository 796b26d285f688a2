"""What the gateway publishes (see docs/events.md): its name on the bus and its event names.
Imports no handlers."""

from __future__ import annotations

SERVICE = "gateway"

# A one-time link to set an account's password was made (activation or 找回密码): the
# notifications service mails it to the account's address. docs/events.md.
ACCOUNT_LINK_ISSUED = "gateway.account.link_issued"


def link_issued_data(
    account_id: int, username: str, display_name: str, email: str, purpose: str, token: str, expires_at: str
) -> dict:
    """gateway.account.link_issued: to whom, why, and the link's path (its token in the fragment,
    which a browser never sends to a server or a Referer)."""
    return {
        "account_id": account_id,
        "username": username,
        "display_name": display_name,
        "email": email,
        "purpose": purpose,
        "link": f"/password/set#t={token}",
        "expires_at": expires_at,
    }
