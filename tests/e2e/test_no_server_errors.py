"""No request a user can send produces a 500: schemathesis generates requests — valid and
invalid — for every operation in the gateway's aggregated OpenAPI document, and each is sent as
the centre (the widest scope, so requests get past the role checks) to the real system."""
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

# Operations that would end the fuzzing session itself (logout revokes the token it uses;
# disabling accounts would lock the fuzzer out). They have their own tests.
EXCLUDED = ("/api/v1/auth/logout", "/api/v1/accounts/{account_id}")
EXAMPLES = 8


def test_no_request_gives_a_server_error(system):
    spec = requests.get(system.base + "/api/v1/openapi.json", timeout=30).json()
    spec["servers"] = [{"url": system.base}]
    spec["paths"] = {p: item for p, item in spec["paths"].items() if p not in EXCLUDED}
    schema = schemathesis.openapi.from_dict(spec)
    schema.config.update(base_url=system.base)
    # the centre reaches every operation's deepest path; scope refusals have their own tables
    tokens = [system.login("centre").http.headers["Authorization"]]
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def send(case):
            for token in tokens:
                response = case.call(headers={"Authorization": token}, timeout=60)
                assert response.status_code < 500, \
                    f"{case.method} {response.request.url} -> {response.status_code}: {response.text[:200]}"

        try:
            send()
        except AssertionError as failure:
            failures.append(str(failure).splitlines()[0])
    assert operations > 10
    assert not failures, "\n".join(failures)
