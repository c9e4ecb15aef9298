"""Property-based: schemathesis generates requests from our own OpenAPI document.

Whatever it sends, the server answers without a 5xx, and every error is problem+json.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from scalechat.app import create_app
from scalechat.settings import Settings
from tests.support import ServerProcess

# The document the server serves, built without starting anything (the lifespan does not run).
# schemathesis' from_fixture loader is broken with pytest 9.2, hence this route.
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_causes_a_server_error(case: schemathesis.Case[Any], server: ServerProcess) -> None:
    response = case.call(base_url=server.url, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}"
    if response.status_code >= 400:
        assert response.headers["content-type"][0].startswith("application/problem+json")
        assert response.json()["code"]
    # Schema-valid but semantically wrong input (an unknown model id, a parent from another
    # conversation) is rightly refused with a 4xx, so the "positive data accepted" check is off.
    case.validate_response(response, excluded_checks=[checks.positive_data_acceptance])
