"""Account rules with no I/O: roles and their scope, passwords, login throttling."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

ROLE_NAMES = {"grassroots": "基层工会", "district": "区局（产业）工会", "centre": "市职保中心"}
MIN_PASSWORD_LENGTH = 10

# Throttling: too many failures for one user name, or from one address, in the window.
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 30


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


def password_errors(password: str, username: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    kinds = sum([any(c.isdigit() for c in password), any(c.isalpha() for c in password),
                 any(not c.isalnum() for c in password)])
    if kinds < 2:
        problems.append("密码须包含字母、数字、符号中的至少两类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def is_throttled(failures_for_user: int, failures_from_ip: int) -> bool:
    return failures_for_user >= MAX_FAILURES_PER_USER or failures_from_ip >= MAX_FAILURES_PER_IP


def window_start(now: datetime) -> datetime:
    return now - THROTTLE_WINDOW
