"""common/patches.py: each patch on a library's internals is tied to the exact version it was
written for. When a library moves (a new pin, or a different version installed), these fail and
name it, instead of a patch silently doing nothing or breaking at run time (decision 0025)."""

import inspect
import re
from pathlib import Path

import amqp.transport
import pytest
from kombu.transport import filesystem
from marshmallow import Schema, ValidationError, fields, validate
from psycopg import _queries

from common import patches

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep:
            pins[name.split("[")[0].strip().lower()] = version.split()[0]
    return pins


def test_each_patched_library_is_pinned_to_the_version_its_patch_was_written_for():
    pins = _pins()
    assert {name: pins.get(name) for name in patches.PINNED} == patches.PINNED


def test_the_installed_libraries_are_the_patched_versions():
    patches.check_versions()  # raises LibraryMoved, naming each library, when one has moved


def test_a_moved_library_stops_the_process_and_says_which_and_what_to_do():
    moved = {**patches.PINNED, "kombu": "0.0.1"}
    with pytest.raises(patches.LibraryMoved) as raised:
        patches.check_versions(moved)
    message = str(raised.value)
    assert "kombu 5.7.0 (patched for 0.0.1)" in message
    assert "0025-library-patches.md" in message
    assert "psycopg" not in message


def test_the_psycopg_function_replaced_still_takes_a_query_and_its_encoding():
    patches.apply()
    assert _queries._query2pg_nocache.long_statement_cache
    original = inspect.unwrap(_queries._query2pg_nocache.__closure__[1].cell_contents)
    assert list(inspect.signature(original).parameters) == ["query", "encoding"]
    assert hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH")


def test_the_py_amqp_reader_still_reads_through_quick_recv_and_keeps_the_surplus():
    reader = inspect.getsource(amqp.transport.TCPTransport._read)
    assert "recv = self._quick_recv" in reader  # what read_in_chunks replaces
    assert "result, self._read_buffer = rbuf[:n], rbuf[n:]" in reader  # what makes a bigger recv safe


def test_the_kombu_channel_still_writes_through_put_into_its_out_folder():
    assert "_put" in vars(filesystem.Channel)
    assert list(inspect.signature(filesystem.Channel._put).parameters)[:3] == ["self", "queue", "payload"]
    assert "data_folder_out" in inspect.getsource(filesystem.Channel)
    assert patches.AtomicFilesystemTransport.Channel._put is not filesystem.Channel._put


def test_every_marshmallow_message_set_exists_on_the_pinned_classes():
    patches.apply()
    for name, messages in patches.FIELD_MESSAGES.items():
        cls = getattr(fields, name)
        assert set(messages) <= set(cls.default_error_messages), name
    for name, attributes in patches.VALIDATOR_MESSAGES.items():
        cls = getattr(validate, name)
        for attribute, message in attributes.items():
            assert getattr(cls, attribute) == message, (name, attribute)
    # the placeholders are the ones marshmallow fills in
    assert re.findall(r"\{(\w+)\}", patches.VALIDATOR_MESSAGES["Length"]["message_all"]) == ["min", "max"]


def test_a_schema_built_after_apply_answers_in_chinese():
    patches.apply()

    class Person(Schema):
        name = fields.String(required=True, validate=validate.Length(max=3))
        age = fields.Integer()

    with pytest.raises(ValidationError) as raised:
        Person().load({"name": "张三丰李", "age": "x"})
    assert raised.value.messages == {"name": ["长度不能超过 3"], "age": ["应为整数"]}
    with pytest.raises(ValidationError) as raised:
        Person().load({})
    assert raised.value.messages == {"name": ["此项必填"]}
