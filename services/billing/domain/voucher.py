"""Payment vouchers (缴费凭证): a photo or scan, judged by its bytes, never by its name. Pure."""

from __future__ import annotations

MAX_VOUCHER_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


class VoucherRejected(ValueError):
    """`code` is stable; the message is for the clerk."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def sniff(content: bytes) -> str | None:
    """The media type the bytes really are (JPEG, PNG or PDF), or None."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:1024].lstrip().startswith(b"%PDF-"):
        return "application/pdf"
    return None


MAX_PIXELS = 80_000_000  # a 10 MB JPEG that claims more is a decompression bomb, not a photo


def check_readable(content: bytes, media_type: str) -> None:
    """A photo must decode as what it says it is; a PDF must be a whole file (%%EOF at the end)."""
    if media_type == "application/pdf":
        if b"%%EOF" not in content[-2048:]:
            raise VoucherRejected("VOUCHER_UNREADABLE", "PDF 文件不完整或已损坏，请重新扫描后上传")
        return
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise VoucherRejected("VOUCHER_TOO_LARGE", "图片像素过大，请缩小后上传")
                expected = "JPEG" if media_type == "image/jpeg" else "PNG"
                if image.format != expected:
                    raise VoucherRejected("VOUCHER_TYPE", "凭证须为 JPEG、PNG 图片或 PDF 文件")
                image.verify()
    except VoucherRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise VoucherRejected("VOUCHER_TOO_LARGE", "图片像素过大，请缩小后上传") from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for broken files
        raise VoucherRejected("VOUCHER_UNREADABLE", "图片已损坏，无法打开，请重新拍照或扫描后上传") from None


def check_voucher(content: bytes, max_bytes: int = MAX_VOUCHER_BYTES) -> str:
    """Return the media type, or raise VoucherRejected with the reason."""
    if not content:
        raise VoucherRejected("VOUCHER_EMPTY", "上传的凭证文件是空的")
    if len(content) > max_bytes:
        raise VoucherRejected(
            "VOUCHER_TOO_LARGE", f"凭证文件过大（{len(content) / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB"
        )
    media_type = sniff(content)
    if media_type is None:
        raise VoucherRejected("VOUCHER_TYPE", "凭证须为 JPEG、PNG 图片或 PDF 文件（按文件内容判断，与文件名无关）")
    check_readable(content, media_type)
    return media_type


MAX_REASON_CHARS = 200


def check_withdraw_reason(reason: str | None) -> str:
    """撤回凭证 needs a reason the centre can read; returns it trimmed, or raises VoucherRejected."""
    reason = (reason or "").strip()
    if not reason:
        raise VoucherRejected("WITHDRAW_REASON_REQUIRED", "请填写撤回原因")
    if len(reason) > MAX_REASON_CHARS:
        raise VoucherRejected("WITHDRAW_REASON_TOO_LONG", f"撤回原因不能超过 {MAX_REASON_CHARS} 个字")
    return reason
