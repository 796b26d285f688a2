"""The OpenAPI's error answers (common/api_docs.py): which statuses an operation lists, from its
shape, and the one error body they all have."""

from common.api_docs import ERROR_SCHEMAS, RESPONSE_NAMES, document_errors, error_statuses

JSON_BODY = {"requestBody": {"content": {"application/json": {"schema": {}}}}}
PATH_ID = [{"in": "path", "name": "batch_id", "schema": {"type": "integer"}}]
QUERY = {"parameters": [{"in": "query", "name": "page", "schema": {"type": "integer"}}]}


def test_every_operation_answers_401_and_403_and_nothing_more_without_input():
    assert error_statuses("get", {}, [], forwarded=False) == [401, 403]


def test_a_path_id_can_be_missing_or_out_of_scope():
    assert error_statuses("get", {}, PATH_ID, forwarded=False) == [401, 403, 404]


def test_a_forwarded_read_with_a_query_adds_scope_validation_and_the_service_being_down():
    assert error_statuses("get", QUERY, [], forwarded=True) == [401, 403, 404, 422, 503]


def test_a_forwarded_change_with_a_body_can_be_malformed_too_large_or_in_conflict():
    assert error_statuses("post", JSON_BODY, PATH_ID, forwarded=True) == [400, 401, 403, 404, 409, 413, 422, 503]


def test_a_forwarded_change_without_a_body_is_still_judged():
    assert error_statuses("post", {}, PATH_ID, forwarded=True) == [401, 403, 404, 409, 422, 503]


def test_declared_statuses_are_added():
    assert 429 in error_statuses("post", {**JSON_BODY, "x-errors": [429]}, [], forwarded=False)


def test_document_errors_replaces_the_framework_error_answers_with_the_one_error_body():
    spec = {
        "paths": {
            "/api/v1/members/x/{batch_id}": {
                "parameters": PATH_ID,
                "get": {
                    "responses": {
                        "200": {"description": "OK"},
                        "default": {"$ref": "#/components/responses/DEFAULT_ERROR"},
                        "422": {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"},
                    },
                    "x-errors": [409],
                },
            }
        }
    }
    document_errors(spec, forwarded_prefixes=("/api/v1/members/",))
    responses = spec["paths"]["/api/v1/members/x/{batch_id}"]["get"]["responses"]
    assert set(responses) == {"200", "401", "403", "404", "409", "503"}
    assert responses["404"] == {"$ref": "#/components/responses/NotFound"}
    assert "x-errors" not in spec["paths"]["/api/v1/members/x/{batch_id}"]["get"]
    for name in RESPONSE_NAMES.values():
        schema = spec["components"]["responses"][name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]


def test_the_error_body_is_code_and_message_with_more_allowed():
    detail = ERROR_SCHEMAS["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"}
    assert detail["additionalProperties"] is True
    assert {"fields", "rows", "window", "error_count", "job_id"} <= set(detail["properties"])


def test_a_download_documents_its_media_types_and_a_revalidated_one_its_304():
    from common.api_docs import PDF, XLSX, downloads

    @downloads(PDF, XLSX, revalidated=True)
    def view():
        return b""

    responses = view._apidoc["manual_doc"]["responses"]
    assert set(responses["200"]["content"]) == {PDF, XLSX}
    assert responses["200"]["content"][PDF]["schema"] == {"type": "string", "format": "binary"}
    assert "304" in responses and "content" not in responses["304"]
