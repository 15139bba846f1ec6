"""The API against its own OpenAPI schema (schemathesis): no server error on any operation.

The schema is loaded from the running app (WSGI, same thread as the test database) and every
operation is fuzzed with an admin token over the demo data (Gia Lai units, 2021 periods, the
2021-H1 submissions), with the schema's examples pointing at real codes so generated requests
reach real submissions and aggregates, not only 404s.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cchc.accounts.models import ApiToken, Role, User
from cchc.demo.loader import load_demo
from cchc.reporting.demo import load_reporting_demo
from cchc.wsgi import application

# Every default check runs (no server error, status codes, content types and bodies as documented,
# schema-violating input refused) except "schema-valid input accepted": a well-formed body can
# still be refused for domain reasons the schema cannot state (an indicator code outside the
# catalog, submitting a report that is already approved), and those 422s are correct.
EXCLUDED_CHECKS = [positive_data_acceptance]

# Building the schema needs no database, so it is loaded through the app at collection time.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly fires request_started/finished, which close the database
    connection (PostgreSQL) and with it the test's transaction; Django's test client detaches
    the same handler for the same reason."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo, loaded (committed) once for the module: each operation's test then runs in its
    own transaction, rolled back, so every one starts from the same data. Flushed at the end so
    other tests find empty tables as usual."""
    with django_db_blocker.unblock():
        load_demo(samples=False)
        load_reporting_demo()
        admin = User.objects.create(username="tich_hop", role=Role.ADMIN, is_superuser=True)
        token = ApiToken.issue(admin, "schemathesis")[1]
    yield token
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()  # flush recreated them, maybe under other ids


@pytest.fixture
def api_token(demo_data, db, keep_test_connection) -> str:
    return demo_data


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, api_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}"}, excluded_checks=EXCLUDED_CHECKS
    )
