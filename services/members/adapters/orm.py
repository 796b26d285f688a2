"""The members service's tables (its own database)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common import crypto
from common.crypto import Sealed, SealedColumns
from common.messaging_tables import add_messaging_tables
from common.pii import mask_id, mask_mobile

ID_FIELD = "id_number"  # the field name resident/other ID numbers are sealed and indexed under
MOBILE_FIELD = "mobile"


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


messaging = add_messaging_tables(Base.metadata)


class District(Base):
    """区局/产业工会."""

    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    special_industry: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class GrassrootsUnion(Base):
    """基层工会."""

    __tablename__ = "unions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    contact_person: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class UnionRegistration(Base):
    """组织注册: a union's application to join the directory, decided by its district (组织审核).
    Kept after the decision (the history); at most one pending application per credit code, name
    and wanted user name (partial unique indexes, PostgreSQL and SQLite alike)."""

    __tablename__ = "union_registrations"
    __table_args__ = (
        Index(
            "ux_registrations_pending_code",
            "credit_code",
            unique=True,
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index(
            "ux_registrations_pending_name",
            "name",
            unique=True,
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index(
            "ux_registrations_pending_username",
            "username",
            unique=True,
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index("ix_registrations_district_state", "district_id", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    address: Mapped[str] = mapped_column(String(200))
    chair_name: Mapped[str] = mapped_column(String(50))
    chair_mobile: Mapped[str] = mapped_column("chair_mobile_sealed", Sealed(MOBILE_FIELD))
    chair_email: Mapped[str] = mapped_column(String(254))
    clerk_name: Mapped[str] = mapped_column(String(50))
    clerk_mobile: Mapped[str] = mapped_column("clerk_mobile_sealed", Sealed(MOBILE_FIELD))
    clerk_email: Mapped[str] = mapped_column(String(254))
    username: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10))  # pending / approved / returned
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


# ---------------------------------------------------------------------------- the roster (会员)


class SealedIdNumber:
    """`member.id_number`: the clear ID number to the code, three columns to the database — the
    sealed value (`id_sealed`), its blind index (`id_index`, unique: lookups and the sync's join)
    and its masked form (`id_masked`: lists and error rows without opening anything). Not a
    Sealed column type: a member event carries the very string stored (docs/events.md), so it is
    sealed when set, not when flushed; and setting it keeps the three columns together.

    On the class it refuses SQL comparison, like a Sealed column: filter with `id_number_is` /
    `id_numbers_in` (the blind index)."""

    def __set_name__(self, owner, name):
        self._opened = f"_{name}_opened"  # (sealed, clear) of the last value opened or set

    def __get__(self, member, owner=None):
        if member is None:
            return self
        sealed = member.id_sealed
        opened = member.__dict__.get(self._opened)
        if opened is None or opened[0] != sealed:
            opened = (sealed, crypto.open_sealed(ID_FIELD, sealed))
            member.__dict__[self._opened] = opened
        return opened[1]

    def __set__(self, member, number: str) -> None:
        if member.id_sealed is not None and self.__get__(member) == number:
            return  # unchanged: no new ciphertext, no needless UPDATE
        sealed = crypto.seal(ID_FIELD, number)
        member.id_sealed, member.id_index, member.id_masked = (
            sealed,
            crypto.blind_index(ID_FIELD, number),
            mask_id(number),
        )
        member.__dict__[self._opened] = (sealed, number)

    def _refuse(self, *args, **kwargs):
        raise TypeError("the ID number is sealed: filter on its blind index (id_number_is / id_numbers_in)")

    __eq__ = __ne__ = __lt__ = __gt__ = in_ = _refuse
    __hash__ = object.__hash__


class Member(Base):
    """会员: one person city-wide (unique ID number), in at most one union (union_id, null when none).
    The ID number and the mobile are stored sealed (PIPL; docs/decisions/0022-pii-at-rest.md)."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(10))  # resident 身份证 / other 其他
    id_sealed: Mapped[str] = mapped_column(Text)
    # on PostgreSQL: COLLATE "C", and a hash index beside the unique one (migration e7c3a9d2b4f1)
    id_index: Mapped[str] = mapped_column(String(40), unique=True)
    id_masked: Mapped[str] = mapped_column(String(30))
    id_number = SealedIdNumber()
    gender: Mapped[str | None] = mapped_column(String(2), nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    mobile: Mapped[str | None] = mapped_column("mobile_sealed", Sealed(MOBILE_FIELD), nullable=True)
    # 138****1234, written with the mobile (below): the list shows it without opening 50 seals a
    # page (docs/decisions/0038-masked-mobile-copy.md)
    mobile_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    education: Mapped[str | None] = mapped_column(String(20), nullable=True)
    household_type: Mapped[str | None] = mapped_column(String(10), nullable=True)
    skill_grade: Mapped[str] = mapped_column(String(10), default="无")
    union_post: Mapped[str] = mapped_column(String(20), default="工会会员")
    member_no: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(10))  # pending / rejected / normal / left
    synced: Mapped[bool] = mapped_column(Boolean, default=False)  # 同步会员 是/否
    card_number: Mapped[str | None] = mapped_column(String(30), unique=True, nullable=True)
    card_issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    card_recorded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # 人口办剔除
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    left_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # 审核说明: why the district sent a new member back (status rejected); kept after resubmission
    review_note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_members_union_id_id", "union_id", "id"),
        Index("ix_members_union_id_name", "union_id", "name"),
        Index("ix_members_name", "name", postgresql_ops={"name": "text_pattern_ops"}),
        Index("ix_members_status_union_id", "status", "union_id"),
    )


@event.listens_for(Member.mobile, "set")
def _mask_with_the_mobile(member: Member, value: str | None, _old, _initiator) -> None:
    """Every write of a mobile through the ORM — 新增, 编辑, an import's new or own rows — writes
    its masked copy, so the two never disagree. A raw SQL writer of `mobile_sealed` writes both."""
    member.mobile_masked = mask_mobile(value)


def id_number_is(number: str):
    """The member with this ID number: its index under every index key (one may be rotating)."""
    return Member.id_index.in_(crypto.blind_indexes(ID_FIELD, number))


def id_numbers_in(numbers) -> tuple:
    """(condition, {index: number}) for the members with any of these ID numbers — an upload's
    1,000 rows — under every index key."""
    by_index = {}
    for number in numbers:
        for index in crypto.blind_indexes(ID_FIELD, number):
            by_index[index] = number
    return Member.id_index.in_(list(by_index) or ["-"]), by_index


def by_id_number(members, by_index: dict) -> dict:
    """{ID number: member} of members found with id_numbers_in."""
    return {by_index[m.id_index]: m for m in members}


class UnionFactChange(Base):
    """登记信息变更: a union asks to change its name, its credit code, or to move district; decided
    in 组织审核 by its district, and a move by the new district too (domain/fact_change.py). The
    facts before are kept beside the ones asked for; one open change per union (partial unique
    index). Kept after the decision (the history)."""

    __tablename__ = "union_fact_changes"
    __table_args__ = (
        Index(
            "ux_fact_changes_open_union",
            "union_id",
            unique=True,
            postgresql_where=text("state IN ('pending', 'awaiting')"),
            sqlite_where=text("state IN ('pending', 'awaiting')"),
        ),
        Index("ix_fact_changes_from_state", "from_district_id", "state"),
        Index("ix_fact_changes_to_state", "to_district_id", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"))
    old_name: Mapped[str] = mapped_column(String(200))
    old_credit_code: Mapped[str] = mapped_column(String(18))
    from_district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"))
    new_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    new_credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    to_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(10))  # pending / awaiting / approved / returned
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str] = mapped_column(String(100))
    released_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class MemberDetailChange(Base):
    """待确认变更: a member's own correction of their address and mobile (issue 29 item 5,
    domain/detail_change.py), waiting for their union to accept or decline it. The details on
    record when asked are kept beside the ones asked for (the mobile only masked); the new mobile
    is sealed, with its blind index and masked copy, as the member's own. One pending change per
    member (partial unique index); a replaced one is superseded, never deleted (the history)."""

    __tablename__ = "member_detail_changes"
    __table_args__ = (
        Index(
            "ux_member_detail_changes_pending_member",
            "member_id",
            unique=True,
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index("ix_member_detail_changes_union_state", "union_id", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"))
    old_address: Mapped[str] = mapped_column(String(200))
    new_address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    old_mobile_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # the mobile an accepted change replaced, sealed at the accept: it is told of the change
    old_mobile: Mapped[str | None] = mapped_column("old_mobile_sealed", Sealed(MOBILE_FIELD), nullable=True)
    new_mobile: Mapped[str | None] = mapped_column("new_mobile_sealed", Sealed(MOBILE_FIELD), nullable=True)
    new_mobile_index: Mapped[str | None] = mapped_column(String(40), nullable=True)
    new_mobile_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    state: Mapped[str] = mapped_column(String(12))  # pending / accepted / declined / superseded
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("member_detail_changes.id"), nullable=True)


@event.listens_for(MemberDetailChange.new_mobile, "set")
def _index_and_mask_the_new_mobile(change: MemberDetailChange, value: str | None, _old, _initiator) -> None:
    """The new mobile's blind index and masked copy are written with it, as the member's are."""
    change.new_mobile_index = crypto.blind_index(MOBILE_FIELD, value) if value else None
    change.new_mobile_masked = mask_mobile(value)


# what rotate-keys re-seals (common/rotate_keys.py)
SEALED = [
    SealedColumns(
        "members",
        sealed={"id_sealed": ID_FIELD, "mobile_sealed": MOBILE_FIELD},
        indexed={"id_index": ("id_sealed", ID_FIELD)},
    ),
    SealedColumns(
        "union_registrations", sealed={"chair_mobile_sealed": MOBILE_FIELD, "clerk_mobile_sealed": MOBILE_FIELD}
    ),
    SealedColumns(
        "member_detail_changes",
        sealed={"new_mobile_sealed": MOBILE_FIELD, "old_mobile_sealed": MOBILE_FIELD},
        indexed={"new_mobile_index": ("new_mobile_sealed", MOBILE_FIELD)},
    ),
]


class MemberNumberCounter(Base):
    """The last member number handed out (会员编号); it only grows, so numbers are never reused."""

    __tablename__ = "member_number_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(BigInteger, default=0)


class TransferRequest(Base):
    """转入申请: a union asked for a member of another union; the source union approves or
    rejects it in its 会员转出审核 list. One pending request per member (partial unique index)."""

    __tablename__ = "transfer_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    from_union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"))
    to_union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"))
    status: Mapped[str] = mapped_column(String(10))  # pending / approved / rejected / cancelled
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("upload_jobs.id"), nullable=True, index=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        Index(
            "uq_transfer_requests_pending_member",
            "member_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_transfer_requests_from_union_id_status", "from_union_id", "status"),
        Index("ix_transfer_requests_to_union_id_status", "to_union_id", "status"),
    )


class UploadJob(Base):
    """One upload (import, transfer list, card list, removal list, sync) and its progress.
    A partial unique index on `lock_key` among running jobs makes "one upload at a time per
    union" hold across processes."""

    __tablename__ = "upload_jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lock_key: Mapped[str] = mapped_column(String(40))
    union_id: Mapped[int | None] = mapped_column(ForeignKey("unions.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(10))  # running / succeeded / failed
    filename: Mapped[str] = mapped_column(String(200), default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    errors: Mapped[list | None] = mapped_column(JSON, nullable=True)  # no longer written: see UploadError
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # deliveries of its work message
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (
        Index(
            "uq_upload_jobs_running_lock_key",
            "lock_key",
            unique=True,
            postgresql_where=text("state = 'running'"),
            sqlite_where=text("state = 'running'"),
        ),
        Index("ix_upload_jobs_union_id_kind_id", "union_id", "kind", "id"),
    )


class UploadFile(Base):
    """The accepted file of an upload job, kept until the job ends (issue 17 item 5): the work
    message names the job, the worker reads the file from here. Deleted when the job ends (a
    roster holds ID numbers; it is not kept longer than it is needed)."""

    __tablename__ = "upload_files"
    job_id: Mapped[int] = mapped_column(ForeignKey("upload_jobs.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class UploadError(Base):
    """One error of a refused upload; `seq` = row × 32 + its place in the row, so the primary key
    is the row order (adapters/upload_store.py). The job's answer pages through them
    and the error workbook lists them all, so no answer grows with the file (issue 17 item 3).
    ID numbers are stored masked; a list upload's error (the clerk's own file) also keeps the cell
    and ID number as typed, sealed (`typed_sealed`), and is answered as typed. No foreign key to the job: a refused
    100,000-row roster writes its errors in one statement, and the key's check ran once a row
    (more than half the statement's time); they are written with their job, and jobs are never
    deleted."""

    __tablename__ = "upload_errors"
    job_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # upload_jobs.id
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    row: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(60), default="")
    message: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(60), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    typed_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)  # {value, id_number} as typed


class SyncRunItem(Base):
    """A row of a sync run that changed something (B moved in, C requested, D not in the file),
    kept for the result workbook (导出结果)."""

    __tablename__ = "sync_run_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("upload_jobs.id"))
    category: Mapped[str] = mapped_column(String(1))
    member_id: Mapped[int] = mapped_column(Integer)
    from_union_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_sync_run_items_job_id_category", "job_id", "category"),)


class IdLookupDay(Base):
    """证件号码查询量: the rows a union's syncs (预检 included) and transfer-in lists looked up on one
    Shanghai day, and the requests the daily quota refused (domain/lookup_quota.py). Counted when
    a lookup is accepted, in the transaction that records its job; the centre reads it."""

    __tablename__ = "id_lookup_days"
    union_id: Mapped[int] = mapped_column(ForeignKey("unions.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)  # rows looked up (accepted)
    runs: Mapped[int] = mapped_column(Integer, default=0)  # uploads that looked them up
    refusals: Mapped[int] = mapped_column(Integer, default=0)  # uploads refused by the quota
    refused_rows: Mapped[int] = mapped_column(Integer, default=0)  # the rows they asked for
    allowance: Mapped[int] = mapped_column(Integer, default=0)  # as last decided (it follows the roster)
    last_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_id_lookup_days_day", "day"),)
