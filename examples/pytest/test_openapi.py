"""The API description morbox serves is a valid OpenAPI 3.1 document (checked with the
maintained openapi-spec-validator), so a suite can generate or check clients from it."""
import json
import urllib.request

from openapi_spec_validator import validate


def test_the_api_description_is_valid_openapi(morbox):
    with urllib.request.urlopen(f"{morbox.url}/_morbox/openapi.json") as r:
        doc = json.load(r)
    validate(doc)
    for call in ("user_details_get", "users_get", "payment_create", "simple_balance"):
        assert f"/billing/api/{call}" in doc["paths"], call
