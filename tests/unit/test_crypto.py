"""Sealed personal information (common/crypto.py) and rotate-keys (common/rotate_keys.py)."""

from __future__ import annotations

import json
import secrets

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select, text

from common import crypto
from common.crypto import Keyring, SealedColumns, Vault
from common.rotate_keys import rotate_table

ID = "310101199001011237"


def ring(*kids: int, current: int | None = None) -> Keyring:
    return Keyring({k: bytes([k]) * 32 for k in kids}, current or max(kids))


@pytest.fixture
def keys(monkeypatch, tmp_path):
    """Embedded mode: keys in the data folder's key file, made on first use."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PII_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("PII_INDEX_KEYS", raising=False)
    crypto.reload()
    yield tmp_path
    monkeypatch.undo()
    crypto.reload()


def test_a_sealed_value_opens_to_itself_and_never_shows_it():
    vault = Vault(ring(1), ring(1))
    sealed = vault.seal("id_number", ID)
    assert ID not in sealed and sealed.startswith("e1:")
    assert vault.open("id_number", sealed) == ID
    assert vault.seal("id_number", ID) != sealed  # a fresh nonce each time
    assert vault.seal("id_number", None) is None and vault.open("id_number", None) is None


def test_a_value_sealed_for_one_field_does_not_open_as_another():
    vault = Vault(ring(1), ring(1))
    with pytest.raises(InvalidTag):
        vault.open("mobile", vault.seal("id_number", ID))


def test_a_tampered_value_is_refused():
    vault = Vault(ring(1), ring(1))
    sealed = vault.seal("id_number", ID)
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(InvalidTag):
        vault.open("id_number", flipped)


def test_the_blind_index_is_equal_for_equal_values_keyed_and_per_field():
    vault = Vault(ring(1), ring(1))
    assert vault.index("id_number", ID) == vault.index("id_number", ID)
    assert vault.index("id_number", ID) != vault.index("id_number", ID[:-1] + "X")
    assert vault.index("id_number", ID) != vault.index("mobile", ID)
    other = Vault(ring(1), Keyring({1: b"\x09" * 32}, 1))
    assert vault.index("id_number", ID) != other.index("id_number", ID)  # keyed: no key, no index
    assert ID not in vault.index("id_number", ID)


def test_the_batch_blind_index_is_the_hmac_of_each_value():
    import hashlib
    import hmac

    vault = Vault(ring(1), Keyring({1: secrets.token_bytes(32)}, 1))
    values = [ID, "", "H1234567", "张三的护照", ID[:-1] + "X", "x" * 200]
    field_key = hmac.digest(vault.index_keys.keys[1], b"blind-index:id_number", "sha256")
    expected = ["i1:" + hmac.new(field_key, v.encode(), hashlib.sha256).digest()[:16].hex() for v in values]
    assert vault.index_many("id_number", values) == expected == [vault.index("id_number", v) for v in values]


def test_an_old_key_still_opens_and_lookups_match_under_every_index_key():
    old = Vault(ring(1), ring(1))
    new = Vault(ring(1, 2), ring(1, 2))
    sealed = old.seal("id_number", ID)
    assert new.open("id_number", sealed) == ID
    assert not new.is_current(sealed) and new.is_current(new.seal("id_number", ID))
    assert old.index("id_number", ID) in new.indexes("id_number", ID)
    assert new.index("id_number", ID).startswith("i2:")


def test_a_missing_key_is_named():
    with pytest.raises(crypto.KeyMissing):
        Vault(ring(2), ring(2)).open("id_number", Vault(ring(1), ring(1)).seal("id_number", ID))


def test_keys_from_the_environment_with_a_chosen_current(monkeypatch):
    a, b = secrets.token_hex(32), secrets.token_hex(32)
    monkeypatch.setenv("PII_ENCRYPTION_KEYS", f"1:{a},2:{b}")
    monkeypatch.setenv("PII_INDEX_KEYS", f"1:{a}")
    monkeypatch.setenv("PII_ENCRYPTION_KEY_CURRENT", "1")
    vault = crypto.load_vault()
    assert vault.seal("id_number", ID).startswith("e1:")
    with pytest.raises(ValueError):
        Keyring.parse("1:abcd")  # not 32 bytes


def test_the_embedded_mode_makes_one_key_file_and_new_key_adds_to_it(keys):
    first = crypto.seal("id_number", ID)
    stored = json.loads((keys / crypto.KEY_FILE).read_text())
    assert stored["encryption"].startswith("1:") and stored["index"].startswith("1:")
    assert crypto.load_vault().open("id_number", first) == ID  # the same file, the same keys
    crypto.new_key("encryption")
    # a running process meets a value sealed under the new key: it reloads once and opens it
    second = crypto.load_vault().seal("id_number", ID)
    assert second.startswith("e2:")
    assert crypto.open_sealed("id_number", second) == ID


def test_a_vault_for_another_data_folder_seals_under_that_folders_keys(keys, tmp_path_factory):
    """A benchmark writing rows for a system on its own data folder seals under that folder's keys
    (issue 30: the list bench sealed under its own, and every page then failed to open them)."""
    other = tmp_path_factory.mktemp("system-data")
    theirs = crypto.load_vault(other)
    sealed = theirs.seal("id_number", ID)
    assert crypto.load_vault(other).open("id_number", sealed) == ID
    with pytest.raises(InvalidTag):
        crypto.load_vault().open("id_number", sealed)  # this folder's key 1 is another key 1


def test_the_sealed_column_type_refuses_comparison():
    column = Column("id_cipher", crypto.Sealed("id_number"))
    with pytest.raises(TypeError, match="blind index"):
        column == ID  # noqa: B015


def test_rotate_keys_reseals_and_reindexes_every_stale_row_and_nothing_else(keys):
    engine = create_engine(f"sqlite:///{keys / 'rotate.db'}")
    meta = MetaData()
    people = Table(
        "people",
        meta,
        Column("id", Integer, primary_key=True),
        Column("id_cipher", String),
        Column("id_index", String),
        Column("mobile_cipher", String, nullable=True),
    )
    meta.create_all(engine)
    numbers = [f"3101011990010{n:05d}" for n in range(25)]
    with engine.begin() as conn:
        conn.execute(
            people.insert(),
            [
                {
                    "id": n + 1,
                    "id_cipher": crypto.seal("id_number", v),
                    "id_index": crypto.blind_index("id_number", v),
                    "mobile_cipher": crypto.seal("mobile", "13800001234") if n % 2 else None,
                }
                for n, v in enumerate(numbers)
            ],
        )
    crypto.new_key("encryption")
    crypto.new_key("index")
    table = SealedColumns(
        "people", {"id_cipher": "id_number", "mobile_cipher": "mobile"}, {"id_index": ("id_cipher", "id_number")}
    )
    assert rotate_table(engine, table, batch=7, dry_run=True) == 25
    assert rotate_table(engine, table, batch=7) == 25
    assert rotate_table(engine, table, batch=7) == 0  # nothing left under an old key
    vault = crypto.reload()
    with engine.connect() as conn:
        rows = conn.execute(select(people).order_by(people.c.id)).all()
    for (pk, sealed, index, mobile), number in zip(rows, numbers, strict=False):
        assert sealed.startswith("e2:") and vault.open("id_number", sealed) == number
        assert index == vault.index("id_number", number) and index.startswith("i2:")
        assert mobile is None if pk % 2 else vault.open("mobile", mobile) == "13800001234"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people WHERE id_cipher LIKE '%1990%'")).scalar() == 0


def test_sealed_bytes_open_to_themselves_for_their_field_only_and_under_an_old_key():
    data = ("姓名,证件号码\n张三," + ID + "\n").encode("utf-8") * 100
    old = Vault(ring(1), ring(1))
    sealed = old.seal_bytes("upload", data)
    assert ID.encode() not in sealed and sealed.startswith(b"e1:")
    assert old.open_bytes("upload", sealed) == data
    assert old.seal_bytes("upload", data) != sealed  # a fresh nonce each time
    with pytest.raises(InvalidTag):
        old.open_bytes("id_number", sealed)
    with pytest.raises(InvalidTag):
        old.open_bytes("upload", sealed[:-1] + bytes([sealed[-1] ^ 1]))
    assert Vault(ring(1, 2), ring(1)).open_bytes("upload", sealed) == data  # rotated: the old key still opens
    with pytest.raises(ValueError):
        old.open_bytes("upload", data)
