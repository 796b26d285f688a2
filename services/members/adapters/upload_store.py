"""What an upload job keeps beside its row (issue 17 items 3 and 5): the accepted upload (for a
sync, the roster as the request read it) until the job ends, and the errors of a refused file
as rows — written in one COPY on PostgreSQL (one executemany on SQLite), read a page at a time
or all at once for the error workbook. Error rows arrive as RowError.as_dict() gives them: a
sync's with ID numbers masked; a list upload's as typed (`typed=True`), kept with the ID number
masked in the plain columns and the cell and number as typed sealed beside them (no clear ID
number at rest), and answered as typed."""

from __future__ import annotations

import json

from cryptography.exceptions import InvalidTag
from sqlalchemy import delete, insert, select

from common import crypto
from common.pii import mask_id
from services.members.adapters.orm import UploadError, UploadFile

FILE_FIELD = "upload"  # what a stored file is sealed as (AES-GCM; its own associated data)
TYPED_FIELD = "upload_error"  # what an error's typed cell and ID number are sealed as

COLUMNS = ("job_id", "seq", "row", "column", "value", "message", "name", "id_number", "typed_sealed")
WIDTHS = {"column": 20, "value": 60, "message": 300, "name": 60, "id_number": 40}


def _cut(error: dict, key: str) -> str:
    return str(error.get(key) or "")[: WIDTHS[key]]


PER_ROW = 32  # `seq` = row × PER_ROW + the error's place in its row: the key is the row order
SET_BASED = PER_ROW - 1  # the place of an error found by the database (RosterComparison.store_errors)


def seq_of(row: int, place: int) -> int:
    return row * PER_ROW + min(place, SET_BASED - 1)


def _numbered(job_id: int, errors: list[dict], typed: bool):
    place, last = 0, None
    for e in errors:
        place = place + 1 if e["row"] == last else 0
        last = e["row"]
        if typed:  # the plain columns hold no typed cell, the ID number masked; as typed: sealed
            sealed = crypto.seal(
                TYPED_FIELD,
                json.dumps({"value": _cut(e, "value"), "id_number": _cut(e, "id_number")}, ensure_ascii=False),
            )
            plain = ("", mask_id(_cut(e, "id_number")) or "")
        else:
            sealed, plain = None, (_cut(e, "value"), _cut(e, "id_number"))
        yield (
            job_id,
            seq_of(e["row"], place),
            e["row"],
            _cut(e, "column"),
            plain[0],
            _cut(e, "message"),
            _cut(e, "name"),
            plain[1],
            sealed,
        )


def store_errors(session, job_id: int, errors: list[dict], typed: bool = False) -> int:
    """Every error of the job (in row order, as given); returns how many. Their key orders them
    by row, so a page is read straight from the primary key. `typed`: the errors carry the cells
    as typed (a list upload), sealed at rest."""
    if not errors:
        return 0
    conn = session.connection()
    rows = _numbered(job_id, errors, typed)
    if conn.dialect.name == "postgresql":
        with (
            conn.connection.dbapi_connection.cursor() as cursor,
            cursor.copy(
                'COPY upload_errors (job_id, seq, "row", "column", value, message, name, id_number, '
                "typed_sealed) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        session.execute(insert(UploadError), [dict(zip(COLUMNS, row, strict=False)) for row in rows])
    return len(errors)


def _in_row_order(job_id: int):
    return (
        select(
            UploadError.row,
            UploadError.column,
            UploadError.value,
            UploadError.message,
            UploadError.name,
            UploadError.id_number,
            UploadError.typed_sealed,
        )
        .where(UploadError.job_id == job_id)
        .order_by(UploadError.seq)
    )


def _answered(row, typed: bool) -> dict:
    """An error as answered: with `typed`, a list upload's with its cell and ID number as typed;
    otherwise as stored (ID numbers masked)."""
    error = dict(row._mapping)
    sealed = error.pop("typed_sealed")
    if sealed and typed:
        error.update(json.loads(crypto.open_sealed(TYPED_FIELD, sealed)))
    return error


def error_page(session, job_id: int, offset: int = 0, limit: int = 100, typed: bool = False) -> list[dict]:
    """Errors of a job in row order, a page of them."""
    return [_answered(r, typed) for r in session.execute(_in_row_order(job_id).offset(offset).limit(limit))]


def all_errors(session, job_id: int, typed: bool = False):
    """Every error of a job in row order, streamed (the error workbook)."""
    for r in session.execute(_in_row_order(job_id).execution_options(yield_per=5000)):
        yield _answered(r, typed)


def store_file(session, job_id: int, data: bytes) -> None:
    """The accepted upload, sealed — for a sync, the roster as the request read it
    (adapters/roster_file.py): a roster is a list of ID numbers (issue 14), and it waits in the
    database until the worker takes it."""
    session.add(UploadFile(job_id=job_id, data=crypto.seal_bytes(FILE_FIELD, data)))


def load_file(session, job_id: int) -> bytes | None:
    return open_file(load_sealed_file(session, job_id))


def load_sealed_file(session, job_id: int) -> bytes | None:
    return session.scalar(select(UploadFile.data).where(UploadFile.job_id == job_id))


class FileUnreadable(Exception):
    """A stored file that does not open: sealed under a key this process does not have."""


def open_file(sealed: bytes | None) -> bytes | None:
    if sealed is None:
        return None
    try:
        return crypto.open_sealed_bytes(FILE_FIELD, sealed)
    except (InvalidTag, crypto.KeyMissing, ValueError) as exc:
        raise FileUnreadable(type(exc).__name__) from None


def drop_file(session, job_id: int) -> None:
    session.execute(delete(UploadFile).where(UploadFile.job_id == job_id))
