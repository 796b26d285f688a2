"""Issue 23 item 4: the embedded mode's data folder (keys, secrets, every database, mail, the bus,
logs) is its owner's alone — 0700 folders, 0600 files — whatever the umask of whoever started it,
and files an older version left readable are fixed when the system starts."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from common import config


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A data folder, and the usual umask (022: files 0644) while the test runs."""
    data = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data))
    for name in ("INTERNAL_SECRET", "GATEWAY_SECRET", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    before = os.umask(0o022)
    yield data
    os.umask(before)


def test_what_an_older_version_left_readable_is_made_owner_only_at_start(folder):
    folder.mkdir(mode=0o755)
    for name in (
        "internal.secret",
        "gateway.secret",
        "members.db",
        "members.db-wal",
        "mail/1.eml",
        "bus/messages/m.msg",
        "logs/gateway.log",
        "pii-keys.json",
    ):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        path.write_text("x")
        os.chmod(path, 0o644)
    assert config.protect_data_dir() > 0
    for root, _dirs, files in os.walk(folder):
        assert mode(root) == 0o700, root
        for name in files:
            assert mode(os.path.join(root, name)) == 0o600, name
    assert os.umask(0o022) == 0o077  # and what this process makes from now on is the owner's


def test_every_file_the_system_makes_there_is_owner_only_whatever_the_umask(folder):
    from common.bus import connect
    from common.db import make_engine
    from gateway.auth import gateway_secret
    from services.notifications.adapters.smtp import Sender

    assert len(config.internal_secret()) == 64 and len(gateway_secret()) == 64
    engine = make_engine(config.database_url("members"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x int)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert {p.name for p in folder.iterdir()} >= {"members.db", "members.db-wal"}
        for name in ("members.db", "members.db-wal", "members.db-shm"):
            if (folder / name).exists():
                assert mode(folder / name) == 0o600, name
    engine.dispose()
    with Sender() as send:
        send(7, b"Subject: x\r\n\r\nbody", ["a@example.org"])
    assert mode(folder / "mail") == 0o700 and mode(folder / "mail" / "notification-7.eml") == 0o600
    connect(config.BusSettings(url="filesystem://")).release()
    assert mode(folder / "bus") == mode(folder / "bus" / "messages") == 0o700
    for name in ("internal.secret", "gateway.secret"):
        assert mode(folder / name) == 0o600, name
    assert mode(folder) == 0o700


def test_the_processes_the_launcher_starts_make_owner_only_files(folder, tmp_path):
    from deploy.stack import Stack

    made = tmp_path / "made-by-a-child"
    stack = Stack(env=dict(os.environ), log_dir=folder / "logs")
    child = stack._spawn("probe", [sys.executable, "-c", f"open({str(made)!r}, 'w').write('x')"])
    assert child.wait(timeout=60) == 0
    assert mode(made) == 0o600
    assert mode(folder / "logs") == 0o700 and mode(folder / "logs" / "probe.log") == 0o600
