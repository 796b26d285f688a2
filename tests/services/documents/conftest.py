"""The documents service on a fresh PostgreSQL database, fed contract-shaped events through its
real consumer code (inbox, transaction, handler), without a broker."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from common.bus import Delivery
from common.config import BusSettings
from common.consumer import EventConsumer
from tests.services.documents import contract


class Documents:
    def __init__(self, svc):
        self.svc = svc
        self.runtime = svc.runtime
        from services.documents.subscriptions import SUBSCRIPTIONS

        self._consumers = {}
        for sub in SUBSCRIPTIONS:
            consumer = EventConsumer(self.runtime, sub, BusSettings())
            for event_type in sub.handlers:  # an event may have several consumers (notices, certificates)
                self._consumers.setdefault(event_type, []).append(consumer)

    def feed(self, *events: dict) -> None:
        """Each event as the consumer would apply it: inbox check, handler, one commit."""
        for event in events:
            for consumer in self._consumers[event["type"]]:
                consumer._handle([Delivery(event, None)])

    def as_(self, *args, **kwargs):
        return self.svc.as_(*args, **kwargs)

    def ready_events(self) -> list[dict]:
        return [e["data"] for e in self.svc.outbox() if e["type"] == "documents.document.ready"]

    def count(self, table: str) -> int:
        from sqlalchemy import text

        with self.runtime.engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()


@pytest.fixture
def documents(service):
    docs = Documents(service("documents"))
    docs.feed(*contract.districts(), *contract.unions())
    return docs


def pdf_text(content: bytes) -> str:
    """The PDF's text with all white space removed (line breaks fall anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def pdf_fonts(content: bytes) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font the PDF's pages use."""
    reader = PdfReader(io.BytesIO(content))
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found
