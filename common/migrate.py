"""Alembic, one migration history per service (and the gateway), each in its own database.

python -m common.migrate upgrade             # every service and the gateway
python -m common.migrate upgrade members
python -m common.migrate revision members -m "add cards"   # autogenerate from the models
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config

from common.config import SERVICES

if TYPE_CHECKING:
    from common.runtime import ServiceRuntime

COMPONENTS = (*SERVICES, "gateway")


def _runtime(component: str) -> ServiceRuntime:
    module = "gateway.bootstrap" if component == "gateway" else f"services.{component}.bootstrap"
    runtime: ServiceRuntime = importlib.import_module(module).runtime
    return runtime


def alembic_config(component: str) -> Config:
    runtime = _runtime(component)
    cfg = Config()
    cfg.set_main_option("script_location", str(runtime.migrations_dir))
    cfg.set_main_option("sqlalchemy.url", runtime.database_url.replace("%", "%%"))
    cfg.attributes["runtime"] = runtime
    return cfg


def upgrade(component: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(component), revision)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.migrate")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade")
    up.add_argument("components", nargs="*", default=list(COMPONENTS))
    rev = sub.add_parser("revision")
    rev.add_argument("component")
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        for component in args.components or COMPONENTS:
            upgrade(component)
        return 0
    command.revision(alembic_config(args.component), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
