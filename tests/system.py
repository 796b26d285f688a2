"""The whole system as real processes over real PostgreSQL and RabbitMQ, for integration and
end-to-end tests: fresh databases, a bus namespace of its own (exchange and queue prefix), free
ports, migrations, topology, demo accounts, and a clock file the test can move.

    def test_something(system):
        centre = system.login("centre")
        centre.get("/api/v1/members/unions")
        system.set_clock("2019-11-05T10:00:00")
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import requests

from common.config import ROOT, SERVICES
from tests.conftest import AMQP_URL, create_database, drop_database
from tests.season import wait_for

COMPONENTS = ("gateway", *SERVICES)
PASSWORD = "Demo@2026pass"


_PORTS_GIVEN: set[int] = set()


def _below_ephemeral() -> tuple[int, int] | None:
    """Ports under the kernel's ephemeral range, which it never gives an outgoing connection."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return (15000, low - 1) if low > 20000 else None


def free_port() -> int:
    """A port for one of a test system's servers, free now and never given twice by this process.
    Not a port the kernel picks (bind to 0): that comes from the range outgoing connections use,
    and in the seconds before the server binds it (migrations and seeding run first) another
    socket can take it — a gateway once found its port taken and the test's logins went elsewhere."""
    below = _below_ephemeral()
    for _ in range(500 if below else 0):
        port = random.randint(*below)
        if port in _PORTS_GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _PORTS_GIVEN.add(port)
        return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        _PORTS_GIVEN.add(s.getsockname()[1])
        return s.getsockname()[1]


# A JSON string that is a moment without an offset ("2026-12-02T17:56" or "…17:56:03.123").
NAIVE_TIMESTAMP = re.compile(r'"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"')


# An 18-character resident ID number in full (GB 11643: area, birth date, serial, check character).
FULL_RESIDENT_ID_TEXT = re.compile(
    r"(?<![\dA-Za-z])(\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![\dA-Za-z])"
)
FULL_RESIDENT_ID = re.compile(r'"(\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])"')
# Where a person in scope needs the number in full (PIPL art. 28, 51; issue 14): a member's own
# record — its detail and the answers to creating or editing that one member — and an audited reveal.
FULL_ID_ALLOWED = re.compile(
    r"^(POST /api/v1/members/members|[A-Z]+ /api/v1/members/members/\d+(/card|/id-number-reveals)?"
    r"|POST /api/v1/members/me/id-number-reveals)/?$"  # a member's own number, on request (decision 0041)
)


# A list upload's errors show the cells as the clerk typed them (issue 24): to the union that
# uploaded the file only (its own file); a district or the centre reads them masked.
FULL_ID_OWN_FILE = re.compile(r"^(POST /api/v1/members/uploads/[a-z-]+|GET /api/v1/members/uploads/\d+(/errors)?)/?$")


def assert_no_full_id_numbers(method: str, path: str, response: requests.Response, role: str | None = None) -> None:
    """Every answer of every e2e request: no full resident ID number outside the allowed views."""
    request = f"{method} {path.split('?')[0]}"
    if (
        "json" not in response.headers.get("Content-Type", "")
        or FULL_ID_ALLOWED.match(request)
        or (role == "grassroots" and FULL_ID_OWN_FILE.match(request))
    ):
        return
    found = FULL_RESIDENT_ID.findall(response.text)
    assert not found, f"{method} {path} answered full ID numbers {[n[:4] + '…' for n in found[:3]]}"


def assert_no_naive_timestamps(method: str, path: str, response: requests.Response) -> None:
    """Every answer of every e2e request: a moment carries its offset (SPEC §7, decision 0015)."""
    if "json" not in response.headers.get("Content-Type", ""):
        return
    naive = NAIVE_TIMESTAMP.findall(response.text)
    assert not naive, f"{method} {path} answered naive timestamps {naive[:3]}"


class Session:
    """An HTTP client logged in through the gateway with a bearer token. When the access token
    has expired (401 TOKEN_EXPIRED) it trades its refresh token for a new pair once and sends the
    request again, as an API client should (docs/decisions/0037-refresh-tokens.md); `refreshes`
    counts how often."""

    def __init__(self, base: str, token: str, account: dict, refresh_token: str | None = None):
        self.base = base
        self.account = account
        self.refresh_token = refresh_token
        self.refreshes = 0
        self._lock = threading.Lock()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 120)
        sent_with = self.http.headers["Authorization"]
        response = self.http.request(method, self.base + path, **kwargs)
        if response.status_code == 401 and "TOKEN_EXPIRED" in response.text and self.refresh(sent_with):
            response = self.http.request(method, self.base + path, **kwargs)
        assert_no_naive_timestamps(method, path, response)
        assert_no_full_id_numbers(method, path, response, self.account.get("role"))
        return response

    def refresh(self, expired: str) -> bool:
        """Renew the pair once for every thread that saw `expired` fail; False if it cannot."""
        with self._lock:
            if self.http.headers["Authorization"] != expired:
                return True  # another thread renewed it meanwhile
            if self.refresh_token is None:
                return False
            answer = requests.post(
                self.base + "/api/v1/auth/refresh", json={"refresh_token": self.refresh_token}, timeout=30
            )
            if answer.status_code != 200:
                return False
            body = answer.json()
            self.refresh_token = body["refresh_token"]
            self.http.headers["Authorization"] = f"Bearer {body['access_token']}"
            self.refreshes += 1
            return True

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def delete_bus_namespace(exchange: str, queue_prefix: str) -> None:
    """Remove a test run's queues and exchanges from the shared broker. Quorum queues each hold
    files open; left behind run after run they exhaust the broker's file descriptors."""
    import amqp

    from common.config import BusSettings
    from deploy.topology import all_subscriptions

    settings = BusSettings(url=AMQP_URL, exchange=exchange, queue_prefix=queue_prefix)
    host = AMQP_URL.split("@")[-1].split("/")[0]
    try:
        conn = amqp.Connection(host, userid="guest", password="guest", connect_timeout=5)
        conn.connect()
    except Exception:  # noqa: BLE001 - a broker test may have left it down; nothing to clean
        return
    try:
        for sub in all_subscriptions():
            name = sub.queue_name(settings)
            for queue in (name, name + ".dlq"):
                channel = conn.channel()
                try:
                    channel.queue_delete(queue)
                    channel.close()
                except Exception:  # noqa: BLE001 - already gone
                    pass
        for name in (settings.exchange, settings.dead_letter_exchange):
            channel = conn.channel()
            try:
                channel.exchange_delete(name)
                channel.close()
            except Exception:  # noqa: BLE001
                pass
    finally:
        conn.close()


class System:
    def __init__(self, clock: str | None = None, extra_env: dict | None = None):
        from deploy.stack import METRICS_PORTS, Stack

        self.run_id = uuid.uuid4().hex[:8]
        self.tmp = Path(tempfile.mkdtemp(prefix=f"union-system-{self.run_id}-"))
        self.clock_file = self.tmp / "clock"
        self.clock_file.write_text(clock or "")
        self.databases = {c: create_database(c) for c in COMPONENTS}
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
        env.update(
            {
                "DATA_DIR": str(self.tmp),
                "BUS_URL": AMQP_URL,
                "BUS_EXCHANGE": f"test.{self.run_id}",
                "BUS_QUEUE_PREFIX": f"test.{self.run_id}.",
                "CLOCK_FILE": str(self.clock_file),
                "INTERNAL_SECRET": "system-internal-" + uuid.uuid4().hex,
                "GATEWAY_SECRET": "system-gw-" + uuid.uuid4().hex,
                "COOKIE_SECURE": "0",
                "BUS_DELIVERY_LIMIT": "3",
            }
        )
        env.update({f"{c.upper()}_DATABASE_URL": url for c, url in self.databases.items()})
        env.update(extra_env or {})
        self.env = env
        self.ports = {c: free_port() for c in COMPONENTS}
        self.metrics_ports = {name: free_port() for name in METRICS_PORTS}
        self.stack = Stack(env=env, ports=self.ports, log_dir=self.tmp / "logs", metrics_ports=self.metrics_ports)
        self.base = f"http://127.0.0.1:{self.ports['gateway']}"
        self._prepare()

    def python(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `python <args>` with this system's environment (migrations, seeding, CLIs)."""
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.stack.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def _prepare(self) -> None:
        self.python("-m", "common.migrate", "upgrade")
        self.python("-m", "deploy.topology", "declare")
        self.python("-m", "deploy.seed")

    def start(self) -> System:
        self.stack.start_all()
        return self

    def set_clock(self, iso: str) -> None:
        self.clock_file.write_text(iso)

    def login(self, username: str, password: str = PASSWORD) -> Session:
        response = requests.post(
            self.base + "/api/v1/auth/login", json={"username": username, "password": password}, timeout=30
        )
        response.raise_for_status()
        body = response.json()
        return Session(self.base, body["access_token"], body["account"], body.get("refresh_token"))

    def sms_code(self, mobile: str, after: int = 0) -> str:
        """The newest sign-in code the embedded SMS adapter wrote to `mobile` (DATA_DIR/sms), once
        more than `after` messages have gone to it (the message leaves off the request's path)."""
        from common.sms import read_messages

        def codes():
            return [re.search(r"\d{6}", text).group(0) for to, text in read_messages(self.tmp / "sms") if to == mobile]

        self.wait_for(lambda: len(codes()) > after, timeout=30, message=f"a code sent to {mobile[:3]}…")
        return codes()[-1]

    def sms_count(self, mobile: str) -> int:
        from common.sms import read_messages

        return sum(1 for to, _ in read_messages(self.tmp / "sms") if to == mobile)

    def member_login(self, id_number: str, mobile: str) -> Session:
        """个人登录 (decision 0041): a code to the mobile, read from DATA_DIR/sms, then a bearer token."""
        before = self.sms_count(mobile)
        asked = requests.post(
            self.base + "/api/v1/auth/member/code", json={"id_number": id_number, "mobile": mobile}, timeout=30
        )
        asked.raise_for_status()
        code = self.sms_code(mobile, before)
        response = requests.post(
            self.base + "/api/v1/auth/member/sign-in", json={"id_number": id_number, "code": code}, timeout=30
        )
        response.raise_for_status()
        body = response.json()
        return Session(self.base, body["access_token"], body["account"], body.get("refresh_token"))

    def wait_for(self, predicate, timeout: float = 30, interval: float = 0.2, message: str = "condition"):
        try:
            return wait_for(predicate, timeout, interval, f"{message}; logs in {self.tmp / 'logs'}")
        except AssertionError as timed_out:
            # the logs are gone once the run ends (CI keeps only what pytest printed): say what they said
            raise AssertionError(f"{timed_out}\n{self.log_warnings()}") from None

    def log_warnings(self, per_log: int = 5) -> str:
        """The last few warnings and errors of each process's log, for a failure message."""
        lines = []
        for log in sorted((self.tmp / "logs").glob("*")):
            text = log.read_text(encoding="utf-8", errors="replace").splitlines()
            worst = [line[:400] for line in text if '"WARNING"' in line or '"ERROR"' in line or "Traceback" in line]
            lines += [f"{log.name}: {line}" for line in worst[-per_log:]]
        return "\n".join(lines) or "(no warnings or errors in any log)"

    def db(self, component: str):
        """A SQLAlchemy engine on a component's database (for asserting read models)."""
        from sqlalchemy import create_engine

        return create_engine(self.databases[component])

    def id_numbers_in_logs(self) -> list[str]:
        """Every full resident ID number any process wrote to its log (there must be none)."""
        found = []
        for log in sorted((self.tmp / "logs").glob("*")):
            text = log.read_text(encoding="utf-8", errors="replace")
            found += [f"{log.name}: {m[:4]}…" for m in FULL_RESIDENT_ID_TEXT.findall(text)]
        return found

    def stop(self) -> None:
        self.stack.stop_all()
        delete_bus_namespace(self.env["BUS_EXCHANGE"], self.env["BUS_QUEUE_PREFIX"])
        for url in self.databases.values():
            with contextlib.suppress(Exception):  # leave it; the name is unique
                drop_database(url)
        # PIPL (issue 14): logs never hold an ID number, whatever the season did.
        leaked = self.id_numbers_in_logs()
        assert not leaked, f"full ID numbers in the logs: {leaked[:5]}"
