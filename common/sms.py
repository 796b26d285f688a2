"""Where every text message (短信) goes: one adapter, two modes (docs/decisions/0041-member-sign-in.md).

- SMS_PROVIDER unset (the embedded mode): each message is written as a text file under
  DATA_DIR/sms, as mails are under DATA_DIR/mail — a developer or a test reads the code there.
- SMS_PROVIDER=aliyun: Alibaba Cloud's 短信服务 (dysms) `SendSms`, over its documented RPC HTTP API
  (signature version 1.0, HMAC-SHA1 over the sorted, percent-encoded query), with `requests`
  — no SDK (an SDK pulls a dozen packages for one signed GET). SMS_ENDPOINT (default the public
  endpoint), SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME, and one approved template
  per kind of message (KINDS: its setting and the parameters its template carries) — the provider
  refuses a message whose parameters are not its template's, so every sender names its kind.

The provider's own refusals raise SmsFailed with its code; the caller decides (a sign-in code that
could not go out is simply asked for again)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import requests

from common.config import data_dir, private_folder, write_private

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
ALIYUN_VERSION = "2017-05-25"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Kind:
    """One kind of message: the setting holding its approved template's code, and the parameters
    (`${name}`) that template carries — exactly these are sent."""

    setting: str
    params: tuple[str, ...]


SIGN_IN_CODE = "sign_in_code"  # 个人登录验证码 (gateway, decision 0041)
MOBILE_CODE = "mobile_code"  # 新手机号码验证码 (gateway, decision 0047)
DETAIL_DECISION = "detail_decision"  # 联系方式变更 已更新 / 未通过 (members, decision 0047)
MOBILE_REPLACED = "mobile_replaced"  # to the previous mobile: 手机号码已更换 (members, decision 0047)
COVER_REQUEST = "cover_request"  # 个人参保申请 state (members for enrollment, decision 0045)
KINDS = {
    SIGN_IN_CODE: Kind("SMS_TEMPLATE_SIGN_IN_CODE", ("code",)),
    MOBILE_CODE: Kind("SMS_TEMPLATE_MOBILE_CODE", ("code",)),
    DETAIL_DECISION: Kind("SMS_TEMPLATE_DETAIL_DECISION", ("result",)),
    MOBILE_REPLACED: Kind("SMS_TEMPLATE_MOBILE_REPLACED", ("number",)),  # Aliyun refuses a variable named `mobile`
    COVER_REQUEST: Kind("SMS_TEMPLATE_COVER_REQUEST", ("year", "state")),
}


def _templates() -> dict[str, str]:
    found = {kind: _env(k.setting) for kind, k in KINDS.items()}
    # SMS_TEMPLATE_CODE was the sign-in code's setting before there was more than one kind
    found[SIGN_IN_CODE] = found[SIGN_IN_CODE] or _env("SMS_TEMPLATE_CODE")
    return found


@dataclass(frozen=True)
class SmsSettings:
    provider: str = field(default_factory=lambda: _env("SMS_PROVIDER"))  # "" (files) | "aliyun"
    endpoint: str = field(default_factory=lambda: _env("SMS_ENDPOINT", ALIYUN_ENDPOINT))
    access_key_id: str = field(default_factory=lambda: _env("SMS_ACCESS_KEY_ID"))
    access_key_secret: str = field(default_factory=lambda: _env("SMS_ACCESS_KEY_SECRET"))
    sign_name: str = field(default_factory=lambda: _env("SMS_SIGN_NAME", "上海职工保障互助"))
    templates: dict[str, str] = field(default_factory=_templates)  # kind -> template code
    region: str = field(default_factory=lambda: _env("SMS_REGION", "cn-hangzhou"))
    timeout: float = field(default_factory=lambda: float(_env("SMS_TIMEOUT", "10")))


class SmsFailed(Exception):
    """The provider did not take the message: its code (`isv.BUSINESS_LIMIT_CONTROL` …) or HTTP status."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(f"{code}: {message}")
        self.code = code


def percent(value: str) -> str:
    """RFC 3986 percent-encoding as the API's signature wants it (space %20, * %2A, ~ kept)."""
    return quote(value, safe="~")


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    """Signature version 1.0: HMAC-SHA1 (key: secret + "&") of METHOD&%2F&encoded(sorted query)."""
    query = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{percent('/')}&{percent(query)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# The provider's notification templates take at most 35 characters a variable; a longer value (a
# union's reason for declining) is clipped, marked with …, rather than refused — the whole text is
# the member's to read on /me.
PARAM_MAX = 35


def clipped(value: str) -> str:
    return value if len(value) <= PARAM_MAX else value[: PARAM_MAX - 1] + "…"


def aliyun_params(settings: SmsSettings, mobile: str, kind: str, template_params: dict[str, str]) -> dict[str, str]:
    """The signed query of one `SendSms` call with the kind's template."""
    template = settings.templates.get(kind, "")
    if not template:
        raise SmsFailed("TEMPLATE_MISSING", KINDS[kind].setting)
    params = {
        "AccessKeyId": settings.access_key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": mobile,
        "RegionId": settings.region,
        "SignName": settings.sign_name,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": template,
        "TemplateParam": json.dumps(
            {k: clipped(v) for k, v in template_params.items()}, ensure_ascii=False, separators=(",", ":")
        ),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": ALIYUN_VERSION,
    }
    params["Signature"] = aliyun_signature(settings.access_key_secret, "GET", params)
    return params


def send(
    mobile: str, kind: str, text: str, template_params: dict[str, str], settings: SmsSettings | None = None
) -> None:
    """Send one message of a kind (KINDS): `text` is what the embedded mode writes (the provider
    renders the kind's approved template from `template_params`, exactly the kind's parameters)."""
    if kind not in KINDS or set(template_params) != set(KINDS[kind].params):
        raise ValueError(
            f"SMS {kind!r} takes {KINDS[kind].params if kind in KINDS else '?'}, not {sorted(template_params)}"
        )
    settings = settings or SmsSettings()
    if not settings.provider:
        folder = private_folder(data_dir() / "sms")
        moment = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        body = f"To: {mobile}\nDate: {datetime.now(UTC).isoformat()}\n\n{text}\n"
        write_private(folder / f"{moment}-{uuid.uuid4().hex[:8]}.txt", body.encode("utf-8"))
        return
    if settings.provider != "aliyun":
        raise SmsFailed("PROVIDER_UNKNOWN", settings.provider)
    try:
        answer = requests.get(
            settings.endpoint, params=aliyun_params(settings, mobile, kind, template_params), timeout=settings.timeout
        )
    except requests.RequestException as exc:
        raise SmsFailed("UNREACHABLE", type(exc).__name__) from None
    try:
        said: object = answer.json()
    except ValueError:
        said = {}
    reply: dict[str, object] = said if isinstance(said, dict) else {}
    if answer.status_code != 200 or reply.get("Code") != "OK":
        code = reply.get("Code") or f"HTTP_{answer.status_code}"
        raise SmsFailed(str(code), str(reply.get("Message", "")))


def read_messages(folder: Path | None = None) -> list[tuple[str, str]]:
    """(mobile, text) of every message the embedded mode wrote, oldest first (tests, developers)."""
    folder = folder or data_dir() / "sms"
    out: list[tuple[str, str]] = []
    if not folder.exists():
        return out
    for path in sorted(folder.glob("*.txt")):
        head, _, text = path.read_text(encoding="utf-8").partition("\n\n")
        mobile = head.splitlines()[0].removeprefix("To: ").strip()
        out.append((mobile, text.strip()))
    return out
