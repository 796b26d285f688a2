"""Resident identity card numbers: the national rule lives in common/resident_id.py (shared with
enrollment's cover lookup, one set of messages) and masking in common/pii.py; members names them
here as before."""

from common.pii import mask_id, mask_mobile
from common.resident_id import (
    CHECK_CHARS,
    EARLIEST_BIRTH,
    PROVINCE_INVALID,
    PROVINCES,
    TEXT_FORMAT_HINT,
    WEIGHTS,
    IdNumberInvalid,
    ResidentId,
    check_char,
    clean,
    looks_like_excel_number,
    normalise_other_id,
    parse_resident_id,
    resident_number,
    upgrade_15,
)

# Named here for members' code (masking lives in common, kept importable here).
__all__ = [
    "CHECK_CHARS",
    "EARLIEST_BIRTH",
    "PROVINCES",
    "PROVINCE_INVALID",
    "TEXT_FORMAT_HINT",
    "WEIGHTS",
    "IdNumberInvalid",
    "ResidentId",
    "check_char",
    "clean",
    "looks_like_excel_number",
    "mask_id",
    "mask_mobile",
    "normalise_other_id",
    "parse_resident_id",
    "resident_number",
    "upgrade_15",
]
