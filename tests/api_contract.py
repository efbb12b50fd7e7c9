"""Check the API's answers against the OpenAPI document it serves at /api/v1/openapi.json."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Rule

DOCUMENT_URI = "urn:socialeinvesteringer:api:openapi"
# Answers for an address or method the document cannot list, by status.
UNLISTED = {404: "NotFound", 405: "MethodNotAllowed"}


def escape(token: str) -> str:
    """One JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def document_path(rule: Rule, prefix: str) -> str:
    """A Flask rule as the document's path: /api/v1/questionnaires/<id> -> /questionnaires/{id}."""
    path = rule.rule.removeprefix(prefix)
    for name in rule.arguments:
        path = path.replace(f"<{name}>", f"{{{name}}}")
    return path


class ApiContract:
    """The OpenAPI document, with the schema of every declared answer ready to validate against."""

    def __init__(self, app: Flask, document: dict[str, Any]) -> None:
        self.app = app
        self.document = document
        self.prefix = document["servers"][0]["url"]
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(DOCUMENT_URI, resource)

    def at(self, pointer: str) -> Any:
        """The part of the document at a JSON pointer."""
        node: Any = self.document
        for token in pointer.strip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def declared_response(self, method: str, url: str, status: int) -> str:
        """The pointer to the response the document declares for this request and status."""
        adapter = self.app.url_map.bind("localhost")
        try:
            rule, _args = adapter.match(urlsplit(url).path, method=method, return_rule=True)
        except (NotFound, MethodNotAllowed):
            assert status in UNLISTED, f"{method} {url}: {status} for an address not served"
            return f"/components/responses/{UNLISTED[status]}"
        path = document_path(rule, self.prefix)
        assert path in self.document["paths"], f"{path} is not in the document"
        operation = self.document["paths"][path].get(method.lower())
        assert operation is not None, f"{method} {path} is not in the document"
        assert str(status) in operation["responses"], f"{method} {path} declares no {status}"
        pointer = f"/paths/{escape(path)}/{method.lower()}/responses/{status}"
        while "$ref" in self.at(pointer):
            pointer = self.at(pointer)["$ref"].removeprefix("#")
        return pointer

    def check(self, method: str, url: str, response: Any) -> None:
        """Assert that an answer is what the document declares: status, type, headers, body."""
        pointer = self.declared_response(method, url, response.status_code)
        declared = self.at(pointer)
        assert response.mimetype == "application/json", (url, response.mimetype)
        for name, header in declared.get("headers", {}).items():
            if "$ref" in header:
                header = self.at(header["$ref"].removeprefix("#"))
            if header.get("required"):
                assert name in response.headers, f"{method} {url}: no {name} header"
        schema_pointer = f"{pointer}/content/{escape('application/json')}/schema"
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#{schema_pointer}"}, registry=self.registry
        )
        body = json.loads(response.get_data(as_text=True))
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{method} {url} {response.status_code}: " + "; ".join(
            f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]
        )


class CheckedClient:
    """A test client for the API whose every answer is checked against the document."""

    def __init__(self, client: Any, contract: ApiContract) -> None:
        self.client = client
        self.contract = contract

    def open(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        response = self.client.open(url, method=method, **kwargs)
        self.contract.check(method, url, response)
        return response

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.open(url, "GET", **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.open(url, "POST", **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.open(url, "PUT", **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.open(url, "DELETE", **kwargs)
