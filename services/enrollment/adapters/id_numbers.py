"""The ID number as enrollment keeps it (issue 14, docs/decisions/0022-pii-at-rest.md): never in
clear. Three columns stand for it wherever a row names a person (member_view, cover,
cover_lookup):

- `id_sealed`: the number sealed with field "id_number" — sealed by the members service, which
  publishes it in the member snapshot; enrollment copies it as it came and opens it only where a
  full number is needed (a member-number lookup, to search under every index key);
- `id_index`: its blind index — what every lookup, the 职工保障查询 and a search by a full number,
  compares (through `blind_indexes`, so rows not yet re-indexed by rotate-keys still match);
- `id_masked`: 3101**********1234 — what every answer shows, and what a search by the last
  four characters looks at."""

from __future__ import annotations

from sqlalchemy import Text

from common.crypto import Sealed, blind_index, blind_indexes, open_sealed, seal
from common.pii import mask_id

FIELD = "id_number"


class SealedAsReceived(Sealed):
    """A column of values sealed elsewhere (the members service seals, its events carry the
    ciphertext): written and read as the ciphertext, so a snapshot's value is stored as it came
    and copied table to table (the submission's insert-from-select) without opening it. Comparing
    it in SQL is refused as for `Sealed`: every ciphertext differs; compare the blind index."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value

    def process_result_value(self, value, dialect):
        return value


def kept(number: str) -> dict:
    """The three columns for a clear number: for an event still carrying one, and migrations."""
    return {"id_sealed": seal(FIELD, number), "id_index": blind_index(FIELD, number), "id_masked": mask_id(number)}


def from_snapshot(data: dict) -> dict:
    """The three columns from a member snapshot. The members service publishes them (`id_sealed`,
    `id_index`, `id_masked`); an event published before it did — still in flight during the
    upgrade, or replayed from a dead-letter queue — carries `id_number` in clear, sealed here on
    receipt so that it is never stored. KeyError or ValueError when a snapshot has neither."""
    if "id_sealed" in data:
        columns = {"id_sealed": data["id_sealed"], "id_index": data["id_index"], "id_masked": data["id_masked"]}
    else:
        number = data["id_number"]
        columns = kept(number) if isinstance(number, str) and number else {}
    if not (columns and all(isinstance(v, str) and v for v in columns.values())):
        raise ValueError("a member snapshot without its ID number")
    return columns


def opened(sealed: str | None) -> str | None:
    return open_sealed(FIELD, sealed)


def indexes(number: str) -> list[str]:
    """The number's blind index under every index key: compare with `IN`."""
    return blind_indexes(FIELD, number)


def by_index(numbers) -> dict[str, str]:
    """{blind index: number} for every number under every index key: what an `IN` on `id_index`
    asks, and how a row found is told whose number it is."""
    return {index: number for number in numbers for index in blind_indexes(FIELD, number)}
