"""Wires the enrollment service: its database, tables, subscriptions and migrations."""

from pathlib import Path

from common.crypto import SealedColumns
from common.runtime import ServiceRuntime
from services.enrollment.adapters.id_numbers import FIELD as ID_NUMBER
from services.enrollment.adapters.orm import Base, messaging
from services.enrollment.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name="enrollment",
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    # what rotate-keys re-seals (python -m common.rotate_keys enrollment); the masked forms stay
    sealed=[
        SealedColumns("member_view", {"id_sealed": ID_NUMBER}, {"id_index": ("id_sealed", ID_NUMBER)}, key="member_id"),
        SealedColumns("cover", {"id_sealed": ID_NUMBER}, {"id_index": ("id_sealed", ID_NUMBER)}),
        SealedColumns("cover_lookup", {"asked_sealed": ID_NUMBER}, {"asked_index": ("asked_sealed", ID_NUMBER)}),
    ],
)
