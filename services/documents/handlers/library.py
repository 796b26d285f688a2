"""The document library: storing a new version of a document (rendered once, published as
documents.document.ready), and listing and fetching stored versions within the caller's scope."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import func, select

from common import clock
from common.errors import NotFound
from common.identity import Identity, scoped
from services.documents import contracts
from services.documents.adapters.orm import Document

log = logging.getLogger("documents")


def store(
    uow,
    *,
    kind: str,
    series: str,
    subject: str,
    union_id: int | None,
    district_id: int | None,
    cover_year: int,
    filename: str,
    media_type: str,
    input_key: str,
    render,
    about: str = "",
) -> Document:
    """Store a new version of a document, rendered once, unless the latest version was made from
    the same input (then that one is the answer). Publishes documents.document.ready, with `about`:
    what the document is about in words (a person reads it in the notification, never `subject`)."""
    latest = uow.session.scalar(
        select(Document).where(Document.series == series).order_by(Document.version.desc()).limit(1)
    )
    if latest is not None and latest.input_key == input_key:
        return latest
    content = render()
    doc = Document(
        kind=kind,
        series=series,
        version=(latest.version + 1) if latest else 1,
        subject=subject,
        union_id=union_id,
        district_id=district_id,
        cover_year=cover_year,
        filename=filename,
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        input_key=input_key,
        created_at=clock.utcnow_naive(),
        content=content,
    )
    uow.session.add(doc)
    uow.session.flush()
    uow.publish(contracts.DOCUMENT_READY, contracts.document_data(doc, about))
    log.info("document stored", extra={"kind": kind, "series": series, "version": doc.version, "sha256": doc.sha256})
    return doc


# ------------------------------------------------------------------ queries (scoped)


def check_scope(who: Identity, doc: Document) -> None:
    """Outside the caller's scope answers exactly like a missing document."""
    if doc.union_id is not None:
        who.check_union(doc.union_id, doc.district_id)
    elif doc.district_id is not None:
        who.check_district(doc.district_id)
    else:
        who.require("centre")


def _scoped(query, who: Identity):
    return scoped(query, who, union=Document.union_id, district=Document.district_id)


def list_documents(
    uow,
    who: Identity,
    kind: str | None = None,
    union_id: int | None = None,
    district_id: int | None = None,
    cover_year: int | None = None,
    all_versions: bool = False,
    page: int = 1,
    per_page: int = 50,
):
    """Documents in the caller's scope, newest first; by default only the latest version of each."""
    session = uow.session
    query = _scoped(select(Document), who)
    if not all_versions:
        latest = select(Document.series, func.max(Document.version).label("v")).group_by(Document.series).subquery()
        query = query.join(latest, (Document.series == latest.c.series) & (Document.version == latest.c.v))
    for column, value in (
        (Document.kind, kind),
        (Document.union_id, union_id),
        (Document.district_id, district_id),
        (Document.cover_year, cover_year),
    ):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(
        session.scalars(
            query.order_by(Document.created_at.desc(), Document.id.desc()).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return total, items


def get_document(uow, who: Identity, document_id: int) -> tuple[Document, list[Document]]:
    """One version and the list of every version of its series."""
    session = uow.session
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound()
    check_scope(who, doc)
    versions = list(session.scalars(select(Document).where(Document.series == doc.series).order_by(Document.version)))
    return doc, versions


def document_file(uow, who: Identity, document_id: int) -> Document:
    doc, _ = get_document(uow, who, document_id)
    _ = doc.content  # load the deferred bytes inside the session
    return doc


def series_file(uow, who: Identity, series: str, version: int | None = None) -> Document:
    """The latest version of a series, or the version asked for (404 if it does not exist)."""
    query = select(Document).where(Document.series == series)
    query = query.where(Document.version == version) if version else query.order_by(Document.version.desc()).limit(1)
    doc = uow.session.scalar(query)
    if doc is None:
        raise NotFound()  # the same answer as outside the caller's scope
    check_scope(who, doc)
    _ = doc.content
    return doc
