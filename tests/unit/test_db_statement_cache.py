"""common.patches.cache_long_statements: psycopg's conversion of a long statement (a multi-row INSERT)
is remembered, with the same result as converting it afresh (issue 16)."""

from psycopg import _queries
from psycopg.pq import Format

from common import patches


def test_a_long_statement_is_converted_once_and_the_same_way():
    patches.apply()
    assert getattr(_queries._query2pg_nocache, "long_statement_cache", False)
    rows = ", ".join(f"(%(name_m{i})s, %(no_m{i})s)" for i in range(400))
    query = f"INSERT INTO members (name, no) VALUES {rows} RETURNING id".encode()
    assert len(query) > _queries.MAX_CACHED_STATEMENT_LENGTH
    params = {f"{k}_m{i}": "x" for i in range(400) for k in ("name", "no")}
    first = _queries.PostgresQuery(_NoTransformer())
    first.convert(query, params)
    again = _queries.PostgresQuery(_NoTransformer())
    again.convert(query, params)
    assert first.query == again.query and first.query.startswith(b"INSERT INTO members (name, no) VALUES ($1, $2)")
    assert first._parts is again._parts  # remembered, not split again
    assert first.query.endswith(b"($799, $800) RETURNING id")


class _NoTransformer:
    encoding = "utf-8"

    def dump_sequence(self, params, formats):
        return [p.encode() for p in params]

    @property
    def types(self):
        return ()

    @property
    def formats(self):
        return [Format.TEXT]
