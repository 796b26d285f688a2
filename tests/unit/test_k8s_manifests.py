"""The Kubernetes manifests (deploy/k8s/) stay true to their generator and to docker-compose.yml,
every built-in kind validates against a fixed Kubernetes version (kubernetes-validate's bundled
schemas, offline: every socket is refused while it runs), and the custom resources (RabbitMQ
Cluster Operator, CloudNativePG) have the shape their operators need."""

from __future__ import annotations

import re
import shlex
import socket

import pytest
import yaml
from kubernetes_validate import utils as kv

from common.config import ROOT, SERVICES
from deploy import k8s_manifests as k8s

BUILT_IN = {"v1", "apps/v1", "batch/v1", "policy/v1"}
QUANTITY = re.compile(r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$")


def documents() -> list[dict]:
    docs = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def of_kind(kind: str) -> list[dict]:
    return [d for d in documents() if d["kind"] == kind]


def test_committed_manifests_equal_the_generator():
    rendered = k8s.render()
    committed = {p.name: p.read_text() for p in (ROOT / "deploy" / "k8s").glob("*.yaml")}
    assert committed == rendered, "regenerate: python -m deploy.k8s_manifests"
    kustomization = yaml.safe_load(committed["kustomization.yaml"])
    assert sorted(kustomization["resources"]) == sorted(n for n in committed if n != "kustomization.yaml")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("validation tried the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_every_built_in_kind_validates_against_a_fixed_kubernetes_version(no_network):
    checked = 0
    for doc in documents():
        if doc["apiVersion"] not in BUILT_IN:
            continue
        version = kv.validate(doc, k8s.KUBERNETES_VERSION, strict=True)
        assert version == "1.33"
        checked += 1
    kinds = {d["kind"] for d in documents() if d["apiVersion"] in BUILT_IN}
    assert kinds == {
        "Namespace",
        "ConfigMap",
        "Secret",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "Job",
        "CronJob",
    }
    assert checked >= 30


def test_the_validator_catches_a_wrong_manifest(no_network):
    broken = of_kind("Deployment")[0]
    broken = {**broken, "spec": {**broken["spec"], "replicas": "three"}}
    with pytest.raises(kv.ValidationError):
        kv.validate(broken, k8s.KUBERNETES_VERSION, strict=True)
    unknown_field = {**of_kind("Service")[0], "spek": {}}
    with pytest.raises(kv.ValidationError):
        kv.validate(unknown_field, k8s.KUBERNETES_VERSION, strict=True)


def test_rabbitmq_is_a_three_node_operator_cluster():
    [cluster] = of_kind("RabbitmqCluster")
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    assert cluster["metadata"]["name"] == k8s.RABBITMQ and cluster["metadata"]["namespace"] == k8s.NAMESPACE
    spec = cluster["spec"]
    assert spec["replicas"] == 3, "quorum queues need three nodes to survive one"
    for key in ("cpu", "memory"):
        assert QUANTITY.match(spec["resources"]["requests"][key])
    assert QUANTITY.match(spec["persistence"]["storage"])
    assert "pause_minority" in spec["rabbitmq"]["additionalConfig"]
    budgets = {d["metadata"]["name"]: d for d in of_kind("PodDisruptionBudget")}
    assert budgets[f"{k8s.RABBITMQ}-pdb"]["spec"]["selector"]["matchLabels"] == {k8s.LABEL: k8s.RABBITMQ}


def test_one_cloudnativepg_cluster_per_service_and_the_gateway():
    clusters = {d["metadata"]["name"]: d for d in of_kind("Cluster")}
    assert set(clusters) == {f"{name}-db" for name in ("gateway", *SERVICES)}
    for name, cluster in clusters.items():
        owner = name.removesuffix("-db")
        assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
        spec = cluster["spec"]
        assert isinstance(spec["instances"], int) and spec["instances"] >= 2, "a standby to fail over to"
        assert QUANTITY.match(spec["storage"]["size"])
        assert spec["bootstrap"]["initdb"] == {"database": owner, "owner": owner}
        assert QUANTITY.match(spec["resources"]["requests"]["cpu"])


def _env(deployment: dict) -> dict:
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e for e in container["env"]}


def test_deployments_probe_size_and_keep_to_their_own_database():
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    budgets = {d["spec"]["selector"]["matchLabels"][k8s.LABEL] for d in of_kind("PodDisruptionBudget")}
    services = {d["metadata"]["name"] for d in of_kind("Service")}
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health"
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        port_name = container["readinessProbe"]["httpGet"]["port"]
        assert port_name in {p["name"] for p in container["ports"]}
        requests = container["resources"]["requests"]
        assert QUANTITY.match(requests["cpu"]) and QUANTITY.match(requests["memory"])
        assert deployment["metadata"]["annotations"]["union-cover/sizing"], "say which measured figure"
        if deployment["spec"]["replicas"] > 1:
            assert name in budgets, f"{name} has replicas and no PodDisruptionBudget"
        if port_name == "http":
            assert name in services
        databases = [k for k in _env(deployment) if k.endswith("_DATABASE_URL")]
        owner = name.split("-")[0]
        assert databases == [f"{owner.upper()}_DATABASE_URL"], f"{name} sees another service's database"
        assert _env(deployment)[databases[0]]["valueFrom"]["secretKeyRef"] == {"name": f"{owner}-db-app", "key": "uri"}
    assert set(services) == {"gateway", *SERVICES}
    assert "GATEWAY_SECRET" in _env(deployments["gateway"]) and "METRICS_TOKEN" in _env(deployments["gateway"])
    # the gateway's consumer keys an approved clerk's activation link with it (decision 0036)
    assert "GATEWAY_SECRET" in _env(deployments["gateway-consumers"])
    assert not any(
        "GATEWAY_SECRET" in _env(d) for n, d in deployments.items() if n not in ("gateway", "gateway-consumers")
    )
    for service in SERVICES:
        assert deployments[f"{service}-relay"]["spec"]["replicas"] == 1, "one relay keeps a service's events in order"
    # the PII keys (decision 0022) only where sealed values are read or written
    for name, deployment in deployments.items():
        has_keys = {"PII_ENCRYPTION_KEYS", "PII_INDEX_KEYS"} <= set(_env(deployment))
        assert has_keys == (name.split("-")[0] in k8s.PII_SERVICES), name
        if has_keys:
            assert _env(deployment)["PII_ENCRYPTION_KEYS"]["valueFrom"]["secretKeyRef"]["name"] == "union-pii-keys"


def test_rotate_keys_runs_only_on_demand_over_the_services_that_seal():
    [cron] = of_kind("CronJob")
    assert cron["spec"]["suspend"] is True and cron["spec"]["concurrencyPolicy"] == "Forbid"
    [container] = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["command"][-1] == "python -m common.rotate_keys " + " ".join(k8s.PII_SERVICES)
    env = {e["name"] for e in container["env"]}
    assert {"PII_ENCRYPTION_KEYS", "PII_INDEX_KEYS"} <= env
    assert {k for k in env if k.endswith("_DATABASE_URL")} == {f"{s.upper()}_DATABASE_URL" for s in k8s.PII_SERVICES}


def test_secrets_hold_placeholders_only():
    for secret in of_kind("Secret"):
        for key, value in secret.get("stringData", {}).items():
            assert value.startswith("REPLACE-ME"), key
        assert "data" not in secret


def test_migrations_job_migrates_every_database_and_declares_the_bus():
    [job] = of_kind("Job")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert (
        "common.migrate upgrade" in container["command"][-1] and "deploy.topology declare" in container["command"][-1]
    )
    assert {k for k in (e["name"] for e in container["env"]) if k.endswith("_DATABASE_URL")} == {
        f"{c.upper()}_DATABASE_URL" for c in ("gateway", *SERVICES)
    }


def test_compose_runs_the_same_processes_with_the_same_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    compose = {name: svc for name, svc in compose.items() if name not in ("postgres", "rabbitmq", "migrate")}
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    assert set(compose) == set(deployments)
    for name, deployment in deployments.items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert shlex.split(compose[name]["command"]) == container["command"], name
        if container["ports"][0]["name"] == "metrics":
            assert compose[name]["environment"]["METRICS_PORT"] == str(k8s.METRICS_PORT), name
