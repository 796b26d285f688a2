"""The season's phases, in order on the business clock of the 2020 cover year — the clerks'
logins, configuration, imports, approvals, cards, syncs, submissions, district reviews, batches,
payments, the overdue job, instant enrolment, drained — each timed in the season's record, with
the faults acted where they belong; `Season.run` plays them, then the summary and the checker."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import requests

from bench.members_common import person_id, workbook
from bench.season.faults import Faults
from bench.season.report import Phase, Record, checked, say
from bench.season.setup import (
    CENTRE_PASSWORD,
    PASSWORD,
    SERVICES,
    B,
    Clerk,
    Databases,
    E,
    M,
    ok,
    prepare_files,
    provision,
    retrying,
)
from common.clock import real_utcnow_naive


class Season:
    """One season on a running system: its directory and clerks, its phases in order, the faults
    it was asked for (`faults`), its record (`record`, `notes`) and, once run, the checker's
    report (`report`)."""

    def __init__(self, args, system, brokers=None):
        self.args, self.system, self.brokers = args, system, brokers
        self.db = Databases(system)
        self.record = Record(system)
        self.faults = Faults(args.faults, system, brokers, self.db, self.record, args.outage)
        self.pool = ThreadPoolExecutor(max_workers=args.clients)
        self.unions: list = []
        self.districts: list = []
        self.explained: set[str] = set()
        self.supervisor_stop = threading.Event()
        self.supervisor = threading.Thread(target=system.stack.supervise, args=(self.supervisor_stop,), daemon=True)
        system.stack.say = self.record.note
        self.supervisor.start()

    @property
    def notes(self) -> list[str]:
        return self.record.notes

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def phase(self, name: str, clock: str | None = None):
        if clock:
            self.system.set_clock(clock)
        with self.record.phase(name) as phase:
            yield phase

    def run_units(self, phase: Phase, items, work) -> list:
        """The first item alone (timed: the stage), then the rest `--clients` at once."""
        items = list(items)
        if not items:
            return []
        started = time.perf_counter()
        first = work(items[0])
        phase.unit_alone, phase.units = time.perf_counter() - started, len(items)
        return [first, *self.pool.map(work, items[1:])]

    def wait(self, predicate, what: str, timeout: float = 600, interval: float = 0.5):
        return self.system.wait_for(predicate, timeout=timeout, interval=interval, message=what)

    def login(self, username: str, password: str = PASSWORD) -> Clerk:
        return Clerk(self.system, username, password, self.record.count)

    # ------------------------------------------------------------------ phases
    def directory(self):
        """Provisioning before the season and outside its time (setup.provision), and the unions'
        files. Then the season's first phase: every clerk logs in, the argon2id check a season
        really pays."""
        a = self.args
        centre = self.centre = self.login("centre", CENTRE_PASSWORD)
        self.system.set_clock("2019-10-01T09:00:00")
        self.districts, self.unions = provision(self.system, a, centre)
        files_started = time.perf_counter()
        self.import_files, self.card_files = prepare_files(self.unions)
        say(
            f"   the unions' files (imports, the bank's card lists) written: "
            f"{time.perf_counter() - files_started:.1f} s"
        )
        self.season_started = time.perf_counter()  # the season's total starts here
        with self.phase(f"logins ({a.districts} districts, {a.unions} unions)", "2019-10-01T09:00:00") as phase:
            clerks = [*self.districts, *self.unions]
            for who, session in zip(
                clerks, self.run_units(phase, clerks, lambda who: self.login(who.username)), strict=False
            ):
                who.session = session
        # the last districts fail to pay (at least one when there are two or more)
        failing = max(1 if a.districts >= 2 else 0, round(a.districts * a.failing))
        for d in self.districts[len(self.districts) - failing :]:
            d.pays = False

    def configuration(self):
        from tests.season import HANDLER, TIMELINE, price_entries

        self.handler = HANDLER
        centre = self.centre
        with self.phase("configuration", "2019-10-01T09:00:00") as phase:
            ok(centre.put(f"{E}/cover-years/2020", json=TIMELINE), 200, 201)
            self.wait(
                lambda: centre.put(f"{B}/price-tables/2020", json={"entries": price_entries()}).status_code == 200,
                "billing takes the price table",
                timeout=120,
            )
            self.system.set_clock("2019-10-26T10:00:00")
            split = {
                "types": {
                    "A": {"district_share": "13", "grassroots_share": "0"},
                    "A+": {"district_share": "50", "grassroots_share": "13"},
                    "B": {"district_share": "40", "grassroots_share": "10"},
                    "B+": {"district_share": "100", "grassroots_share": "0"},
                }
            }

            # a special-industry district gets less city subsidy: its shares make up the rest
            special = {
                "types": {
                    "A": {"district_share": "19.5", "grassroots_share": "0"},
                    "A+": {"district_share": "56.5", "grassroots_share": "13"},
                    "B": {"district_share": "50", "grassroots_share": "17.5"},
                    "B+": {"district_share": "117.5", "grassroots_share": "0"},
                }
            }

            def set_split(d):
                def accepted():
                    response = d.session.put(f"{B}/splits/2020", json=special if d.index % 7 == 6 else split)
                    assert response.status_code != 422, response.text  # wrong, not early: fail now
                    return response.status_code == 200

                self.wait(accepted, f"split of {d.name}", timeout=120)

            self.run_units(phase, self.districts, set_split)

    def imports(self):
        files = self.import_files
        fault_at = {len(files) // 3: "web", len(files) // 2: "broker"}
        done = {"n": 0}
        lock = threading.Lock()

        def upload(item):
            u, data, n = item
            with lock:
                done["n"] += 1
                fault = fault_at.get(done["n"])
            if fault == "web" and "web" in self.faults:
                threading.Timer(0.15, self.faults.kill_web, args=("members",)).start()
            if fault == "broker" and "broker" in self.faults:
                threading.Thread(target=self.faults.broker_outage, daemon=True).start()
            post = lambda: u.session.post(
                f"{M}/uploads/import",
                files={"file": ("import.xlsx", data, "application/octet-stream")},
            )
            response = retrying(post)
            if response.status_code == 409 and "UPLOAD_IN_PROGRESS" in response.text and self.faults.web_killed_at:
                self.faults.clear_stale_upload(u)
                response = retrying(post)
            body = ok(response)
            # a file sent again after its first sending was applied (the answer lost with the
            # killed process) adds nothing: its rows are there, unchanged
            assert body["rows"] == n and body["added"] + body["updated"] <= n, body
            return body

        with self.phase("imports (≤ 1,000 rows a file)", "2019-10-27T09:00:00") as phase:
            self.run_units(phase, files, upload)
            if "broker" in self.faults:
                self.wait(lambda: self.faults.outage_done, "the broker outage to end", timeout=300)

    def approvals(self):
        def approve(d):
            while True:
                page = ok(retrying(lambda: d.session.get(f"{M}/members?status=pending&per_page=500&with_total=false")))
                ids = [m["id"] for m in page["items"]]
                if not ids:
                    return
                ok(retrying(lambda: d.session.post(f"{M}/members/approvals", json={"member_ids": ids})))

        with self.phase("approvals") as phase:
            if "kill" in self.faults:
                threading.Thread(
                    target=self.faults.kill_workers, args=(("members-worker", "enrollment-worker"),), daemon=True
                ).start()
            self.run_units(phase, self.districts, approve)

    def cards(self):
        """Each union records its members' cards from the bank's list (≤ 1,000 rows a file). The
        centre may upload card lists too, but one at a time: its uploads share one lock."""
        files = self.card_files

        def upload(item):
            u, data = item
            return ok(
                retrying(
                    lambda: u.session.post(
                        f"{M}/uploads/cards", files={"file": ("cards.xlsx", data, "application/octet-stream")}
                    )
                )
            )

        with self.phase("cards (the bank's lists)") as phase:
            if "kill" in self.faults:
                threading.Thread(
                    target=self.faults.kill_workers,
                    args=(("billing-worker", "documents-worker", "billing-overdue"),),
                    daemon=True,
                ).start()
            self.run_units(phase, files, upload)

    def syncs(self):
        """Every `--sync-every`-th union sends its whole roster but its last two (D: unsynced) and
        with the first two of the next union (C: transfer requests that union approves)."""
        syncing = list(self.unions[:: self.args.sync_every]) if len(self.unions) > 1 else []
        self.moves = []

        def sync(u):
            nxt = self.unions[(u.index + 1) % len(self.unions)]
            mine = list(range(u.first, u.first + u.size - 2))
            moved = [nxt.first, nxt.first + 1]
            rows = [["姓名", "证件号码"], *[[f"季测{n}", person_id(n)] for n in mine + moved]]
            job = ok(
                retrying(
                    lambda: u.session.post(
                        f"{M}/uploads/sync", files={"file": ("sync.xlsx", workbook(rows), "application/octet-stream")}
                    )
                ),
                202,
            )
            done = self.wait(
                lambda: (j := ok(u.session.get(f"{M}/uploads/{job['id']}")))["state"] != "running" and j,
                f"sync of union {u.index}",
                timeout=300,
                interval=0.25,
            )
            assert done["state"] == "succeeded", done
            counts = done["counts"] or {}
            assert counts.get("C") == 2 and counts.get("D") == 2, counts
            return nxt

        def decide(origin):
            page = ok(origin.session.get(f"{M}/transfer-requests?direction=out&status=pending&per_page=500"))
            for item in page["items"]:
                ok(origin.session.post(f"{M}/transfer-requests/{item['id']}/decision", json={"approve": True}))
            return len(page["items"])

        with self.phase("syncs (C and D moves)", "2019-10-30T09:00:00") as phase:
            origins = self.run_units(phase, syncing, sync)
            decided = sum(self.pool.map(decide, {o.index: o for o in origins}.values()))
            self.record.notes.append(
                f"syncs: {len(syncing)} unions, {decided} transfers approved, {2 * len(syncing)} unsynced"
            )

    def expected_eligible(self) -> dict[int, int]:
        rows = self.db.sql(
            "members",
            """SELECT union_id, count(*) FROM members WHERE status = 'normal' AND NOT removed
                                         AND card_number IS NOT NULL AND union_id IS NOT NULL GROUP BY union_id""",
        )
        return {r[0]: r[1] for r in rows}

    def submissions(self):
        with self.phase("read models caught up (members → enrollment)", "2019-11-05T10:00:00") as phase:
            expected = self.expected_eligible()
            for u in self.unions:
                u.expected = expected.get(u.id, 0)
            probe = self.unions[0].session
            first = ok(probe.get(f"{E}/confirmation?cover_year=2020&per_page=1"))
            self.wait(
                lambda: (
                    dict(
                        self.db.sql(
                            "enrollment",
                            """SELECT union_id, count(*) FROM member_view
                WHERE status = 'normal' AND NOT removed AND card_number IS NOT NULL GROUP BY union_id""",
                        )
                    )
                    == expected
                ),
                "enrollment's member read model to equal members",
                timeout=900,
            )
            # the confirmation list says whether member changes are still on their way (名单同步中…)
            caught_up = self.wait(
                lambda: ok(probe.get(f"{E}/confirmation?cover_year=2020&per_page=1"))["members_behind"] is False,
                "the confirmation list to say it is up to date",
                timeout=120,
                interval=1,
            )
            self.record.note(
                f"confirmation list: members_behind={first['members_behind']} "
                f"({first['members_pending_events']} events pending) right after the cards; "
                f"members_behind=false once caught up ({caught_up})"
            )
        self.twice_from = real_utcnow_naive()
        self.autovacuum_stand_in()

        def submit(u):
            page = ok(
                retrying(
                    lambda: u.session.get(
                        f"{E}/confirmation?cover_year=2020&type={requests.utils.quote(u.type)}&per_page=50"
                    )
                )
            )
            assert page["headcount"] == u.expected, (u.index, page["headcount"], u.expected)
            sub = ok(
                retrying(lambda: u.session.post(f"{E}/submissions", json={"cover_year": 2020, "type": u.type})), 201
            )
            assert sub["headcount"] == u.expected
            u.submission = sub["id"]
            with self._count_lock:
                self._submitted += 1
                # as autovacuum's 1 %-growth threshold would, but at most every 25 % of growth:
                # every 10th submission was 1,000 ANALYZEs at 10,000 unions
                again = self._submitted >= max(10, self._analyzed_at * 1.25)
                if again:
                    self._analyzed_at = self._submitted
            if again:  # the covers grow by a union's members each time
                self.autovacuum_stand_in(quiet=True)
            return sub

        self._count_lock, self._submitted, self._analyzed_at = threading.Lock(), 0, 0
        with self.phase(f"submissions ({self.args.clients} clients at once)") as phase:
            if "cluster" in self.faults:
                threading.Thread(target=self.faults.node_outage, daemon=True).start()
            self.run_units(phase, [u for u in self.unions if u.expected], submit)
            if "cluster" in self.faults:
                self.wait(lambda: self.faults.node_done, "the node to rejoin", timeout=300)

    def reviews(self):
        def review(d):
            mine = [u for u in d.unions if u.submission]
            if not mine:
                return
            returned = mine[0]
            ok(
                d.session.post(
                    f"{E}/submissions/{returned.submission}/return", json={"reason": "名单需核对，请重新提交"}
                )
            )
            self.wait(
                lambda: (
                    ok(returned.session.get(f"{E}/confirmation?cover_year=2020&per_page=1"))["headcount"]
                    == returned.expected
                ),
                f"union {returned.index}'s members listed again",
                timeout=300,
            )
            again = ok(returned.session.post(f"{E}/submissions", json={"cover_year": 2020, "type": returned.type}), 201)
            assert again["headcount"] == returned.expected
            returned.submission = again["id"]
            for u in mine:
                ok(retrying(lambda: d.session.post(f"{E}/submissions/{u.submission}/stage", json={})))

        with self.phase("district reviews (one returned each)") as phase:
            self.run_units(phase, self.districts, review)
        if "twice" in self.faults:
            self.faults.deliver_twice(self.twice_from)

    def batches(self):
        if "poison" in self.faults:
            self.faults.poison(self.districts[0].id)

        def batch(d):
            if not any(u.submission for u in d.unions):
                return None
            d.batch = ok(
                retrying(lambda: d.session.post(f"{E}/batches", json={"cover_year": 2020, "handler": self.handler})),
                201,
            )
            return d.batch

        with self.phase("batches", "2019-12-28T10:00:00") as phase:
            self.run_units(phase, self.districts, batch)
        with self.phase("batches priced (billing → enrollment)") as phase:
            for d in self.districts:
                if d.batch:
                    d.batch = self.wait(
                        lambda d=d: (
                            (b := ok(d.session.get(f"{E}/batches/{d.batch['id']}")))["due_fen"] is not None and b
                        ),
                        f"batch {d.batch['batch_no']} priced",
                    )
        if "poison" in self.faults:
            self.faults.replay_poison()

    def payments(self):
        from tests.services.billing.files import PNG

        paying = [d for d in self.districts if d.pays and d.batch]

        def voucher(d):
            ok(
                retrying(
                    lambda: d.session.post(
                        f"{B}/batches/{d.batch['id']}/voucher",
                        data={"amount": f"{d.batch['due_fen'] / 100:.2f}", "paid_on": "2020-01-09"},
                        files={"file": ("pay.png", PNG)},
                    )
                ),
                201,
            )

        with self.phase("vouchers", "2020-01-10T10:00:00") as phase:
            self.run_units(phase, paying, voucher)
        with self.phase("bank statement") as phase:
            rows = [
                ["日期", "付款人", "金额", "摘要"],
                *[
                    ["2020-01-10", d.name, f"{d.batch['due_fen'] / 100:.2f}", f"{d.batch['batch_no']} 集中参保"]
                    for d in paying
                ],
            ]
            started = time.perf_counter()
            statement = ok(self.centre.post(f"{B}/bank-statements", files={"file": ("流水.xlsx", workbook(rows))}), 201)
            phase.unit_alone, phase.units = time.perf_counter() - started, 1
            matched = sum(1 for line in statement["lines"] if line["batch_id"])
            assert matched == len(paying), statement["lines"][:5]

        def write_off(d):
            body = ok(
                retrying(
                    lambda: self.centre.post(
                        f"{B}/batches/{d.batch['id']}/write-off",
                        json={
                            "amount": f"{d.batch['due_fen'] / 100:.2f}",
                            "received_on": "2020-01-10",
                            "bank_reference": f"BOS-{d.batch['batch_no']}",
                        },
                    )
                )
            )
            assert body["status"] == "written_off", body

        with self.phase("write-off (most districts)") as phase:
            self.run_units(phase, paying, write_off)

    def overdue(self):
        failing = [d for d in self.districts if not d.pays and d.batch]
        with self.phase("overdue (the job fails the rest)", "2020-01-22T09:00:00") as phase:
            started = time.perf_counter()
            out = self.system.python("-m", "services.billing.jobs", "overdue").stdout
            phase.unit_alone, phase.units = time.perf_counter() - started, 1
            for d in failing:
                assert str(d.batch["id"]) in out, out
                self.wait(
                    lambda d=d: ok(d.session.get(f"{E}/batches/{d.batch['id']}"))["status"] == "failed",
                    f"batch {d.batch['batch_no']} failed at enrollment",
                )

    def instant(self):
        failing = [d for d in self.districts if not d.pays and d.batch]
        unions = [u for d in failing for u in d.unions if u.submission]

        def enrol(u):
            page = ok(
                retrying(
                    lambda: u.session.get(f"{E}/confirmation?cover_year=2020&mode=instant&kind=no_cover&per_page=1")
                )
            )
            assert page["headcount"] == u.expected, (u.index, page["headcount"], u.expected)
            sub = ok(
                retrying(
                    lambda: u.session.post(
                        f"{E}/submissions",
                        json={"cover_year": 2020, "type": u.type, "mode": "instant", "kind": "no_cover"},
                    )
                ),
                201,
            )
            u.submission = sub["id"]
            d = self.districts[u.district]
            ok(retrying(lambda: d.session.post(f"{E}/submissions/{sub['id']}/stage", json={})))

        with self.phase("instant enrolment of the failed", "2020-02-10T10:00:00") as phase:
            self.run_units(phase, unions, enrol)
            for d in failing:
                d.instant_batch = ok(
                    d.session.post(
                        f"{E}/batches", json={"cover_year": 2020, "mode": "instant", "handler": self.handler}
                    ),
                    201,
                )
            for d in failing:
                self.wait(
                    lambda d=d: ok(d.session.get(f"{E}/batches/{d.instant_batch['id']}"))["due_fen"] is not None,
                    f"JB batch of {d.name} priced",
                )

    def drained(self):
        with self.phase("drained (outboxes, queues, documents)"):

            def quiet():
                unsent = sum(
                    self.db.sql(c, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0] for c in self.db.engines
                )
                return unsent == 0 and self.queue_depths() == 0

            self.wait(quiet, "outboxes and queues drained", timeout=3600, interval=1)
            # an empty queue is not a consumer done: a message a consumer holds (prefetched, or a
            # notice being rendered) is unacknowledged and not counted in the queue's depth
            self.wait(
                lambda: not self.consumers_behind(),
                "every consumer's inbox to hold every event sent to it",
                timeout=3600,
                interval=2,
            )

    def consumers_behind(self) -> dict[str, int]:
        """Each consumer that has applied fewer events than were sent of the types it takes (its
        inbox against every outbox): consumer → events still to apply."""
        from deploy.topology import all_subscriptions

        sent: Counter = Counter()
        for component in self.db.engines:
            sent.update(
                dict(
                    self.db.sql(component, "SELECT type, count(*) FROM outbox WHERE sent_at IS NOT NULL GROUP BY type")
                )
            )
        behind = {}
        for sub in all_subscriptions():
            name = f"{sub.service}.{sub.consumer}"
            types = sub.routing_keys
            expected = sum(sent[t] for t in types)
            if not expected:
                continue
            applied = self.db.sql(
                sub.service, "SELECT count(*) FROM inbox WHERE consumer = :c AND type = ANY(:t)", c=name, t=types
            )[0][0]
            if applied < expected:
                behind[name] = expected - applied
        return behind

    def queue_depths(self) -> int:
        from kombu import Connection

        from deploy.topology import all_subscriptions

        total = 0
        with Connection(self.db.settings.url, connect_timeout=5) as conn:
            channel = conn.channel()
            for sub in all_subscriptions():
                _, count, _unacked = channel.queue_declare(sub.queue_name(self.db.settings), passive=True)
                total += count
            channel.close()
        return total

    def autovacuum_stand_in(self, quiet: bool = False) -> None:
        """With autovacuum off (as on this project's benchmark server), nothing ever analyzes the
        tables a season fills in minutes, and the confirmation list is planned from the empty
        tables' statistics (34 s for one 800-member union): do what autovacuum would, and say so."""
        if self.db.sql("enrollment", "SHOW autovacuum")[0][0] == "on":
            return
        for component, tables in (("enrollment", ("member_view", "cover", "submission")), ("members", ("members",))):
            with self.db.engines[component].connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                from sqlalchemy import text

                for table in tables:
                    conn.execute(text(f"ANALYZE {table}"))
        if not quiet:
            self.record.note(
                "autovacuum is off on this server: ANALYZE run by the benchmark before and during "
                "submissions, as autovacuum would"
            )

    # ------------------------------------------------------------------ the whole
    def run(self):
        started = time.perf_counter()
        try:
            for step in (
                self.directory,
                self.configuration,
                self.imports,
                self.approvals,
                self.cards,
                self.syncs,
                self.submissions,
                self.reviews,
                self.batches,
                self.payments,
                self.overdue,
                self.instant,
                self.drained,
            ):
                step()
        finally:
            self.supervisor_stop.set()
            self.supervisor.join(timeout=5)
        self.total = time.perf_counter() - self.season_started
        self.provisioning = self.season_started - started
        return self.summary()

    def print_floor(self, members: int) -> None:
        """The season's CPU per member beside its floor measured now (bench/season/floor.py)."""
        from bench.season.floor import floor_lines, measure

        try:
            notices = self.db.sql("documents", "SELECT count(*) FROM documents")[0][0]
            season_cpu = sum(v for p in self.record.phases for k, v in p.cpu.items() if k != "machine")
            for line in floor_lines(measure(members, notices), season_cpu, members):
                say(line)
        except Exception as exc:  # noqa: BLE001 — a figure, never the season's outcome
            say(f"  floor not measured: {exc!r}")

    def summary(self):
        self.record.summary(
            f"season: {len(self.unions)} unions × {self.args.members} members, {len(self.districts)} districts, "
            f"{self.args.clients} clients, faults: {', '.join(sorted(self.faults)) or 'none'}",
            provisioning=self.provisioning,
            total=self.total,
            members=sum(u.size for u in self.unions),
        )
        self.print_floor(sum(u.size for u in self.unions))
        urls = {c: self.system.databases[c] for c in SERVICES}
        self.report = checked(urls, self.db.settings, self.explained)
        return self.report
