"""The body of every `migrations/env.py`: run this component's migrations on its own database."""

from __future__ import annotations

from alembic import context

from common.db import make_engine


def run() -> None:
    config = context.config
    runtime = config.attributes.get("runtime")
    if runtime is None:  # started by the plain `alembic` command
        from common.migrate import _runtime

        component = config.get_main_option("component")
        if component is None:
            raise RuntimeError("alembic.ini names no component (members, enrollment, …, gateway)")
        runtime = _runtime(component)
    url = config.get_main_option("sqlalchemy.url") or runtime.database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=runtime.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
