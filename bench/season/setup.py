"""Setting a season up: the brokers and the system's processes, the clerks' clients, SQL on the
services' databases, and what the season starts from — the directory and its accounts, made
before the season's time through the product's bulk provisioning and activation links, and the
unions' spreadsheets."""

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
    """Provisioning, before the season and outside its time, the way the product does it
    (工会批量导入, decision 0039): the centre uploads one workbook of the districts and unions with
    their clerks through the gateway and waits for its job; the gateway makes every clerk's
    account inactive and queues its activation mail; each clerk opens the mailed link and sets
    the season's password (`POST /auth/link/password`, `PROVISIONING_CLIENTS` at once). The
    special-industry districts are then marked so by the centre (`PATCH /districts/{id}`)."""
    say("-- provisioning (before the season: not counted)")
    started = time.perf_counter()
    from deploy.seed import credit_code

    district_names = [f"季测区{i:03d}总工会" for i in range(args.districts)]
    rows = [
        [
            "区局（产业）工会",
            name,
            "",
            "",
            "区局工会",
            f"区代办员{i}",
            f"1370000{i:04d}",
            f"season-d{i}@example.cn",
            f"season-d{i}",
        ]
        for i, name in enumerate(district_names)
    ]
    rows += [
        [
            "基层工会",
            f"季测单位{i:05d}工会",
            credit_code(f"91310000MB{i:07d}"),
            district_names[i % args.districts],
            "",
            "联系人",
            f"139{i:08d}",
            f"season-u{i}@example.cn",
            f"season-u{i}",
        ]
        for i in range(args.unions)
    ]
    data = workbook([BULK_HEADER, *rows])
    job = ok(centre.post(f"{M}/uploads/unions", files={"file": ("季测工会.xlsx", data)}), 202)
    while job["state"] == "running":
        time.sleep(1)
        job = ok(centre.get(f"{M}/uploads/{job['id']}"))
    assert job["state"] == "succeeded", job
    loaded = time.perf_counter()
    by_name = {d["name"]: d for d in ok(centre.get(f"{M}/districts"))}
    districts = [District(i, by_name[n]["id"], n, f"season-d{i}") for i, n in enumerate(district_names)]
    for d in districts:
        if d.index % 7 == 6:
            ok(centre.request("PATCH", f"{M}/districts/{d.id}", json={"special_industry": True}))
    codes: dict[str, dict] = {}
    page = 1
    while True:  # every page: the directory holds the demo's unions beside the season's
        items = ok(centre.get(f"{M}/unions", params={"page": page, "per_page": 500}))["items"]
        codes.update((u["credit_code"], u) for u in items)
        if len(items) < 500:
            break
        page += 1
    unions = []
    for i in range(args.unions):
        u = codes[credit_code(f"91310000MB{i:07d}")]
        unions.append(
            Union(
                i,
                u["id"],
                i % args.districts,
                f"season-u{i}",
                first=2_000_000 + i * args.members,
                size=args.members,
                type=TYPES[i % len(TYPES)],
                name=u["name"],
            )
        )
    for u in unions:
        districts[u.district].unions.append(u)
    tokens = activation_tokens(system, len(districts) + len(unions))
    mailed = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(PROVISIONING_CLIENTS, args.clients)) as pool:
        list(pool.map(lambda token: activate(system, token), tokens.values()))
    say(
        f"   provisioning: {len(districts)} districts and {len(unions)} unions from one workbook "
        f"{loaded - started:.1f} s, {len(tokens)} activation mails {mailed - loaded:.1f} s, "
        f"activated {time.perf_counter() - mailed:.1f} s"
    )
    return districts, unions


BULK_HEADER = [
    "层级",
    "名称",
    "统一社会信用代码",
    "所属区局（产业）工会",
    "区局类型",
    "代办员姓名",
    "代办员手机",
    "代办员邮箱",
    "用户名",
]


def activation_tokens(system, expected: int, timeout: float = 600) -> dict[str, str]:
    """user name → the activation link's token, read from the mails the notifications service
    sent (with no SMTP server it writes them under DATA_DIR/mail) — as a clerk reads the mail."""
    import email
    import re

    folder = system.tmp / "mail"
    deadline = time.monotonic() + timeout
    tokens: dict[str, str] = {}
    seen: set = set()
    while True:
        for path in folder.glob("*account-link-*.eml") if folder.exists() else ():
            if path in seen:
                continue
            seen.add(path)
            message = email.message_from_bytes(path.read_bytes())
            part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
            body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            name = re.search(r"用户名：([^）]+)）", body)
            token = re.search(r"#t=([A-Za-z0-9_-]+)", body)
            if name and token and name.group(1).startswith("season-"):
                tokens[name.group(1)] = token.group(1)
        if len(tokens) >= expected:
            return tokens
        assert time.monotonic() < deadline, f"{len(tokens)} of {expected} activation mails after {timeout:.0f} s"
        time.sleep(1)


def activate(system, token: str) -> None:
    """The clerk sets the season's password from the link (the page's own request)."""
    url = system.base + "/api/v1/auth/link/password"
    ok(retrying(lambda: requests.post(url, json={"token": token, "new_password": PASSWORD}, timeout=60)))


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
