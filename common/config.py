"""Settings come from the environment only; defaults give the embedded mode (SQLite + a
file-system bus under one data folder), so a fresh checkout runs without any server."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("members", "enrollment", "billing", "documents", "notifications")


# The data folder holds the keys, the secrets, every database, mail and the bus: its owner's
# alone (issue 23 item 4). Everything in it is made owner-only where it is made, and
# protect_data_dir() fixes what an older version left readable.
PRIVATE_UMASK = 0o077
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def data_dir() -> Path:
    path = Path(os.environ.get("DATA_DIR", ROOT / "data")).resolve()
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    return path


def protect_data_dir() -> int:
    """From now on this process (and what it starts) makes files for its owner alone (umask 077);
    the data folder and everything in it that the owner owns become 0700 (folders) / 0600 (files).
    Returns how many modes were changed. Called when the embedded system starts (deploy/launch)."""
    os.umask(PRIVATE_UMASK)
    root = data_dir()
    changed = 0
    uid = os.getuid()

    def restrict(path: Path, mode: int) -> None:
        nonlocal changed
        info = path.lstat()
        if info.st_uid == uid and (info.st_mode & 0o777) != mode and not path.is_symlink():
            os.chmod(path, mode)
            changed += 1

    restrict(root, PRIVATE_DIR)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            restrict(Path(folder) / name, PRIVATE_DIR)
        for name in files:
            restrict(Path(folder) / name, PRIVATE_FILE)
    return changed


def write_private(path: Path, data: bytes) -> None:
    """Write a file of the data folder owner-only from its first byte, atomically (a temporary
    file beside it, then a rename), whatever the process's umask."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # O_CREAT's mode is not applied to a file that already existed
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def private_folder(path: Path) -> Path:
    """A folder of the data folder (mail, bus …), made owner-only with any parent it makes."""
    if not path.is_dir():
        private_folder(path.parent)
        path.mkdir(exist_ok=True, mode=PRIVATE_DIR)
    return path


def database_url(service: str) -> str:
    """`<SERVICE>_DATABASE_URL`, else a SQLite file of the service's own under DATA_DIR. A plain
    `postgresql://` URL (as CloudNativePG's `<cluster>-app` secret gives it) means psycopg 3."""
    url = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if url and url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url or f"sqlite:///{data_dir() / (service + '.db')}"


def bus_url() -> str:
    """`BUS_URL` (e.g. amqp://guest:guest@127.0.0.1:5672//), else the file-system transport."""
    return os.environ.get("BUS_URL", "filesystem://")


def service_url(service: str) -> str:
    default_ports = {"members": 8101, "enrollment": 8102, "billing": 8103, "documents": 8104, "notifications": 8105}
    return os.environ.get(f"{service.upper()}_URL", f"http://127.0.0.1:{default_ports[service]}")


@dataclass(frozen=True)
class BusSettings:
    url: str = field(default_factory=bus_url)
    exchange: str = field(default_factory=lambda: os.environ.get("BUS_EXCHANGE", "union.events"))
    # Prefix for queue names, so that test runs on a shared broker never see each other.
    queue_prefix: str = field(default_factory=lambda: os.environ.get("BUS_QUEUE_PREFIX", ""))
    delivery_limit: int = field(default_factory=lambda: int(os.environ.get("BUS_DELIVERY_LIMIT", "5")))
    confirm_timeout: float = field(default_factory=lambda: float(os.environ.get("BUS_CONFIRM_TIMEOUT", "10")))
    connect_timeout: float = field(default_factory=lambda: float(os.environ.get("BUS_CONNECT_TIMEOUT", "3")))

    @property
    def dead_letter_exchange(self) -> str:
        return self.exchange + ".dlx"

    @property
    def is_amqp(self) -> bool:
        return self.url.startswith(("amqp://", "amqps://", "pyamqp://"))

    def queue_name(self, service: str, consumer: str) -> str:
        return f"{self.queue_prefix}{service}.{consumer}"


def secret(env_name: str, filename: str) -> str:
    """A key from the environment, or — in the embedded mode — one made once per data folder and
    kept in a file there (written atomically, so two processes starting together agree)."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = data_dir() / filename
    if not path.exists():
        import secrets

        write_private(path, secrets.token_hex(32).encode())
    return path.read_text().strip()


def internal_secret() -> str:
    """Key for the gateway-signed internal identity."""
    return secret("INTERNAL_SECRET", "internal.secret")
