"""The running API answers as /api/v1/openapi.json says, for generated requests to every route
(schemathesis: no server error, documented status codes and content types, response bodies
matching their schemas)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from dashboard.access import ENV_TOKENS
from dashboard.api import openapi_document
from loaders.workspace.location import create_workspace
from tests.api.conftest import TOKENS, serve_workspace


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One app for every generated case (its workspace collects their edits)."""
    ws = create_workspace(tmp_path_factory.mktemp("api") / "ws.sqlite", sample=True, user="test")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_TOKENS, f"fuzzer:admin:{TOKENS['admin']}")
        yield serve_workspace(ws, live=False).server  # no rebuild per generated write (live swap: test_api.py)


# The description the running app serves is the one generated here (checked below), so the
# cases can be generated at collection time and sent to each test's own app.
schema = schemathesis.openapi.from_dict(openapi_document())


def test_the_served_description_is_this_one(served):
    assert served.test_client().get("/api/v1/openapi.json").get_json() == json.loads(json.dumps(openapi_document()))

CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]


@schema.parametrize()
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_description(case, served):
    case.call_and_validate(app=served, headers={"Authorization": f"Bearer {TOKENS['admin']}"}, checks=CHECKS)
