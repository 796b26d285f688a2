"""Resident identity card numbers: the national rule lives in common/resident_id.py (shared with
enrollment's cover lookup, one set of messages); members names it here as before."""
from common.resident_id import (CHECK_CHARS, EARLIEST_BIRTH, TEXT_FORMAT_HINT, WEIGHTS, IdNumberInvalid,  # noqa: F401
                                ResidentId, check_char, clean, looks_like_excel_number, mask_id, mask_mobile,
                                normalise_other_id, parse_resident_id, resident_number, upgrade_15)
