"""What a service is made of at run time: its name, its database, its tables (with outbox and
inbox), its subscriptions and migrations. Each service builds one in its `bootstrap.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from common import patches
from common.bus import Subscription
from common.config import database_url
from common.crypto import SealedColumns
from common.db import UnitOfWork, make_engine
from common.messaging_tables import MessagingTables


@dataclass
class ServiceRuntime:
    name: str
    metadata: MetaData
    messaging: MessagingTables | None
    migrations_dir: Path
    subscriptions: list[Subscription] = field(default_factory=list)
    # the tables holding sealed personal information, for rotate-keys (common/rotate_keys.py)
    sealed: list[SealedColumns] = field(default_factory=list)
    _engine: Engine | None = None
    _sessions: sessionmaker[Session] | None = None

    def __post_init__(self) -> None:
        # Every process builds its runtime first: the library patches' version check stops a
        # process whose libraries moved before it serves anything (decision 0025).
        patches.apply()

    @property
    def database_url(self) -> str:
        return database_url(self.name)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None:
            self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        return self._sessions

    @property
    def messages(self) -> MessagingTables:
        """Its outbox, inbox and attempts tables (every service and the gateway has them)."""
        if self.messaging is None:
            raise RuntimeError(f"{self.name} has no messaging tables")
        return self.messaging

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.name, self.messages.outbox)

    def reset(self) -> None:
        """Forget the engine (after the URL setting changed, e.g. in tests)."""
        if self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._sessions = None
