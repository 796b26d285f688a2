"""Setting a season up: the brokers and the system's processes, the clerks' clients, SQL on the
services' databases, and what the season starts from — the directory and its accounts, made
before the season's time, and the unions' spreadsheets."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partialmethod

import requests

from bench.members_common import person_id, workbook
from bench.season.report import say
from common.clock import real_utcnow_naive

TYPES = ("A", "A+", "B", "B+")
PASSWORD = "Season@2026pass"
IMPORT_HEADER = [
    "姓名",
    "有效证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "联系地址",
    "移动电话",
    "学历",
    "户籍类型",
    "技术等级",
    "工会职务",
]
MAX_ROWS = 1000
CENTRE_PASSWORD = "Demo@2026pass"  # deploy.seed's demo accounts (tests/system.py)
PROVISIONING_CLIENTS = 8  # threads creating the directory before the season (not timed)
E, B, M = "/api/v1/enrollment", "/api/v1/billing", "/api/v1/members"
SERVICES = ("members", "enrollment", "billing", "documents")  # the databases the season reads most


def ok(response, *status):
    status = status or (200,)
    assert response.status_code in status, (
        f"{response.request.method} {response.request.url} → {response.status_code} {response.text[:400]}"
    )
    return response.json() if "json" in response.headers.get("Content-Type", "") else response


@dataclass
class Union:
    index: int
    id: int
    district: int  # district index
    username: str
    first: int  # first person number of its own members
    size: int
    session: object = None
    type: str = "A"
    name: str = ""
    submission: int | None = None
    expected: int = 0


@dataclass
class District:
    index: int
    id: int
    name: str
    username: str
    session: object = None
    unions: list = field(default_factory=list)
    batch: dict | None = None
    pays: bool = True
    instant_batch: dict | None = None


class Clerk:
    """A clerk's client through the gateway (bearer token). An access token lives 15 minutes: the
    session (tests/system.py) renews it with its refresh token on TOKEN_EXPIRED (decision 0037);
    only if that is refused (the session's 8 hours are over, or it was ended) does the clerk log
    in again and send the request again — each such login counted with `count`."""

    def __init__(self, system, username: str, password: str, count):
        self.system, self.username, self.password, self.count = system, username, password, count
        self._lock = threading.Lock()
        self.session = self._login()

    def _login(self):
        for attempt in range(30):
            try:
                return self.system.login(self.username, self.password)
            except requests.RequestException:
                time.sleep(1)
        return self.system.login(self.username, self.password)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        session = self.session
        response = session.request(method, path, **kwargs)
        if response.status_code == 401 and "TOKEN_EXPIRED" in response.text:
            with self._lock:
                if self.session is session:
                    self.session = self._login()
                    self.count("logins again (token expired)")
            response = self.session.request(method, path, **kwargs)
        return response

    get = partialmethod(request, "GET")
    post = partialmethod(request, "POST")
    put = partialmethod(request, "PUT")


def retrying(call, attempts: int = 30):
    """A client's retry: a refused connection or a 502/503 from a process that is being
    restarted is sent again (the request is idempotent, or all-or-nothing)."""
    for attempt in range(attempts):
        try:
            response = call()
        except requests.ConnectionError:
            time.sleep(1)
            continue
        if response.status_code in (502, 503, 504):
            time.sleep(1)
            continue
        return response
    return call()


class Databases:
    """SQL on the system's databases (an engine each, made when first used) and the bus
    settings the system runs with."""

    def __init__(self, system):
        self.system = system
        self._engines = None
        self._other_engines = {}

    @property
    def engines(self):
        """The services' engines (`SERVICES`): the databases with outboxes and inboxes."""
        if self._engines is None:
            self._engines = {c: self.system.db(c) for c in SERVICES}
        return self._engines

    def engine(self, component: str):
        if component in self.engines:
            return self.engines[component]
        if component not in self._other_engines:
            self._other_engines[component] = self.system.db(component)
        return self._other_engines[component]

    def sql(self, component: str, query: str, **params):
        from sqlalchemy import text

        with self.engine(component).connect() as conn:
            return list(conn.execute(text(query), params))

    @property
    def settings(self):
        from common.config import BusSettings

        env = self.system.env
        return BusSettings(url=env["BUS_URL"], exchange=env["BUS_EXCHANGE"], queue_prefix=env["BUS_QUEUE_PREFIX"])


def card_number(n: int) -> str:
    return f"6222{n:012d}"


def provision(system, args, centre: Clerk) -> tuple[list[District], list[Union]]:
    """Provisioning, before the season and outside its time: the centre creates the districts and
    unions (through the gateway, `PROVISIONING_CLIENTS` at once) and their accounts (in one
    statement, every account with the same precomputed argon2id hash: a real centre creates them
    weeks ahead, and hashing 10,000 passwords one request at a time is not the season)."""
    say("-- provisioning (before the season: not counted)")
    started = time.perf_counter()
    provisioning = ThreadPoolExecutor(max_workers=max(PROVISIONING_CLIENTS, args.clients))

    def district(i):
        d = ok(
            centre.post(
                f"{M}/districts",
                json={"name": f"季测区{i:03d}总工会", "kind": "district", "special_industry": i % 7 == 6},
            ),
            201,
        )
        return District(i, d["id"], d["name"], f"season-d{i}")

    districts = list(provisioning.map(district, range(args.districts)))
    from deploy.seed import credit_code

    def union(i):
        d = districts[i % args.districts]
        u = ok(
            centre.post(
                f"{M}/unions",
                json={
                    "name": f"季测单位{i:05d}工会",
                    "credit_code": credit_code(f"91310000MB{i:07d}"),
                    "district_id": d.id,
                    "contact_person": "联系人",
                    "phone": "13800000000",
                },
            ),
            201,
        )
        return Union(
            i,
            u["id"],
            d.index,
            f"season-u{i}",
            first=2_000_000 + i * args.members,
            size=args.members,
            type=TYPES[i % len(TYPES)],
            name=u["name"],
        )

    unions = list(provisioning.map(union, range(args.unions)))
    provisioning.shutdown()
    directory_done = time.perf_counter()
    provision_accounts(system, districts, unions)
    for u in unions:
        districts[u.district].unions.append(u)
    say(
        f"   provisioning: {len(districts)} districts and {len(unions)} unions through the gateway "
        f"{directory_done - started:.1f} s, {len(districts) + len(unions)} accounts in one statement "
        f"{time.perf_counter() - directory_done:.1f} s"
    )
    return districts, unions


def provision_accounts(system, districts: list[District], unions: list[Union]) -> None:
    """Every district's and union's account in one INSERT, all with one argon2id hash of the
    season's password made with the gateway's own parameters (gateway.auth.hash_password)."""
    from sqlalchemy import create_engine, text

    from gateway.auth import hash_password

    digest = hash_password(PASSWORD)
    now = real_utcnow_naive()
    rows = [
        {"u": d.username, "n": d.name, "h": digest, "r": "district", "union": None, "district": d.id} for d in districts
    ]
    rows += [
        {
            "u": u.username,
            "n": u.name,
            "h": digest,
            "r": "grassroots",
            "union": u.id,
            "district": districts[u.district].id,
        }
        for u in unions
    ]
    engine = create_engine(system.databases["gateway"])
    try:
        with engine.begin() as conn:
            conn.execute(
                text("""INSERT INTO accounts (username, display_name, password_hash, role, union_id,
                                     district_id, active, created_at, password_changed_at, session_epoch)
                                 VALUES (:u, :n, :h, :r, :union, :district, true, :t, :t, 0)"""),
                [{**row, "t": now} for row in rows],
            )
    finally:
        engine.dispose()


def prepare_files(unions: list[Union]) -> tuple[list, list]:
    """Each union's import files and the bank's card lists, ≤ 1,000 rows a file: the clerks'
    own spreadsheets, ready before the season (writing 20,000 workbooks is ~25 ms each of
    the benchmark's CPU, not the system's). Returns (import files, card files)."""
    import_files, card_files = [], []
    for u in unions:
        for start in range(u.first, u.first + u.size, MAX_ROWS):
            numbers = range(start, min(start + MAX_ROWS, u.first + u.size))
            rows = [
                [
                    f"季测{n}",
                    "身份证",
                    person_id(n),
                    "",
                    "",
                    "上海市黄浦区",
                    f"139{n % 10**8:08d}",
                    "大学本科",
                    "非农业",
                    "",
                    "",
                ]
                for n in numbers
            ]
            import_files.append((u, workbook([IMPORT_HEADER, *rows]), len(rows)))
            card_files.append(
                (
                    u,
                    workbook(
                        [
                            ["证件号码", "卡号", "办卡日期"],
                            *[[person_id(n), card_number(n), "2019-06-01"] for n in numbers],
                        ]
                    ),
                )
            )
    return import_files, card_files


@contextmanager
def system_up(args, broker_kind: str = "shared"):
    """The brokers (the shared one, a private node, or a private 3-node cluster) and the whole
    system on them, as (system, brokers); both stopped on leaving, however it is left."""
    from tests.integration.private_broker import PrivateBroker, PrivateCluster

    brokers = None
    if broker_kind == "cluster":
        brokers = PrivateCluster(3).start()
    elif broker_kind == "private":
        brokers = PrivateBroker().start()
    extra = {"WEB_WORKERS": str(args.web_workers), "BUS_CONNECT_TIMEOUT": "2", "BUS_CONFIRM_TIMEOUT": "5"}
    # Every import and card list counts against a union's daily ID lookups (decision 0021): a
    # union whose import is resent after a fault, then sends its cards, may pass 3 × its roster on
    # the one day. The season measures throughput, not the quota: the quota is still decided.
    extra["ID_LOOKUP_FLOOR"] = str(10**9)
    if brokers is not None:
        extra["BUS_URL"] = brokers.url
        os.environ["TEST_AMQP_URL"] = brokers.nodes[0].url if hasattr(brokers, "nodes") else brokers.url
    from tests.system import System

    system = None
    try:
        system = System(extra_env=extra).start()
        say(f"system up; logs in {system.tmp / 'logs'}; broker: {broker_kind}")
        yield system, brokers
    finally:
        if system is not None:
            system.stop()
        if brokers is not None:
            brokers.destroy()
