"""Errors a user can cause, as the domain names them: each has a stable code for programs and a
Chinese message for people. They say *what* went wrong, never how HTTP spells it: the web layer
(`common.web.status_of`) maps each kind to its status at the edge. Rendered as
{"error": {"code", "message", "fields"?, "rows"?}}."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A request the system understood and refuses (the web layer answers 400 unless a subclass
    says otherwise)."""

    code = "BAD_REQUEST"
    message = "请求有误"

    def __init__(self, message: str | None = None, code: str | None = None, **extra: Any):
        self.message = message or self.message
        self.code = code or self.code
        self.extra = extra
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body = {"code": self.code, "message": self.message}
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return {"error": body}


class Rejected(AppError):
    """Input that was read but breaks a rule (a bad file, a wrong row)."""

    code = "REJECTED"
    message = "提交的内容不符合要求"


class ValidationFailed(Rejected):
    code = "VALIDATION_FAILED"
    message = "提交的数据有误，请按提示修改"

    def __init__(self, fields: dict[str, Any], message: str | None = None, code: str | None = None):
        super().__init__(message, code, fields=fields)


class NotFound(AppError):
    """Also the answer for anything outside the caller's scope: it must not leak existence."""

    code = "NOT_FOUND"
    message = "未找到该记录"


class Conflict(AppError):
    code = "CONFLICT"
    message = "与现有数据冲突"


class OutsideWindow(Conflict):
    code = "OUTSIDE_WINDOW"
    message = "不在办理时间内"


class Forbidden(AppError):
    code = "FORBIDDEN"
    message = "您的角色无权进行此操作"


class Unauthorized(AppError):
    code = "UNAUTHENTICATED"
    message = "身份无效或已过期，请重新登录"


class TooLarge(AppError):
    code = "TOO_LARGE"
    message = "上传的内容过大"


class Throttled(AppError):
    code = "TOO_MANY_REQUESTS"
    message = "请求过于频繁，请稍后再试"


class Unavailable(AppError):
    code = "SERVICE_UNAVAILABLE"
    message = "服务暂时不可用，请稍后重试"
