"""The document library: storing a new version of a document (rendered once, published as
documents.document.ready), and listing and fetching stored versions within the caller's scope."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import func, select

from common import clock
from common.db import UoW
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
    current = _current(uow.session, series)
    if current is not None and current.input_key == input_key:
        return current
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


def _current(session, series: str) -> Document | None:
    """The version of a series that counts: the latest one not withdrawn."""
    return session.scalar(
        select(Document)
        .where(Document.series == series, Document.withdrawn_at.is_(None))
        .order_by(Document.version.desc())
        .limit(1)
    )


def withdraw(uow: UoW, subject: str, reason: str) -> list[Document]:
    """Mark every version made for `subject` (a returned submission's) withdrawn (作废) with the
    reason: kept and still downloadable by version, never again the current one. Returns the
    latest version withdrawn of each series concerned."""
    now = clock.utcnow_naive()
    latest: dict[str, Document] = {}
    for doc in uow.session.scalars(
        select(Document)
        .where(Document.subject == subject, Document.withdrawn_at.is_(None))
        .order_by(Document.version)
        .with_for_update()
    ):
        doc.withdrawn_at, doc.withdrawn_reason = now, reason[:300]
        latest[doc.series] = doc
    uow.session.flush()
    return list(latest.values())


def announce_withdrawn(uow: UoW, doc: Document, about: str) -> None:
    """Publish documents.document.withdrawn for a series' withdrawn version, with the version that
    counts now (None: none until the union submits again)."""
    current = _current(uow.session, doc.series)
    uow.publish(contracts.DOCUMENT_WITHDRAWN, contracts.withdrawn_data(doc, about, current))
    log.info("document withdrawn", extra={"kind": doc.kind, "series": doc.series, "version": doc.version})


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
    """Documents in the caller's scope, newest first; by default only the version of each that counts
    (the latest not withdrawn; a series withdrawn whole shows its latest, marked withdrawn)."""
    session = uow.session
    query = _scoped(select(Document), who)
    if not all_versions:
        counts = func.coalesce(
            func.max(Document.version).filter(Document.withdrawn_at.is_(None)), func.max(Document.version)
        )
        latest = select(Document.series, counts.label("v")).group_by(Document.series).subquery()
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


def get_document(uow: UoW, who: Identity, document_id: int) -> tuple[Document, list[Document]]:
    """One version and the list of every version of its series."""
    session = uow.session
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound()
    check_scope(who, doc)
    versions = list(session.scalars(select(Document).where(Document.series == doc.series).order_by(Document.version)))
    return doc, versions


def document_file(uow: UoW, who: Identity, document_id: int) -> Document:
    doc, _ = get_document(uow, who, document_id)
    _ = doc.content  # load the deferred bytes inside the session
    return doc


def series_file(uow: UoW, who: Identity, series: str, version: int | None = None) -> Document:
    """The version of a series that counts (the latest not withdrawn), or the version asked for,
    withdrawn or not (404 if it does not exist). A series withdrawn whole answers 404 saying so."""
    if version:
        doc = uow.session.scalar(select(Document).where(Document.series == series, Document.version == version))
    else:
        doc = _current(uow.session, series)
        if doc is None:
            withdrawn = uow.session.scalar(
                select(Document).where(Document.series == series).order_by(Document.version.desc()).limit(1)
            )
            if withdrawn is not None:
                check_scope(who, withdrawn)
                raise NotFound(
                    f"该告知书已作废：{withdrawn.withdrawn_reason}。重新提交后将出具新的告知书",
                    code="NOTICE_WITHDRAWN",
                )
    if doc is None:
        raise NotFound()  # the same answer as outside the caller's scope
    check_scope(who, doc)
    _ = doc.content
    return doc
