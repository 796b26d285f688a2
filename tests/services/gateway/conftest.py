import os

import pytest

from tests.conftest import create_database, drop_database


@pytest.fixture
def gateway():
    """The gateway app on a fresh PostgreSQL database, with a centre account `boss`."""
    url = create_database("gateway")
    os.environ["GATEWAY_DATABASE_URL"] = url
    from gateway.bootstrap import runtime

    runtime.reset()
    from common.migrate import upgrade

    upgrade("gateway")
    from gateway.adapters.orm import Account
    from gateway.app import create_app
    from gateway.auth import hash_password, utcnow

    with runtime.sessions() as session:
        now = utcnow()
        session.add(
            Account(
                username="boss",
                display_name="中心",
                password_hash=hash_password("Centre#2026pw"),
                role="centre",
                active=True,
                created_at=now,
                password_changed_at=now,
            )
        )
        session.commit()
    app = create_app()
    app.testing = True
    yield app
    runtime.reset()
    os.environ.pop("GATEWAY_DATABASE_URL", None)
    drop_database(url)
