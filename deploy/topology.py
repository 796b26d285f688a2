"""The bus topology every process relies on: declare it once before consumers start, or
write it as a RabbitMQ definitions file for production.

    python -m deploy.topology declare
    python -m deploy.topology definitions > deploy/rabbitmq-definitions.json
    python -m deploy.topology consumers      # the consumer table of docs/events.md
"""

from __future__ import annotations

import importlib
import json
import sys

from common.bus import Subscription, declare_topology
from common.config import SERVICES, BusSettings


def all_subscriptions() -> list[Subscription]:
    subs = []
    for service in SERVICES:
        subs.extend(importlib.import_module(f"services.{service}.bootstrap").runtime.subscriptions)
    # the gateway consumes too (the clerk's account of an approved 组织注册, decision 0036)
    subs.extend(importlib.import_module("gateway.bootstrap").runtime.subscriptions)
    return subs


def declare(settings: BusSettings | None = None) -> None:
    declare_topology(settings or BusSettings(), all_subscriptions())


def definitions(settings: BusSettings | None = None) -> dict:
    """RabbitMQ definitions (import with `rabbitmqctl import_definitions` or the management UI)."""
    settings = settings or BusSettings()
    vhost = "/"
    exchanges = [
        {
            "name": settings.exchange,
            "vhost": vhost,
            "type": "topic",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        },
        {
            "name": settings.dead_letter_exchange,
            "vhost": vhost,
            "type": "direct",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        },
    ]
    queues, bindings = [], []
    for sub in all_subscriptions():
        name = sub.queue_name(settings)
        queues.append(
            {
                "name": name,
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": {
                    "x-queue-type": "quorum",
                    "x-delivery-limit": settings.delivery_limit,
                    "x-dead-letter-exchange": settings.dead_letter_exchange,
                    "x-dead-letter-routing-key": name,
                },
            }
        )
        queues.append(
            {
                "name": name + ".dlq",
                "vhost": vhost,
                "durable": True,
                "auto_delete": False,
                "arguments": {"x-queue-type": "quorum"},
            }
        )
        for key in sub.routing_keys:
            bindings.append(
                {
                    "source": settings.exchange,
                    "vhost": vhost,
                    "destination": name,
                    "destination_type": "queue",
                    "routing_key": key,
                    "arguments": {},
                }
            )
        bindings.append(
            {
                "source": settings.dead_letter_exchange,
                "vhost": vhost,
                "destination": name + ".dlq",
                "destination_type": "queue",
                "routing_key": name,
                "arguments": {},
            }
        )
    policies = [
        {
            # dead letters are kept for inspection and replay, but never without bound
            "vhost": vhost,
            "name": "union-dead-letters",
            "pattern": r"\.dlq$",
            "apply-to": "queues",
            "priority": 0,
            "definition": {"max-length": 1_000_000, "overflow": "reject-publish"},
        }
    ]
    return {
        "rabbit_version": "3.10.8",
        "vhosts": [{"name": vhost}],
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
        "policies": policies,
    }


def consumer_table() -> str:
    """Every consumed event and the handler it goes to, as the Markdown table in docs/events.md
    (a unit test keeps the two equal)."""
    lines = ["| queue | event | handler |", "|---|---|---|"]
    for sub in all_subscriptions():
        for key in sub.routing_keys:
            handler = sub.handlers[key]
            module = handler.__module__.removeprefix(f"services.{sub.service}.").removeprefix("gateway.")
            lines.append(f"| `{sub.service}.{sub.consumer}` | `{key}` | `{module}.{handler.__name__}` |")
    return "\n".join(lines)


def main(argv=None) -> int:
    command = (argv or sys.argv[1:] or ["declare"])[0]
    if command == "declare":
        declare()
    elif command == "definitions":
        print(json.dumps(definitions(), indent=2, ensure_ascii=False))
    elif command == "consumers":
        print(consumer_table())
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
