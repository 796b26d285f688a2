"""The launcher's supervision rule (deploy/stack.py), on a test clock and stand-in processes:
a process that dies is restarted after 1 s, then 2, 4 … up to 30 s while it keeps dying, back to
1 s once it has run a stable minute; processes stopped on purpose are never restarted."""

from __future__ import annotations

import signal
from typing import Any, ClassVar

import pytest

from deploy import stack as stack_module
from deploy.stack import Stack, exit_status


class FakeProcess:
    started: ClassVar[list[Any]] = []

    def __init__(self, argv, **kwargs):
        self.argv = argv
        self.pid = 1000 + len(FakeProcess.started)
        self.returncode = None
        FakeProcess.started.append(self)

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        return self.returncode


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def supervised(monkeypatch):
    FakeProcess.started = []
    monkeypatch.setattr(stack_module.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(stack_module.os, "killpg", lambda pid, sig: None)
    said, clock = [], Clock()
    stack = Stack(env={}, say=said.append, clock=clock)
    stack.start_worker("members")
    return stack, said, clock


def _die(stack, name, code=-signal.SIGKILL):
    stack.processes[name].returncode = code


def test_exit_status_reads_like_a_shell():
    assert exit_status(-9) == "137 (SIGKILL)"
    assert exit_status(-15) == "143 (SIGTERM)"
    assert exit_status(3) == "3"


def test_backoff_doubles_to_thirty_seconds_and_resets_after_a_stable_minute(supervised):
    stack, said, clock = supervised
    delays = []
    for _ in range(7):
        _die(stack, "members-worker")
        stack.supervise_once()
        assert "members-worker" not in stack.processes, "not restarted before its backoff"
        delay = stack.supervised["members-worker"].restart_at - clock.now
        delays.append(round(delay, 6))
        clock.now += delay - 0.01
        stack.supervise_once()
        assert "members-worker" not in stack.processes
        clock.now += 0.02
        stack.supervise_once()
        assert stack.processes["members-worker"].returncode is None, "restarted once the backoff passed"
    assert delays == [1, 2, 4, 8, 16, 30, 30]
    assert said[0] == "members-worker exited with 137 (SIGKILL); restarting in 1 s"
    assert said[1].startswith("members-worker restarted (pid ")
    assert said[-2] == "members-worker exited with 137 (SIGKILL); restarting in 30 s"

    clock.now += 60  # a stable minute
    _die(stack, "members-worker", 1)
    stack.supervise_once()
    assert said[-1] == "members-worker exited with 1; restarting in 1 s"
    assert round(stack.supervised["members-worker"].restart_at - clock.now, 6) == 1


def test_a_process_stopped_on_purpose_is_not_restarted(supervised):
    stack, said, clock = supervised
    stack.stop("members-worker")
    clock.now += 100
    stack.supervise_once()
    assert stack.processes == {} and said == []
    stack.start_worker("billing")
    stack.stop_all()
    clock.now += 100
    stack.supervise_once()
    assert stack.processes == {} and said == []


def test_worker_processes_get_their_metrics_port(supervised):
    stack, _, _ = supervised
    assert "METRICS_PORT" not in stack.env
    assert stack.supervised["members-worker"].env["METRICS_PORT"] == "9101"
