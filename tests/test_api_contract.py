"""The OpenAPI document: valid OpenAPI 3.1, and it lists exactly the routes the API has."""

from __future__ import annotations

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError  # noqa: F401

from tests.api_contract import document_path


def test_the_document_is_served_as_json_and_is_valid_openapi_3_1(api):
    response = api.get("/api/v1/openapi.json")
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError on any fault


def test_every_api_route_is_in_the_document_and_every_documented_operation_is_a_route(
    app, api_contract
):
    prefix = api_contract.prefix
    served = {
        (document_path(rule, prefix), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix + "/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {
        (path, method)
        for path, operations in api_contract.document["paths"].items()
        for method in operations
        if method in ("get", "put", "post", "delete", "patch")
    }
    assert served == documented
    assert len(served) == 5


def test_every_operation_declares_the_lang_parameter_and_the_error_statuses(api_contract):
    for path, operations in api_contract.document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"200", "429", "500", "503"} <= statuses, (path, method)
            if method == "post":
                assert {"400", "413", "415"} <= statuses, (path, method)
                assert operation["requestBody"]["content"]["application/json"]["schema"]
            if "{questionnaire_id}" in path:
                assert "404" in statuses, (path, method)
            if path != "/openapi.json":
                refs = {p.get("$ref") for p in operation["parameters"]}
                assert "#/components/parameters/Lang" in refs, (path, method)


def test_every_error_answer_shares_the_one_error_schema(api_contract):
    responses = api_contract.document["components"]["responses"]
    for name, response in responses.items():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, name
