"""Errors a user can cause: each has a stable code for programs, a Chinese message for people
and an HTTP status. Rendered as {"error": {"code", "message", "fields"?, "rows"?}}."""
from __future__ import annotations


class AppError(Exception):
    status = 400
    code = "BAD_REQUEST"
    message = "请求有误"

    def __init__(self, message: str | None = None, code: str | None = None, status: int | None = None,
                 **extra):
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.extra = extra
        super().__init__(self.message)

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return {"error": body}


class ValidationFailed(AppError):
    status = 422
    code = "VALIDATION_FAILED"
    message = "提交的数据有误，请按提示修改"

    def __init__(self, fields: dict, message: str | None = None, code: str | None = None):
        super().__init__(message, code, fields=fields)


class NotFound(AppError):
    """Also the answer for anything outside the caller's scope: it must not leak existence."""
    status = 404
    code = "NOT_FOUND"
    message = "未找到该记录"


class Conflict(AppError):
    status = 409
    code = "CONFLICT"
    message = "与现有数据冲突"


class Forbidden(AppError):
    status = 403
    code = "FORBIDDEN"
    message = "您的角色无权进行此操作"


class Unauthorized(AppError):
    status = 401
    code = "UNAUTHENTICATED"
    message = "身份无效或已过期，请重新登录"


class OutsideWindow(AppError):
    status = 409
    code = "OUTSIDE_WINDOW"
    message = "不在办理时间内"
