"""Schemathesis over every operation of ``/api/schema/``, on the demo program.

Each operation gets a bounded, seeded number of generated requests, valid and
schema-violating, each sent as one of three users whose scopes differ (Hypothesis draws
which, so a failure shrinks and replays with its user): Kemenperin staff (who read
everything), YDBA's procurement officer and Bank Mandiri's lender officer. Most ids in
paths are replaced by ids of demo records, in and out of each user's scope. Every answer
must be no server error, carry a status code the schema documents for the operation, the
documented content type, and a body that matches the documented schema. Each request runs
in a savepoint that is rolled back, so every example sees the same demo data. The run ends
with a line counting the requests, their answers and the failures.

Below, the failures the fuzzing found, kept as plain cases.
"""

import re
import zlib
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.roles import Role
from ikm.models import IKM, CertificationType, Kbli, ProcessCapability, Province, Regency
from kemitraan.models import BuyerProfile, Demand, LinkMatchEvent, MoU
from kemitraan.mou_api import IKM_NOT_VISIBLE
from pembiayaan.models import AkadKredit, LenderProfile

from .factories import (
    AkadKreditFactory,
    IkmFactory,
    LenderProfileFactory,
    MouFactory,
    MouParticipantFactory,
    UserFactory,
)

# Who sends each request: the demo users of the three scopes.
USERNAMES = ("staf.kemenperin", "pengadaan.ydba", "kredit.mandiri")
MAX_EXAMPLES = 25  # per operation, for the fuzzing phase
SEED = 2025
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)

# Generated path parameters are mostly replaced by real ones (three in four), so the
# operations on one object reach objects that exist, in and out of each user's scope.
REAL_KEYS = {
    "/api/v1/akad/": lambda: AkadKredit.objects.values_list("pk", flat=True),
    "/api/v1/demands/": lambda: Demand.objects.values_list("pk", flat=True),
    "/api/v1/events/": lambda: LinkMatchEvent.objects.values_list("pk", flat=True),
    "/api/v1/ikm/": lambda: IKM.objects.values_list("pk", flat=True),
    "/api/v1/lenders/": lambda: LenderProfile.objects.values_list("pk", flat=True),
    "/api/v1/mous/": lambda: MoU.objects.values_list("pk", flat=True),
    "/api/v1/provinces/": lambda: Province.objects.values_list("code", flat=True),
    "/api/v1/regencies/": lambda: Regency.objects.values_list("code", flat=True),
    "/api/v1/kbli/": lambda: Kbli.objects.values_list("code", flat=True)[:200],
    "/api/v1/processes/": lambda: ProcessCapability.objects.values_list("slug", flat=True),
    "/api/v1/certification-types/": lambda: CertificationType.objects.values_list(
        "code", flat=True
    ),
}

STATS = {"requests": 0, "failures": 0, "statuses": Counter()}


def token_headers(user) -> dict:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    tokens = {
        username: token_headers(User.objects.get(username=username)) for username in USERNAMES
    }
    real = {prefix: sorted(query()) for prefix, query in REAL_KEYS.items()}
    return {"tokens": tokens, "real": real}


@pytest.fixture
def wsgi_app():
    """Django's WSGI application inside the test's transaction: like Django's test client,
    requests do not close the connection (that would end the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(app, headers):
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, config=CONFIG, headers=headers
    )


@pytest.fixture
def api_schema(demo, wsgi_app):
    return load_schema(wsgi_app, demo["tokens"]["staf.kemenperin"])


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """Print how many requests were sent and how many answers failed a check."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and STATS["requests"]:
        with capture.global_and_fixture_disabled():
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(STATS["statuses"].items()))
            reporter.write_sep(
                "-",
                f"schemathesis: {STATS['requests']} requests ({statuses}), "
                f"{STATS['failures']} failed",
            )


@pytest.fixture(autouse=True)
def _schemathesis_node_id(request):
    """Schemathesis 4.32 renames the test node per operation through ``Node._nodeid``,
    which pytest 9.2 no longer has (it keeps ``Node._id``): give it one to read and write.
    The operations are still reported by name, as subtests."""
    request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


def _real_key(case, demo):
    """Replace most generated path parameters by an existing object's key."""
    for prefix, keys in demo["real"].items():
        if case.operation.path.startswith(prefix) and keys:
            for name, value in case.path_parameters.items():
                if isinstance(value, int | str) and not isinstance(value, bool):
                    digest = zlib.crc32(str(value).encode())
                    if digest % 4:
                        case.path_parameters[name] = keys[digest % len(keys)]
            return


@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
@schema.given(username=st.sampled_from(USERNAMES))
def test_every_operation_in_each_scope(case, username, demo):
    _real_key(case, demo)
    with transaction.atomic():
        STATS["requests"] += 1
        response = case.call(headers=demo["tokens"][username])
        transaction.set_rollback(True)
    STATS["statuses"][response.status_code] += 1
    try:
        case.validate_response(response, checks=CHECKS)
    except (Exception, BaseExceptionGroup):  # schemathesis raises a group of failures
        STATS["failures"] += 1
        raise


# --- What the fuzzing found, kept as plain cases ----------------------------------------------


def call_and_check(app, user, method, path, **case):
    """Send one request as ``user`` and apply the checks above to its answer."""
    headers = token_headers(user)
    operation = load_schema(app, headers)[re.sub(r"/[0-9]+/", "/{id}/", path)][method]
    if "body" in case:
        case.setdefault("media_type", "application/json")
    case = operation.Case(path_parameters=_path_parameters(path), **case)
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    return response


def _path_parameters(path):
    found = re.search(r"/([0-9]+)/", path)
    return {"id": int(found[1])} if found else {}


def test_a_user_without_an_organisation(wsgi_app, db):
    """Kemenperin and KADIN staff need no organisation: ``organisation`` is then null."""
    user = UserFactory(role=Role.KADIN)
    response = call_and_check(wsgi_app, user, "GET", "/api/v1/me/")
    assert response.json()["organisation"] is None


def test_an_application_without_an_mou(wsgi_app, pembiayaan_user):
    """An application need not rest on an MoU: ``mou`` is then null."""
    LenderProfileFactory(organisation=pembiayaan_user.organisation)
    borrower = IkmFactory()
    body = {
        "borrower": borrower.nib,
        "scheme": "kmk",
        "plafon": 500_000_000,
        "tenor_months": 24,
        "interest_rate": "9.50",
        "applied_on": "2025-01-10",
    }
    response = call_and_check(wsgi_app, pembiayaan_user, "POST", "/api/v1/akad/", body=body)
    assert response.status_code == 201
    assert response.json()["mou"] is None


def test_an_unknown_ikm_in_an_mou_is_a_field_error(wsgi_app, pengadaan_user):
    """An IKM id that does not exist is answered like one outside the user's scope (it was
    a server error)."""
    BuyerProfile.objects.get_or_create(organisation=pengadaan_user.organisation)
    body = {
        "number": "001/UJI/MoU/2025",
        "title": "Kemitraan komponen",
        "partnership_pattern": "rantai_pasok",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
        "participants": [{"ikm": 987654, "committed_market_access": 1_000_000_000}],
    }
    response = call_and_check(wsgi_app, pengadaan_user, "POST", "/api/v1/mous/", body=body)
    assert response.status_code == 400
    with translation.override("id"):
        message = str(IKM_NOT_VISIBLE).format(value=987654)
    assert response.json() == {"participants": {"0": {"ikm": [message]}}}


def test_a_participant_in_a_patch_is_whole(wsgi_app, pengadaan_user):
    """A PATCH replaces the participants, so each needs its IKM and commitment, as in a
    POST (DRF let a partial update skip them: a server error)."""
    buyer, _ = BuyerProfile.objects.get_or_create(organisation=pengadaan_user.organisation)
    mou = MouFactory(buyer=buyer, status=MoU.Status.DRAFT, signing_date=None)
    participant = MouParticipantFactory(mou=mou)
    body = {"participants": [{"committed_market_access": 1}], "supports": [{"notes": "x"}]}
    path = f"/api/v1/mous/{mou.pk}/"
    response = call_and_check(wsgi_app, pengadaan_user, "PATCH", path, body=body)
    assert response.status_code == 400
    with translation.override("id"):
        required = [str(serializers.Field.default_error_messages["required"])]
    assert response.json() == {
        "participants": {"0": {"ikm": required}},
        "supports": {"0": {"pillar": required}},
    }
    assert list(mou.participants.all()) == [participant]


def test_a_collateral_in_a_patch_is_whole(wsgi_app, pembiayaan_user):
    """The same for an akad's collateral (a missing kind or value was a server error)."""
    lender = LenderProfileFactory(organisation=pembiayaan_user.organisation)
    akad = AkadKreditFactory(lender=lender)
    body = {"collaterals": [{"description": "Mesin press 80 ton"}]}
    path = f"/api/v1/akad/{akad.pk}/"
    response = call_and_check(wsgi_app, pembiayaan_user, "PATCH", path, body=body)
    assert response.status_code == 400
    with translation.override("id"):
        required = [str(serializers.Field.default_error_messages["required"])]
    assert response.json() == {"collaterals": {"0": {"kind": required, "value": required}}}
    assert not akad.collaterals.exists()


@pytest.mark.parametrize("path", ["/api/v1/regencies/32-16/", "/api/v1/tidak-ada/"])
def test_an_unknown_api_address_answers_json(kemenperin_user, client, path):
    """Not Django's HTML page: DRF's 404 for a signed-in user, 401 for anyone else."""
    client.force_login(kemenperin_user)
    response = client.post(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    client.logout()
    assert client.get(path).status_code == 401
