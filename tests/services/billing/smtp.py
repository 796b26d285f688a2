"""A real SMTP server on loopback (aiosmtpd) that keeps what arrives, for billing's mail tests."""

from __future__ import annotations

import contextlib
import socket


@contextlib.contextmanager
def loopback_smtp():
    """Yields (port, messages); each message is (recipients, raw bytes)."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keep = Keep()
    controller = Controller(keep, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, keep.messages
    finally:
        controller.stop()
