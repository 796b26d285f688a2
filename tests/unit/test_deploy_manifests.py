"""The production manifests stay true to the code."""

import json
from pathlib import Path

from common.config import ROOT, BusSettings
from deploy import topology


def test_rabbitmq_definitions_file_matches_the_subscriptions():
    committed = json.loads((ROOT / "deploy" / "rabbitmq-definitions.json").read_text())
    settings = BusSettings(url="amqp://x", exchange="union.events", queue_prefix="", delivery_limit=5)
    assert committed == json.loads(json.dumps(topology.definitions(settings))), (
        "regenerate: python -m deploy.topology definitions > deploy/rabbitmq-definitions.json"
    )


def test_every_consumer_queue_is_quorum_with_a_dead_letter_route():
    committed = json.loads((ROOT / "deploy" / "rabbitmq-definitions.json").read_text())
    queues = {q["name"]: q for q in committed["queues"]}
    for name, queue in queues.items():
        assert queue["arguments"]["x-queue-type"] == "quorum"
        if not name.endswith(".dlq"):
            assert queue["arguments"]["x-dead-letter-exchange"] == "union.events.dlx"
            assert queue["arguments"]["x-delivery-limit"] >= 1
            assert name + ".dlq" in queues


def test_compose_runs_every_service_and_its_worker():
    compose = (ROOT / "docker-compose.yml").read_text()
    for service in ("members", "enrollment", "billing", "documents"):
        assert f"services.{service}.app:create_app()" in compose
        assert f"common.worker {service} --relay" in compose
    assert "gateway.app:create_app()" in compose
    assert Path(ROOT / "deploy" / "gunicorn.conf.py").exists()
