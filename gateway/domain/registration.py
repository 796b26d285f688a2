"""组织注册 at the gateway, with no I/O: how often one address may submit the public form, and
the user name an approved clerk gets when the wanted one was taken meanwhile
(docs/decisions/0036-organisation-registration.md)."""

from __future__ import annotations

from datetime import timedelta

# Every submission counts, refused ones too: a script probing codes or names is slowed as much
# as one creating applications. A real union applies once or twice.
REGISTRATION_WINDOW = timedelta(hours=1)
REGISTRATIONS_PER_ADDRESS = 5


def may_register(submissions_in_window: int) -> bool:
    return submissions_in_window < REGISTRATIONS_PER_ADDRESS


def fallback_username(wanted: str, union_id: int) -> str:
    """The wanted name was taken between the application and its approval (the gateway's check
    at submission and members' pending check leave only that race): the union's id makes it
    unique, within the 64 characters an account's name may have."""
    suffix = f"_{union_id}"
    return wanted[: 64 - len(suffix)] + suffix
