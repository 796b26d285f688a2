"""A RabbitMQ node of the test's own, on free ports with its data in a temporary folder, so a
test can stop and restart "the broker" without touching the shared one that other test runs
use. Same RabbitMQ installation, separate node (name, ports, mnesia, logs, cookie)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from kombu import Connection

from tests.system import free_port


def _script(name: str) -> str:
    """The real scripts, not /usr/sbin's wrappers (those insist on root or the rabbitmq user)."""
    override = os.environ.get("RABBITMQ_SCRIPTS_DIR")
    candidates = ([os.path.join(override, name)] if override else []) + [
        f"/usr/lib/rabbitmq/bin/{name}",
        *sorted(glob.glob(f"/usr/lib/rabbitmq/lib/rabbitmq_server-*/sbin/{name}")),
    ]
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: RabbitMQ must be installed for this test")
    return found


class PrivateBroker:
    def __init__(self, cookie: str | None = None):
        self.tmp = Path(tempfile.mkdtemp(prefix="private-rabbit-"))
        self.node = f"t{uuid.uuid4().hex[:10]}@localhost"
        if cookie:  # nodes of one cluster share their Erlang cookie
            (self.tmp / ".erlang.cookie").write_text(cookie)
            os.chmod(self.tmp / ".erlang.cookie", 0o400)
        self.port = free_port()
        self.dist_port = free_port()
        (self.tmp / "mnesia").mkdir()
        (self.tmp / "log").mkdir()
        (self.tmp / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n")
        (self.tmp / "rabbitmq-env.conf").write_text("")  # not the system node's env file
        (self.tmp / "enabled_plugins").write_text("[].\n")
        self.env = {
            **os.environ,
            "HOME": str(self.tmp),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.tmp / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.tmp / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.tmp / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.tmp / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.tmp / "log"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self, timeout: float = 90) -> PrivateBroker:
        log = open(self.tmp / "server.out", "ab")
        self.process = subprocess.Popen(
            [_script("rabbitmq-server")],
            env=self.env,
            cwd=self.tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with Connection(self.url, connect_timeout=1) as conn:
                    conn.ensure_connection(max_retries=1, timeout=1)
                    return self
            except Exception as booting:
                if self.process.poll() is not None:
                    raise RuntimeError(f"private RabbitMQ exited; see {self.tmp / 'server.out'}") from booting
                if time.monotonic() > deadline:
                    raise TimeoutError(f"private RabbitMQ did not start; see {self.tmp / 'server.out'}") from booting
                time.sleep(0.3)

    def ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [_script("rabbitmqctl"), "-n", self.node, *args],
            env=self.env,
            cwd=self.tmp,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def stop(self) -> None:
        if self.process is None:
            return
        self.ctl("stop")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        self.process = None

    def block_publishers(self, blocked: bool) -> None:
        """A memory alarm: the broker stops reading from publishing connections (no confirms)."""
        result = self.ctl("set_vm_memory_high_watermark", "0" if blocked else "0.4")
        assert result.returncode == 0, result.stderr

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class PrivateCluster:
    """Three private nodes (or `size`) joined into one RabbitMQ cluster, so that quorum queues
    have a majority to survive one node stopping. `url` lists every node (kombu's failover
    syntax, `amqp://…;amqp://…`): a client whose node is down connects to the next one."""

    def __init__(self, size: int = 3):
        cookie = uuid.uuid4().hex.upper()
        self.nodes = [PrivateBroker(cookie=cookie) for _ in range(size)]

    @property
    def url(self) -> str:
        return ";".join(node.url for node in self.nodes)

    def start(self) -> PrivateCluster:
        first, *others = self.nodes
        first.start()
        for node in others:
            node.start()
            for args in (("stop_app",), ("join_cluster", first.node), ("start_app",)):
                result = node.ctl(*args)
                if result.returncode != 0:
                    raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {node.node}: {result.stderr or result.stdout}")
        return self

    def running_nodes(self) -> int:
        result = self.nodes[0].ctl("cluster_status", "--formatter", "json")
        import json

        try:
            return len(json.loads(result.stdout).get("running_nodes", []))
        except ValueError:
            return 0

    def stop_node(self, index: int) -> None:
        self.nodes[index].stop()

    def start_node(self, index: int) -> None:
        """Back into the cluster it belonged to (its data folder remembers the cluster)."""
        self.nodes[index].start()

    def destroy(self) -> None:
        for node in reversed(self.nodes):
            node.destroy()
