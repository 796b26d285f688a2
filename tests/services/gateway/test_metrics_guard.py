"""The gateway's metrics: its own `/metrics` answers a loopback caller that came through no proxy,
or anyone with METRICS_TOKEN when one is set, and 404 to everyone else; a service's `/metrics`
(and `/health`, `/ready`) is never forwarded, whatever the path spelling; requests through the
gateway are timed by the service they name."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from gateway.proxy import is_internal_path


def login(client):
    response = client.post("/api/v1/auth/login", json={"username": "boss", "password": "Centre#2026pw"})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_own_metrics_from_loopback_only_without_a_token(gateway, monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    client = gateway.test_client()
    local = client.get("/metrics")
    assert local.status_code == 200
    assert "union_http_request_duration_seconds" in local.get_data(as_text=True)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404
    # a same-host reverse proxy makes every caller loopback; its forwarding header gives it away
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404


def test_own_metrics_with_a_token(gateway, monkeypatch):
    monkeypatch.setenv("METRICS_TOKEN", "scrape-token-0123456789")
    client = gateway.test_client()
    outside = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics").status_code == 404, "with a token set, loopback alone is not enough"
    assert client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer wrong"}).status_code == 404
    good = client.get("/metrics", environ_base=outside, headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert good.status_code == 200
    assert good.content_type.startswith("text/plain")


def test_services_internal_endpoints_are_never_forwarded(gateway, monkeypatch):
    monkeypatch.delenv("METRICS_TOKEN", raising=False)
    client = gateway.test_client()
    headers = login(client)
    for path in ("metrics", "metrics/", "ready", "health", "x/../metrics", "/metrics"):
        assert is_internal_path(path), path
        response = client.get(f"/api/v1/members/{path}", headers=headers, follow_redirects=True)
        assert response.status_code == 404, path
    assert not is_internal_path("members/42") and not is_internal_path("metricsxyz")
    text = client.get("/metrics").get_data(as_text=True)
    routes = {s.labels.get("route") for f in text_string_to_metric_families(text) for s in f.samples}
    assert "/api/v1/members/<path:path>" in routes, "forwarded calls are timed by the service they name"
    assert "/api/v1/auth/login" in routes
