"""A real SMTP server (aiosmtpd) in a process of its own, as a mail relay would be, counting
what it accepts: `with smtp_process() as (port, count): … count.value`."""

from __future__ import annotations

import contextlib
import multiprocessing
import socket
import time


def _serve(port: int, count, ready) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


@contextlib.contextmanager
def smtp_process():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    context = multiprocessing.get_context("fork")
    count, ready = context.Value("l", 0), context.Event()
    process = context.Process(target=_serve, args=(port, count, ready), daemon=True)
    process.start()
    ready.wait(30)
    try:
        yield port, count
    finally:
        process.kill()
        process.join()
