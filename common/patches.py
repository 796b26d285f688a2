"""Every change this project makes to a library's internals, in one place (decision 0025).

Four libraries are changed where their public API offers no way to get what we need. Each change
depends on a private name or a class attribute of one exact version, so each is tied to the
version pinned in requirements.txt: `apply()` refuses to start a process when an installed
version differs, and tests/unit/test_patches.py fails the same way, naming the library. When a
pin moves, re-check the patch against the new version's source (each entry says what to look
at), re-measure with its benchmark, then update `PINNED`; or remove the patch as it says.

1. psycopg: remember the conversion of long statements (`cache_long_statements`).
2. py-amqp: read a socket in chunks, not a frame's exact bytes (`read_in_chunks`).
3. kombu: a file-system channel whose message files appear only whole
   (`AtomicFilesystemTransport`).
4. marshmallow: field and validator messages in Chinese, set once on the library's classes
   (`chinese_messages`).

`apply()` applies 1 and 4 to the process (both idempotent) after the version check; 2 and 3
act on one connection and are used where the connection is made (common/consumer.py,
common/bus.py), under the same check. `apply()` is called by `ServiceRuntime` (every process
of every service and the gateway builds one) and by common/schema.py at import (schemas read
the messages when their fields are built, which may come before any runtime)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import metadata
from typing import Any

import amqp
from kombu.transport import filesystem
from kombu.utils.json import dumps

# The exact versions each patch was written and measured against (requirements.txt pins the same;
# a unit test holds the two to each other).
PINNED: dict[str, str] = {
    "psycopg": "3.3.9",
    "amqp": "5.4.2",
    "kombu": "5.7.0",
    "marshmallow": "4.4.0",
}


class LibraryMoved(RuntimeError):
    """An installed library is not the version a patch on its internals was written for."""


def check_versions(pinned: Mapping[str, str] = PINNED) -> None:
    """Raise `LibraryMoved` naming every library whose installed version is not the pinned one."""
    moved = []
    for distribution, wanted in pinned.items():
        try:
            found = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            moved.append(f"{distribution} {found} (patched for {wanted})")
    if moved:
        raise LibraryMoved(
            "common/patches.py changes these libraries' internals, written for another version: "
            + "; ".join(moved)
            + ". Re-check each patch against the new source and re-measure it (see the module's notes "
            "and docs/decisions/0025-library-patches.md), then update PINNED."
        )


_applied = False


def apply() -> None:
    """Check the versions, then apply the process-wide patches (once; later calls do nothing)."""
    global _applied
    if _applied:
        return
    check_versions()
    cache_long_statements()
    chinese_messages()
    _applied = True


# 1. psycopg ---------------------------------------------------------------------------------
# Why: psycopg turns every statement's `%(name)s` placeholders into PostgreSQL's `$n` in Python
#   (`psycopg._queries._query2pg_nocache`: a regex split of the whole text) and caches the result
#   only for statements of <= 4 KB with <= 50 parameters. SQLAlchemy sends an import's multi-row
#   INSERTs (a file's members and their outbox events, "insertmanyvalues") as long statements, one
#   text per row count, so each was converted anew.
# Measured: 44 % of the members web process's CPU during the season's imports (py-spy --gil,
#   issue 16); bench/members_import.py prints the figure.
# Remove when: psycopg caches long statements itself (look at `_queries.PostgresQuery.convert`
#   and `_query2pg`), or when imports stop sending long statements; then delete this function.
#   tests/unit/test_db_statement_cache.py proves the cache gives the same conversion.
LONG_STATEMENT_CACHE = 32  # statements
LONG_STATEMENT_MAX = 128 * 1024  # characters: a 100-row INSERT of members is ~50 KB


def cache_long_statements() -> None:
    """Let psycopg remember how it converted long statements too (a small LRU: <= 32 statements
    of <= 128 KB; the conversion depends on the text and the encoding only)."""
    from psycopg import _queries

    if getattr(_queries._query2pg_nocache, "long_statement_cache", False):
        return
    plain: Callable[[bytes, str], Any] = _queries._query2pg_nocache
    cached = lru_cache(maxsize=LONG_STATEMENT_CACHE)(plain)

    def convert(query: bytes, encoding: str) -> Any:
        return cached(query, encoding) if len(query) <= LONG_STATEMENT_MAX else plain(query, encoding)

    convert.long_statement_cache = True  # type: ignore[attr-defined]  # the mark that says "applied"
    _queries._query2pg_nocache = convert


# 2. py-amqp ---------------------------------------------------------------------------------
# Why: py-amqp reads each frame with three `recv` calls of exactly the bytes it needs (header,
#   payload, end octet): nine system calls per message, each behind a `poll` when the socket has a
#   timeout. Its reader already keeps whatever a `recv` returns beyond the bytes asked for (in
#   `TCPTransport._read`), so asking the socket for at least 4 kB is enough. The chunk is small
#   because each read slices the rest of the buffer (a copy). Plain TCP only; TLS reads its own way.
# Measured: over half of the consumer's active time was reading frames (cProfile, 10,000 events;
#   docs/decisions/0002-appendix-bus-measurements.md); bench/bus.py prints the figures.
# Remove when: py-amqp buffers its reads itself (look at `TCPTransport._read` and `_quick_recv`),
#   or the consumer stops reading the raw py-amqp channel; then delete this function and its two
#   calls. tests/services/common/test_consumer_inbox.py proves whole frames however bytes arrive.
READ_CHUNK = 4096  # bytes asked of the socket per read (py-amqp keeps the surplus)


def read_in_chunks(transport: Any, size: int = READ_CHUNK) -> None:
    """Let a py-amqp TCP transport take many frames per `recv`."""
    if type(transport) is amqp.transport.TCPTransport:
        recv = transport.sock.recv
        transport._quick_recv = lambda n: recv(max(n, size))


# 3. kombu -----------------------------------------------------------------------------------
# Why: kombu's file-system channel writes a message file in place, and a reader in another
#   process moves and reads any file it sees (a lock does not stop a rename): caught mid-write, a
#   message was read empty, failed to decode and was gone for good. Here `_put` writes under a
#   name no queue matches and renames it into place, which is atomic on one file system.
# Measured: `test_a_message_is_never_read_half_written` (100 messages of 600 kB) failed 2 of 2
#   runs with kombu's channel and passes with this one (docs/decisions/0003-embedded-bus.md).
# Remove when: kombu writes its message files atomically (look at `filesystem.Channel._put`);
#   then delete these two classes and connect with `transport="filesystem"`.
class _AtomicFilesystemChannel(filesystem.Channel):
    """kombu's file-system channel, but a message file appears only once it is whole."""

    # kombu's own file-system channel names the message `payload` and takes **kwargs, as here
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{uuid.uuid4()}.partial")
        try:
            with open(partial, "wb") as f:
                f.write(dumps(payload).encode())  # kombu's own JSON
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"cannot add {final!r} to the bus folder") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = _AtomicFilesystemChannel


# 4. marshmallow -----------------------------------------------------------------------------
# Why: field messages are what a clerk reads next to a form field. marshmallow takes a field's
#   messages from the `default_error_messages` of its class and its bases when the field is built,
#   and a validator's from its class attributes; setting them on the library's classes once gives
#   every service's schemas Chinese messages without a message on each of ~400 fields.
# Measured: nothing to measure; the risk is a renamed attribute or message key, which would
#   silently bring English back. tests/unit/test_patches.py checks that each key and attribute
#   set here exists on the pinned version.
# Remove when: each service's schemas use common field classes that carry the messages (or
#   marshmallow gains a global message catalogue); then delete this function.
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "Field": {"required": "此项必填", "null": "此项不能为空", "validator_failed": "取值不符合要求"},
    "String": {"invalid": "应为文本"},
    "Integer": {"invalid": "应为整数"},
    "Number": {"invalid": "应为数字", "too_large": "数值过大"},
    "Boolean": {"invalid": "应为 true 或 false"},
    "Email": {"invalid": "电子邮箱格式不正确"},
    "Date": {"invalid": "日期格式不正确，应为 YYYY-MM-DD"},
    "DateTime": {"invalid": "时间格式不正确，应为 ISO 8601"},
    "List": {"invalid": "应为列表"},
    "Nested": {"type": "应为对象"},
}
VALIDATOR_MESSAGES: dict[str, dict[str, str]] = {
    "Length": {
        "message_min": "长度不能少于 {min}",
        "message_max": "长度不能超过 {max}",
        "message_all": "长度应在 {min} 到 {max} 之间",
        "message_equal": "长度应为 {equal}",
    },
    "OneOf": {"default_message": "取值须为以下之一：{choices}"},
    "Range": {
        "message_min": "不能小于 {{min}}",
        "message_max": "不能大于 {{max}}",
        "message_all": "应在 {{min}} 到 {{max}} 之间",
    },
    "Regexp": {"default_message": "格式不正确"},
}


def chinese_messages() -> None:
    """Set the Chinese field and validator messages on marshmallow's classes."""
    from marshmallow import fields, validate

    for name, messages in FIELD_MESSAGES.items():
        cls = getattr(fields, name)
        cls.default_error_messages = {**cls.default_error_messages, **messages}
    for name, attributes in VALIDATOR_MESSAGES.items():
        cls = getattr(validate, name)
        for attribute, message in attributes.items():
            setattr(cls, attribute, message)
