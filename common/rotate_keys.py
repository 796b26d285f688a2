"""rotate-keys: re-seal and re-index a service's personal information under the current keys,
in batches, while the system runs (issue 14, docs/decisions/0022-pii-at-rest.md).

    python -m common.rotate_keys members            # one service
    python -m common.rotate_keys                    # every service that seals something
    python -m common.rotate_keys members --batch 500 --dry-run

Each batch is its own short transaction: the rows of a table whose sealed value or index is not
under the current key, opened, re-sealed and written back only if unchanged since read (a row a
request updated meanwhile was sealed with the current key anyway). Run it again until it reports
0; then the old key can leave the secret."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING, TextIO

from sqlalchemy import text
from sqlalchemy.engine import Engine

from common import crypto
from common.config import SERVICES

if TYPE_CHECKING:
    from common.runtime import ServiceRuntime


def _stale_condition(table: crypto.SealedColumns, vault: crypto.Vault) -> tuple[str, dict[str, str]]:
    parts: list[str] = []
    params: dict[str, str] = {}
    for n, column in enumerate(table.sealed):
        parts.append(f"({column} IS NOT NULL AND {column} NOT LIKE :s{n})")
        params[f"s{n}"] = vault.seal_prefix + "%"
    for n, column in enumerate(table.indexed):
        parts.append(f"({column} IS NOT NULL AND {column} NOT LIKE :x{n})")
        params[f"x{n}"] = vault.index_prefix + "%"
    return " OR ".join(parts), params


def rotate_table(engine: Engine, table: crypto.SealedColumns, batch: int = 1000, dry_run: bool = False) -> int:
    """Re-seals every stale row of one table; returns how many rows it rewrote (or would)."""
    vault = crypto.reload()  # the keys as they are now, not as this process first read them
    stale, params = _stale_condition(table, vault)
    columns = list(dict.fromkeys(list(table.sealed) + list(table.indexed)))
    select_list = ", ".join([table.key, *columns])
    done, after = 0, None
    while True:
        with engine.begin() as conn:
            where = stale + ("" if after is None else f") AND ({table.key} > :after")
            rows = conn.execute(
                text(
                    f"SELECT {select_list} FROM {table.table} WHERE ({where}) ORDER BY {table.key} LIMIT {int(batch)}"
                ),
                {**params, "after": after},
            ).all()
            if not rows:
                return done
            after = rows[-1][0]
            if dry_run:
                done += len(rows)
                continue
            for row in rows:
                old = dict(zip(columns, row[1:], strict=False))
                clear = {
                    column: vault.open(field, old[column]) if old[column] is not None else None
                    for column, field in table.sealed.items()
                }
                new = {
                    column: vault.seal(field, clear[column]) if not vault.is_current(old[column]) else old[column]
                    for column, field in table.sealed.items()
                }
                for index_column, (source, field) in table.indexed.items():
                    new[index_column] = vault.index(field, clear[source]) if clear[source] is not None else None
                sets = ", ".join(f"{c} = :new_{c}" for c in new)
                same = "IS NOT DISTINCT FROM" if conn.dialect.name == "postgresql" else "IS"
                guard = " AND ".join(f"{c} {same} :old_{c}" for c in columns)
                conn.execute(
                    text(f"UPDATE {table.table} SET {sets} WHERE {table.key} = :k AND {guard}"),
                    {"k": row[0], **{f"new_{c}": v for c, v in new.items()}, **{f"old_{c}": v for c, v in old.items()}},
                )
            done += len(rows)


def rotate_service(service: str, batch: int = 1000, dry_run: bool = False, out: TextIO = sys.stdout) -> int:
    runtime: ServiceRuntime = importlib.import_module(f"services.{service}.bootstrap").runtime
    total = 0
    for table in runtime.sealed:
        count = rotate_table(runtime.engine, table, batch, dry_run)
        print(f"{service}.{table.table}: {count} row(s) {'to re-seal' if dry_run else 're-sealed'}", file=out)
        total += count
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.rotate_keys")
    parser.add_argument("services", nargs="*", default=list(SERVICES))
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    for service in args.services:
        rotate_service(service, args.batch, args.dry_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
