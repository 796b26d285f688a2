"""The Kubernetes manifests in deploy/k8s/, written from one table of components so that they
stay consistent with each other and with docker-compose.yml (a unit test regenerates them and
validates every built-in kind against a fixed Kubernetes version).

    python -m deploy.k8s_manifests            # rewrite deploy/k8s/*.yaml
    kubectl apply -k deploy/k8s               # (after filling the Secrets; see docs/operations.md)

Resource requests come from the measured figures in bench/README.md; docs/capacity.md gives the
arithmetic for each (the `why` of every component below says which figure)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import yaml

from common.config import ROOT, SERVICES

NAMESPACE = "union-cover"
IMAGE = "union-cover:latest"  # built from deploy/Dockerfile; push it to your registry and set the name here
OUT = ROOT / "deploy" / "k8s"
WEB_PORT = 8000
METRICS_PORT = 9100
RABBITMQ = "union-rabbitmq"
KUBERNETES_VERSION = "1.33.0"  # the version the unit test validates the built-in kinds against
LABEL = "app.kubernetes.io/name"
PART_OF = {"app.kubernetes.io/part-of": "union-cover"}


@dataclass
class Component:
    name: str
    command: list
    replicas: int
    cpu: str
    memory: str
    memory_limit: str
    why: str  # the figure in bench/README.md the request follows from (docs/capacity.md)
    web: bool = False
    database: str | None = None  # whose DATABASE_URL it gets (its own service only)
    env: dict = field(default_factory=dict)


def _gunicorn(target: str) -> list:
    return ["gunicorn", "-c", "deploy/gunicorn.conf.py", "--bind", f"0.0.0.0:{WEB_PORT}", target]


def components() -> list[Component]:
    web_target = {service: f"services.{service}.app:create_app()" for service in SERVICES}
    out = [
        Component(
            "gateway",
            _gunicorn("gateway.app:create_app()"),
            3,
            "500m",
            "256Mi",
            "512Mi",
            "gateway 1.3-1.6 ms CPU per request (members_list): 300 req/s x 1.6 ms = 0.48 core",
            web=True,
            database="gateway",
        )
    ]
    sizes = {
        "members": (
            3,
            "1",
            "512Mi",
            "1536Mi",
            "member list 3-4.5 ms CPU per request (members_list): 300 req/s x 4.5 ms = 1.35 cores; "
            "a 100,000-row sync 0.99-1.03 s, request and job (members_sync)",
        ),
        "enrollment": (2, "500m", "512Mi", "1Gi", "a 100,000-member submission 1.01 s, a 1,000,000-member batch 5.6 s"),
        "billing": (
            2,
            "500m",
            "512Mi",
            "1Gi",
            "pricing 10,000 submissions 0.74-1.72 s = 0.07-0.17 ms each (billing_batch)",
        ),
        "documents": (2, "500m", "512Mi", "1Gi", "a notice 66-78 ms median (notice): ~13 notices/s per core"),
        "notifications": (2, "250m", "256Mi", "512Mi", "a page of notifications per request, like the member list"),
    }
    for service in SERVICES:
        replicas, cpu, memory, limit, why = sizes[service]
        out.append(
            Component(
                service, _gunicorn(web_target[service]), replicas, cpu, memory, limit, why, web=True, database=service
            )
        )
    for service in SERVICES:
        out.append(
            Component(
                f"{service}-relay",
                ["python", "-m", "common.worker", service, "--relay"],
                1,
                "100m",
                "128Mi",
                "256Mi",
                "relay ~55 us CPU per event, 9,191-13,248 events/s alone (bus); one per service "
                "keeps each service's events in order",
                database=service,
            )
        )
    out.append(
        Component(
            "gateway-relay",
            ["python", "-m", "common.worker", "gateway", "--relay"],
            1,
            "50m",
            "128Mi",
            "256Mi",
            "the gateway's outbox: account links only, a few a minute (relay ~55 us CPU per event)",
            database="gateway",
        )
    )
    consumer_sizes = {
        "members": (
            "1000m",
            "256Mi",
            "512Mi",
            "upload jobs, one at a time: a 100,000-row sync ~0.7 s of CPU, peak RSS <= 200 MB (bench.members_sync)",
        ),
        "enrollment": ("250m", "256Mi", "512Mi", "consumer 55-60 us CPU per event (bus)"),
        "billing": (
            "250m",
            "512Mi",
            "1Gi",
            "consumer 55-60 us CPU per event (bus); pricing 0.07-0.17 ms per submission",
        ),
        "documents": ("500m", "512Mi", "1Gi", "renders notices: 66-78 ms each (notice)"),
        "notifications": ("100m", "128Mi", "256Mi", "consumer 55-60 us CPU per event (bus)"),
        # the clerk's account of an approved 组织注册 (decision 0036): a few a day
        "gateway": ("50m", "128Mi", "256Mi", "consumer 55-60 us CPU per event (bus); approvals, a few a day"),
    }
    for service, (cpu, memory, limit, why) in consumer_sizes.items():
        out.append(
            Component(
                f"{service}-consumers",
                ["python", "-m", "common.worker", service, "--consume"],
                2,
                cpu,
                memory,
                limit,
                why,
                database=service,
            )
        )
    out.append(
        Component(
            "billing-overdue",
            ["python", "-m", "services.billing.jobs", "overdue", "--every", "300"],
            2,
            "50m",
            "128Mi",
            "256Mi",
            "one query every 300 s; two replicas are safe: each batch is reported once by the "
            "overdue_notices primary key (tests/services/billing/test_statement_deadline_mail.py)",
            database="billing",
        )
    )
    out.append(
        Component(
            "notifications-jobs",
            ["python", "-m", "services.notifications.jobs", "run", "--every", "60"],
            2,
            "100m",
            "128Mi",
            "256Mi",
            "reminders once a minute (a reminder run over 100,000 unions, bench/notifications.py) and "
            "the e-mails; two replicas are safe: a reminder's key is unique and mail is claimed",
            database="notifications",
        )
    )
    return out


def _meta(name: str, **labels) -> dict:
    return {"name": name, "namespace": NAMESPACE, "labels": {LABEL: name, **PART_OF, **labels}}


def _database_env(service: str) -> list:
    """The service's own database only: CloudNativePG's `<cluster>-app` secret (key `uri`)."""
    return [
        {
            "name": f"{service.upper()}_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": f"{service}-db-app", "key": "uri"}},
        }
    ]


def _secret(key: str, name: str = "union-secrets") -> dict:
    return {"valueFrom": {"secretKeyRef": {"name": name, "key": key}}}


# The services that hold sealed personal information (common/crypto.py, decision 0022): their
# web processes and workers, the migrations and rotate-keys get the PII keys; nothing else does.
PII_SERVICES = ("members", "enrollment")
PII_KEYS = ("PII_ENCRYPTION_KEYS", "PII_INDEX_KEYS")


def _pii_env() -> list:
    return [{"name": key, **_secret(key, "union-pii-keys")} for key in PII_KEYS]


def _keys_env(component: Component) -> list:
    """Each process gets only the keys it uses: the internal-identity key on the web processes
    (the gateway signs, the services verify), the token key and metrics token on the gateway, the
    PII keys on the processes of the services that seal (members, enrollment)."""
    pii = _pii_env() if component.database in PII_SERVICES else []
    if component.name == "notifications-jobs":
        return [{"name": "INTERNAL_SECRET", **_secret("INTERNAL_SECRET")}]  # it asks the gateway and enrollment
    if component.name == "gateway-consumers":  # an approved clerk's activation link is keyed with it
        return [{"name": "GATEWAY_SECRET", **_secret("GATEWAY_SECRET")}]
    if not component.web:
        return pii
    env = [{"name": "INTERNAL_SECRET", **_secret("INTERNAL_SECRET")}, *pii]
    if component.name == "gateway":
        env += [
            {"name": "GATEWAY_SECRET", **_secret("GATEWAY_SECRET")},
            {"name": "METRICS_TOKEN", **_secret("METRICS_TOKEN")},
        ]
    return env


def _common_env() -> list:
    secret = _secret
    return [
        # the RabbitMQ Cluster Operator's generated user (URL-safe characters; see docs/operations.md)
        {"name": "RABBITMQ_USER", **secret("username", f"{RABBITMQ}-default-user")},
        {"name": "RABBITMQ_PASSWORD", **secret("password", f"{RABBITMQ}-default-user")},
        {"name": "BUS_URL", "value": f"amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@{RABBITMQ}.{NAMESPACE}.svc:5672//"},
    ]


_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 65534,
    "runAsGroup": 65534,
    "fsGroup": 65534,
    "seccompProfile": {"type": "RuntimeDefault"},
}
_CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def _pod(component: Component) -> dict:
    port = WEB_PORT if component.web else METRICS_PORT
    env = _keys_env(component) + _common_env() + (_database_env(component.database) if component.database else [])
    env += [{"name": k, "value": v} for k, v in component.env.items()]
    probe = lambda path, period, failures: {  # noqa: E731
        "httpGet": {"path": path, "port": "http" if component.web else "metrics"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }
    container = {
        "name": component.name,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": component.command,
        "envFrom": [{"configMapRef": {"name": "union-config"}}],
        "env": env,
        "ports": [{"name": "http" if component.web else "metrics", "containerPort": port}],
        "startupProbe": probe("/health", 2, 30),
        "livenessProbe": probe("/health", 10, 3),
        "readinessProbe": probe("/ready", 10, 3),
        "resources": {
            "requests": {"cpu": component.cpu, "memory": component.memory},
            "limits": {"memory": component.memory_limit},
        },
        "securityContext": _CONTAINER_SECURITY,
        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"}],
    }
    annotations = {"prometheus.io/scrape": "true", "prometheus.io/port": str(port), "prometheus.io/path": "/metrics"}
    if component.name == "gateway":
        annotations["prometheus.io/scrape"] = "false"  # its /metrics wants METRICS_TOKEN: scrape with a bearer token
    return {
        "metadata": {"labels": {LABEL: component.name, **PART_OF}, "annotations": annotations},
        "spec": {
            "securityContext": _SECURITY,
            "terminationGracePeriodSeconds": 30,
            "containers": [container],
            "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
        },
    }


def deployment(component: Component) -> dict:
    spec = {
        "replicas": component.replicas,
        "selector": {"matchLabels": {LABEL: component.name}},
        "template": _pod(component),
    }
    if component.name.endswith("-relay"):
        spec["strategy"] = {"type": "Recreate"}  # one relay at a time keeps the service's events in order
    meta = _meta(component.name)
    meta["annotations"] = {"union-cover/sizing": component.why}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": spec}


def service(component: Component) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(component.name),
        "spec": {
            "selector": {LABEL: component.name},
            "ports": [{"name": "http", "port": WEB_PORT, "targetPort": "http"}],
        },
    }


def pdb(name: str, selector: dict) -> dict:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(name),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}},
    }


def config_map() -> dict:
    data = {
        "DATA_DIR": "/data",
        "XDG_CACHE_HOME": "/tmp/cache",
        "BUS_EXCHANGE": "union.events",
        "BUS_DELIVERY_LIMIT": "5",
        "BUS_CONNECT_TIMEOUT": "3",
        "BUS_CONFIRM_TIMEOUT": "10",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "8",
        "COOKIE_SECURE": "1",
        "METRICS_PORT": str(METRICS_PORT),
        "METRICS_ADDR": "0.0.0.0",
        "RELAY_UNREADY_AFTER": "60",
        "SMTP_HOST": "smtp.example.org",
        "SMTP_PORT": "25",
        "PUBLIC_BASE_URL": "https://zhibao.example.org",
    }
    for svc in SERVICES:
        data[f"{svc.upper()}_URL"] = f"http://{svc}:{WEB_PORT}"
    data["GATEWAY_URL"] = f"http://gateway:{WEB_PORT}"
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("union-config"), "data": data}


def secrets() -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta("union-secrets"),
        "type": "Opaque",
        # placeholders: `openssl rand -hex 32` each, never committed
        "stringData": {
            "INTERNAL_SECRET": "REPLACE-ME-openssl-rand-hex-32",
            "GATEWAY_SECRET": "REPLACE-ME-openssl-rand-hex-32",
            "METRICS_TOKEN": "REPLACE-ME-openssl-rand-hex-32",
        },
    }


def pii_keys() -> dict:
    """The PII keys in a Secret of their own (another RBAC rule, another rotation): `id:hex,…`,
    the highest id seals; `python -m common.crypto new-key` makes the next (docs/operations.md)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _meta("union-pii-keys"),
        "type": "Opaque",
        "stringData": dict.fromkeys(PII_KEYS, "REPLACE-ME-1:openssl-rand-hex-32"),
    }


DATABASES = {  # CloudNativePG clusters: instances, storage, cpu, memory (docs/capacity.md)
    "members": (3, "100Gi", "4", "8Gi"),
    "enrollment": (2, "20Gi", "1", "2Gi"),
    "billing": (2, "20Gi", "1", "2Gi"),
    "documents": (2, "50Gi", "1", "2Gi"),
    "notifications": (2, "10Gi", "500m", "1Gi"),
    "gateway": (2, "10Gi", "500m", "1Gi"),
}


def database_cluster(name: str) -> dict:
    instances, storage, cpu, memory = DATABASES[name]
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": _meta(f"{name}-db"),
        "spec": {
            "instances": instances,
            "imageName": "ghcr.io/cloudnative-pg/postgresql:15",
            "primaryUpdateStrategy": "unsupervised",
            # the app user and its database; the operator writes `<name>-db-app` (uri, password …)
            "bootstrap": {"initdb": {"database": name, "owner": name}},
            "storage": {"size": storage},
            "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}},
            "postgresql": {"parameters": {"max_connections": "200", "shared_buffers": "512MB"}},
        },
    }


def rabbitmq() -> list[dict]:
    cluster = {
        "apiVersion": "rabbitmq.com/v1beta1",
        "kind": "RabbitmqCluster",
        "metadata": _meta(RABBITMQ),
        "spec": {
            "replicas": 3,
            "image": "rabbitmq:3.13-management",
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "2Gi"}},
            "persistence": {"storage": "20Gi"},
            "rabbitmq": {
                "additionalConfig": "cluster_partition_handling = pause_minority\n"
                "vm_memory_high_watermark.relative = 0.6\n"
            },
        },
    }
    return [cluster, pdb(f"{RABBITMQ}-pdb", {LABEL: RABBITMQ})]


def _job_spec(name: str, command: str, env: list) -> dict:
    return {
        "backoffLimit": 6,
        "ttlSecondsAfterFinished": 86400,
        "template": {
            "metadata": {"labels": {LABEL: name, **PART_OF}},
            "spec": {
                "restartPolicy": "OnFailure",
                "securityContext": _SECURITY,
                "containers": [
                    {
                        "name": name.removeprefix("union-"),
                        "image": IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "command": ["sh", "-c", command],
                        "envFrom": [{"configMapRef": {"name": "union-config"}}],
                        "env": env,
                        "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
                        "securityContext": _CONTAINER_SECURITY,
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "tmp", "mountPath": "/tmp"}],
                    }
                ],
                "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
            },
        },
    }


def migrate_job() -> dict:
    env = _common_env() + _pii_env()  # migrations that convert stored values seal them
    for name in ("gateway", *SERVICES):
        env += _database_env(name)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta("union-migrate"),
        "spec": _job_spec(
            "union-migrate", "python -m common.migrate upgrade && python -m deploy.topology declare", env
        ),
    }


def rotate_keys() -> dict:
    """rotate-keys as a suspended CronJob: never scheduled, run on demand after a new key is made
    current — `kubectl -n union-cover create job rotate-keys-1 --from=cronjob/union-rotate-keys`."""
    env = _common_env() + _pii_env()
    for name in PII_SERVICES:
        env += _database_env(name)
    command = "python -m common.rotate_keys " + " ".join(PII_SERVICES)
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta("union-rotate-keys"),
        "spec": {
            "suspend": True,
            "schedule": "0 3 1 1 *",
            "concurrencyPolicy": "Forbid",
            "jobTemplate": {"spec": _job_spec("union-rotate-keys", command, env)},
        },
    }


def files() -> dict[str, list[dict]]:
    comps = components()
    web = [c for c in comps if c.web]
    workers = [c for c in comps if not c.web]
    web_docs = []
    for c in web:
        web_docs += [deployment(c), service(c), pdb(f"{c.name}-pdb", {LABEL: c.name})]
    worker_docs = []
    for c in workers:
        worker_docs.append(deployment(c))
        if c.replicas > 1:
            worker_docs.append(pdb(f"{c.name}-pdb", {LABEL: c.name}))
    return {
        "namespace.yaml": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": PART_OF}}
        ],
        "config.yaml": [config_map()],
        "secrets.yaml": [secrets(), pii_keys()],  # placeholders: create the real Secret instead (docs/operations.md)
        "databases.yaml": [database_cluster(n) for n in DATABASES],
        "rabbitmq.yaml": rabbitmq(),
        "migrate-job.yaml": [migrate_job()],
        "rotate-keys.yaml": [rotate_keys()],
        "web.yaml": web_docs,
        "workers.yaml": worker_docs,
    }


HEADER = "# Generated by `python -m deploy.k8s_manifests` from deploy/k8s_manifests.py: edit that, not this.\n"


def render() -> dict[str, str]:
    out = {
        name: HEADER + yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, width=120)
        for name, docs in files().items()
    }
    out["kustomization.yaml"] = HEADER + yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": list(files())},
        sort_keys=False,
    )
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (OUT / name).write_text(text)
        print(f"wrote deploy/k8s/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
