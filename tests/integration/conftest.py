"""Fixtures of the bus proofs: the probe service on a fresh PostgreSQL database and its own
namespace on the real RabbitMQ (never mocks of either)."""

from __future__ import annotations

import pytest

from tests.conftest import AMQP_URL
from tests.integration.harness import Probe


@pytest.fixture
def probe(database):
    """The probe service over the shared RabbitMQ, its topology declared, no process started."""
    deployment = Probe(database("probe"), AMQP_URL)
    deployment.declare()
    yield deployment
    deployment.close()
