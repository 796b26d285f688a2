"""Account rules with no I/O: roles and their scope, passwords, login throttling."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

ROLE_NAMES = {"grassroots": "基层工会", "district": "区局（产业）工会", "centre": "市职保中心"}
MIN_PASSWORD_LENGTH = 10

# Throttling: an account is locked after too many failures in the window; an address is never
# locked (a whole office may sit behind one), it is slowed: past a few free failures, each attempt
# from it waits a delay that doubles with every failure, up to a minute (issue 23).
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
FREE_FAILURES_PER_ADDRESS = 10
MAX_ADDRESS_DELAY = timedelta(seconds=60)


def scope_errors(role: str, union_id: int | None, district_id: int | None) -> dict[str, Any]:
    """A grassroots account is bound to its union, a district account to its district."""
    if role not in ROLE_NAMES:
        return {"role": ["角色须为 grassroots、district 或 centre"]}
    if role == "grassroots" and not union_id:
        return {"union_id": ["基层工会账号须指定所属基层工会"]}
    if role == "district" and not district_id:
        return {"district_id": ["区局账号须指定所属区局（产业）工会"]}
    if role == "district" and union_id:
        return {"union_id": ["区局账号不绑定基层工会"]}
    if role == "centre" and (union_id or district_id):
        return {"role": ["市职保中心账号不绑定工会"]}
    return {}


def password_errors(
    password: str, username: str, display_name: str = "", common: Collection[str] = frozenset()
) -> list[str]:
    """What is wrong with a new password: too short, of one kind of character, holding the user's
    own names, or one of the `common` passwords (lowercase) — as it is, or with only digits and
    symbols around it (Password@2026 is password)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    kinds = sum(
        [any(c.isdigit() for c in password), any(c.isalpha() for c in password), any(not c.isalnum() for c in password)]
    )
    if kinds < 2:
        problems.append("密码须包含字母、数字、符号中的至少两类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    name = display_name.strip().lower()
    if len(name) >= 2 and name in password.lower():
        problems.append("密码不能包含账号名称")
    if common and is_common(password, common):
        problems.append("密码过于常见，容易被猜到，请换一个")
    return problems


def is_common(password: str, common: Collection[str]) -> bool:
    lowered = password.lower()
    core = lowered.strip("0123456789!@#$%^&*()_+-=.,;:?~`'\"[]{}<>/\\| ")
    return lowered in common or (len(core) >= 4 and core in common)


def is_throttled(failures_for_user: int) -> bool:
    """The account is locked for the rest of the window."""
    return failures_for_user >= MAX_FAILURES_PER_USER


def address_delay(failures_from_address: int) -> timedelta:
    """How long after its last failure an address may try again: nothing for the first
    FREE_FAILURES_PER_ADDRESS, then 1 s, 2 s, 4 s … doubling, at most MAX_ADDRESS_DELAY."""
    over = failures_from_address - FREE_FAILURES_PER_ADDRESS
    if over <= 0:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(over - 1, 16)), MAX_ADDRESS_DELAY)


def address_wait(failures_from_address: int, last_failure: datetime | None, now: datetime) -> int:
    """Whole seconds the address must still wait (0: it may try now), for Retry-After."""
    if last_failure is None:
        return 0
    left = last_failure + address_delay(failures_from_address) - now
    return max(0, -int(-left.total_seconds() // 1))


def window_start(now: datetime) -> datetime:
    return now - THROTTLE_WINDOW
