"""会员列表 through the gateway with 1,000,000 members in PostgreSQL, beside baselines measured in
the same run: at open-loop arrival rates (`--rate`, one or more; issue 16: 300 req/s, p99 ≤ 50 ms),
and at 50 concurrent closed-loop clients (the earlier goal, p99 ≤ 50 ms).

    .venv/bin/python -m bench.members_list [--members 1000000] [--rate 300 [100 …] --seconds 20]
                                           [--clients 50] [--requests 20] [--open-only]

Open loop: requests arrive at `--rate` per second (Poisson arrivals), whether or not the earlier
ones have been answered, each on a free keep-alive connection or a new one — as many clerks
acting independently do. Latency counts from the moment a request was due, so a slow server
is not hidden by a generator that waits for it (no coordinated omission). The member-list mix is
what the 会员管理 page asks: a clerk's first page with its total (共 N 人, one COUNT of the union),
then pages 2–40 without it (`with_total=false`) — one count in 40 requests, not one per page.

The whole system runs as real processes (tests/system.py): gateway and services under gunicorn,
PostgreSQL, RabbitMQ. grassroots1's union holds 100,000 members; the rest are spread over 1,000
other unions; requests page through the union's list (and search by name and ID number).

The clients are closed loops with no think time, each on its own keep-alive connection: one
request, wait for the whole answer, the next. They run as asyncio tasks (aiohttp) in this
process, which costs far less CPU per request than threads with requests, and the CPU they do
cost is printed. Baselines in the same run:
- the generator's own ceiling: the same clients against a static answer from a bare asyncio
  server in another process;
- the old generator (threads with requests) on the trivial endpoint, to compare with older figures;
- a trivial endpoint through the same gateway (GET /members/districts);
- the bare Flask hop (bench/bare_flask.py, decision 0048): a minimal Flask app under the same
  gunicorn settings answering the same JSON (a real list page, encoded each time), alone and
  behind a minimal forwarding Flask app: what Flask and gunicorn themselves cost per request,
  beside which our two hops' CPU reads.
Each line also gives the CPU the gateway and the members service spent per request.

Profile the running processes under the same load with py-spy (pinned in requirements-dev.txt):
`py-spy record --gil --subprocesses -f raw --pid <gunicorn master>` for each of the two."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.figures import load
from bench.members_common import generate_roster, percentiles, person_id
from common import crypto

STATIC_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"


def _serve_static(port: int) -> None:
    """A bare HTTP/1.1 server answering every request with STATIC_ANSWER (keep-alive)."""

    class Static(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            self.buffer = b""

        def data_received(self, data):
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:  # GET requests only: no bodies to skip
                _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                self.transport.write(STATIC_ANSWER)

    async def main():
        server = await asyncio.get_running_loop().create_server(Static, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_bare(target: str, port: int, env: dict) -> subprocess.Popen:
    """One of bench/bare_flask.py's apps under gunicorn with the real processes' settings."""
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--config", str(root / "deploy" / "gunicorn.conf.py"), f"bench.bare_flask:{target}()"]
    process = subprocess.Popen(command, cwd=root, env={**os.environ, **env})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"bare {target} did not start")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds of a process and its direct children (a gunicorn master and its workers)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry))
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


async def _clients(base: str, tokens: list[str | None], paths: list[str], per_client: int) -> list[float]:
    import aiohttp

    samples: list[float] = []

    async def client(token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # one connection per client, kept alive, like a browser tab or an API client
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as http:
            for _ in range(per_client):
                path = random.choice(paths)
                started = time.perf_counter()
                async with http.get(base + path, headers=headers) as response:
                    await response.read()
                samples.append(time.perf_counter() - started)
                assert response.status == 200, (response.status, path)

    await asyncio.gather(*(client(t) for t in tokens))
    return samples


def _thread_clients(base: str, tokens: list[str], paths: list[str], per_client: int) -> list[float]:
    """The old generator: a thread with a requests session per client."""
    import requests

    samples: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens))

    def run(token):
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        barrier.wait()
        mine = []
        for _ in range(per_client):
            path = random.choice(paths)
            started = time.perf_counter()
            response = http.get(base + path, timeout=120)
            mine.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text[:200]
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


async def _open_loop(
    base: str, tokens: list[str | None], paths: list[str], rate: float, seconds: float, seed: int = 16
) -> tuple[list[float], float, int]:
    """Requests due at Poisson arrivals of `rate` per second for `seconds`; returns the latencies
    (from when each was due), the wall time to the last answer, and how many were late to start
    by more than 10 ms (the generator itself falling behind)."""
    import aiohttp

    arrivals = random.Random(seed)
    samples: list[float] = []
    late = 0

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        loop = asyncio.get_running_loop()

        async def one(i: int, due: float):
            token = tokens[i % len(tokens)]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with http.get(base + paths[i % len(paths)], headers=headers) as response:
                await response.read()
            samples.append(loop.time() - due)
            assert response.status == 200, (response.status, paths[i % len(paths)])

        start = due = loop.time()
        tasks = []
        i = 0
        while due - start < seconds:
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -0.010:
                late += 1
            tasks.append(asyncio.create_task(one(i, due)))
            i += 1
            due += arrivals.expovariate(rate)
        await asyncio.gather(*tasks)
        return samples, loop.time() - start, late


def measure_open(
    label: str, base: str, tokens: list, paths: list[str], rate: float, seconds: float, watched: dict
) -> None:
    """Warm up, then one open-loop run: achieved rate, p50/p95/p99, CPU per request."""
    asyncio.run(_open_loop(base, tokens, paths, min(rate, 50), 1))
    before = {name: process_cpu(pid) for name, pid in watched.items()}
    own = _own_cpu()
    samples, wall, late = asyncio.run(_open_loop(base, tokens, paths, rate, seconds))
    n = len(samples)
    ordered = sorted(samples)
    p = lambda q: ordered[min(n - 1, int(q * n))] * 1000
    cpu = f"generator {(_own_cpu() - own) / n * 1000:.2f}"
    for name, pid in watched.items():
        cpu += f"  {name} {(process_cpu(pid) - before[name]) / n * 1000:.2f}"
    print(
        f"  {label:<56s} p50 {p(0.50):7.1f}  p95 {p(0.95):7.1f}  p99 {p(0.99):7.1f}  max {ordered[-1] * 1000:7.1f} ms"
        f"  {n / wall:5.0f} req/s achieved of {rate:.0f} (n={n}, {late} started late)",
        flush=True,
    )
    print(f"  {'':<56s} CPU ms/request: {cpu}; {load()}", flush=True)


def measure(
    label: str, base: str, tokens: list, paths: list[str], per_client: int, watched: dict, threads: bool = False
) -> None:
    """Warm up, then run the clients once and print latency, throughput and CPU per request."""
    run = _thread_clients if threads else (lambda *a: asyncio.run(_clients(*a)))
    run(base, tokens[:5], paths, 3)
    before = {name: process_cpu(pid) for name, pid in watched.items()}
    own = _own_cpu()
    started = time.perf_counter()
    samples = run(base, tokens, paths, per_client)
    wall = time.perf_counter() - started
    n = len(samples)
    cpu = f"generator {(_own_cpu() - own) / n * 1000:.2f}"
    for name, pid in watched.items():
        cpu += f"  {name} {(process_cpu(pid) - before[name]) / n * 1000:.2f}"
    print(f"  {label:<56s} {percentiles(samples)}  {n / wall:6.0f} req/s", flush=True)
    print(f"  {'':<56s} CPU ms/request: {cpu}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--home", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument(
        "--rate",
        type=float,
        nargs="+",
        default=[300],
        help="open loop: arrivals per second (one set of lines per rate)",
    )
    parser.add_argument("--seconds", type=float, default=20, help="open loop: how long requests arrive")
    parser.add_argument("--open-only", action="store_true", help="skip the closed-loop lines")
    parser.add_argument(
        "--embedded-bus",
        action="store_true",
        help="file-system bus instead of RabbitMQ (events are relayed off the measured path anyway)",
    )
    args = parser.parse_args()
    from tests.system import System

    extra = {"BUS_URL": "filesystem://"} if args.embedded_bus else None

    port = _free_port()
    static = multiprocessing.get_context("spawn").Process(target=_serve_static, args=(port,), daemon=True)
    static.start()
    system = System(extra_env=extra)
    bare: list[subprocess.Popen] = []
    try:
        print(f"members list: {args.members:,} members, {args.clients} concurrent clients", flush=True)
        started = time.perf_counter()
        # grassroots1's union is the first demo union; its id is in the gateway's accounts
        from sqlalchemy import text

        with system.db("gateway").connect() as conn:
            union_id = conn.execute(text("SELECT union_id FROM accounts WHERE username = 'grassroots1'")).scalar()
        # sealed under the running system's keys (its own data folder), or every page would fail to open them
        generate_roster(
            system.databases["members"],
            args.members,
            args.home,
            10_000,
            home_union=union_id,
            vault=crypto.load_vault(system.tmp),
        )
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
        system.start()
        watched = {"gateway": system.stack.processes["gateway"].pid, "members": system.stack.processes["members"].pid}
        per = args.requests

        def tokens(user):
            return [system.login(user).http.headers["Authorization"][7:] for _ in range(args.clients)]

        m = "/api/v1/members"
        pages = [f"{m}/members?page={p}&per_page=50" for p in range(1, 41)]
        # what the list page does after the first page: the total is already known
        later_pages = [f"{m}/members?page={p}&per_page=50&with_total=false" for p in range(2, 41)]
        # a clerk's visit: the first page with its total, then the next pages without
        visit = [pages[0], *later_pages]
        searches = [f"{m}/members?name=会员{random.randrange(args.home)}" for _ in range(20)] + [
            f"{m}/members?id_number={person_id(random.randrange(args.home))}" for _ in range(20)
        ]
        grassroots, district = tokens("grassroots1"), tokens("district")
        # the bare Flask hop, answering the very page the list answers (decision 0048)
        import requests

        page = requests.get(
            system.base + later_pages[0], headers={"Authorization": f"Bearer {grassroots[0]}"}, timeout=30
        )
        page.raise_for_status()
        answer = system.tmp / "bare-answer.json"
        answer.write_bytes(page.content)
        bare_port, bare_gateway_port = _free_port(), _free_port()
        bare_data = {"DATA_DIR": str(system.tmp / "bare")}
        bare.append(_start_bare("app", bare_port, {"BARE_ANSWER": str(answer), **bare_data}))
        upstream = {"BARE_UPSTREAM": f"http://127.0.0.1:{bare_port}", **bare_data}
        bare.append(_start_bare("gateway", bare_gateway_port, upstream))
        bare_watched = {"bare gateway": bare[1].pid, "bare app": bare[0].pid}
        bare_lines = (
            ("bare Flask app alone (the same JSON page)", f"http://127.0.0.1:{bare_port}", {"bare app": bare[0].pid}),
            ("bare Flask hop: bare gateway -> bare app", f"http://127.0.0.1:{bare_gateway_port}", bare_watched),
        )

        for rate in args.rate:
            print(
                f"  open loop at {rate:.0f} req/s for {args.seconds:.0f} s (goal p99 ≤ 50 ms at 300), {load()}",
                flush=True,
            )
            measure_open(
                "generator ceiling: static answer, bare asyncio server",
                f"http://127.0.0.1:{port}",
                [None],
                ["/"],
                rate,
                args.seconds,
                {"static server": static.pid},
            )
            for label, base, watch in bare_lines:
                measure_open(label, base, [None], later_pages, rate, args.seconds, watch)
            for label, who, paths in (
                ("baseline: GET /members/districts (trivial)", grassroots, [f"{m}/districts"]),
                ("member list, a clerk's visit (1 total in 40 pages)", grassroots, visit),
                ("  same, pages 2+ only (no count at all)", grassroots, later_pages),
            ):
                measure_open(label, system.base, who, paths, rate, args.seconds, watched)
        if args.open_only:
            return
        print(f"  closed loop, {args.clients} clients × {per} requests, {load()}", flush=True)
        measure(
            "generator ceiling: static answer, bare asyncio server",
            f"http://127.0.0.1:{port}",
            [None] * args.clients,
            ["/"],
            per,
            {"static server": static.pid},
        )
        for label, base, watch in bare_lines:
            measure(label, base, [None] * args.clients, later_pages, per, watch)
        measure(
            "baseline, old generator (threads + requests): /districts",
            system.base,
            grassroots,
            [f"{m}/districts"],
            per,
            watched,
            threads=True,
        )
        for label, who, paths in (
            ("baseline: GET /members/districts (trivial)", grassroots, [f"{m}/districts"]),
            ("member list, paged (grassroots, 100k-member union)", grassroots, pages),
            ("  same, pages 2+ without the total (with_total=false)", grassroots, later_pages),
            ("member search by name / ID (grassroots)", grassroots, searches),
            ("member list, paged (district, whole district)", district, pages),
        ):
            measure(label, system.base, who, paths, per, watched)
        print("  goal: p99 ≤ 50 ms for the member list")
    finally:
        for process in bare:
            process.terminate()
            process.wait(10)
        system.stop()
        static.terminate()


if __name__ == "__main__":
    main()
