"""The access matrix: every URL of the project (pages and API) x each role x the own
organisation's object, another organisation's and a missing one, against the expected
answers kept in tests/access_matrix_table.py.

A URL added without a row in the table fails ``test_every_url_has_an_expectation``. The
matrix runs every case, then fails once, listing every unexpected answer. Each request runs
in a savepoint that is rolled back, so a case never sees another's writes; a refused
request must write nothing (PostgreSQL's per-transaction counters of inserted, updated and
deleted rows). The API lists are checked too: they hold exactly the objects whose detail
the role may read.
"""

import datetime
import json
import logging
import re
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.roles import Role
from dasbor import services as dashboard
from dasbor.figures import Scope, compute
from dasbor.models import Snapshot, SnapshotFigures
from ikm.models import ImportJob
from kemitraan.models import (
    Delivery,
    EventParticipant,
    EventSession,
    Meeting,
    MoU,
    Payment,
    PurchaseOrder,
)

from .access_matrix_table import (
    LOGIN,
    OBJECTS,
    OK,
    OK_STATUSES,
    ROLES,
    SKIPPED,
    SKIPPED_PREFIXES,
    TABLE,
)
from .factories import (
    AkadKreditFactory,
    CertificateFactory,
    DemandFactory,
    IkmFactory,
    LenderProfileFactory,
    LinkMatchEventFactory,
    MatchSuggestionFactory,
    MouFactory,
    MouParticipantFactory,
    OrganisationFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MISSING_PK = 987_654_321
DENIALS = {401, 403, 404, 405, LOGIN}  # answers after which nothing may have been written


# --- The URLs of the project ----------------------------------------------------------------


def url_names(resolver=None, prefix="", namespace=None) -> dict[str, str]:
    """{URL name: its route} for every named URL of the project outside the skipped
    prefixes (format-suffix variants of the API share their name)."""
    resolver = resolver or get_resolver()
    names: dict[str, str] = {}
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            child = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            for name, path in url_names(entry, route, child).items():
                names.setdefault(name, path)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            names.setdefault(name or f"<unnamed {route}>", route)
    return names


def test_every_url_has_an_expectation():
    """A new URL needs its row (what each role gets), and a row needs its URL."""
    names = url_names()
    problems = [
        f"no expectation for URL name {name!r} ({route}): add a row to tests/access_matrix_table.py"
        for name, route in sorted(names.items())
        if name not in TABLE and name not in SKIPPED
    ]
    problems += [
        f"the table has a row for {name!r}, which is no URL name any more"
        for name in sorted(set(TABLE) | set(SKIPPED))
        if name not in names
    ]
    for name, row in TABLE.items():
        route = names.get(name, "")
        has_parameters = bool(re.search(r"<(?!drf_format_suffix)|\(\?P<(?!format)", route))
        if has_parameters != bool(row.obj and "{" not in row.query):
            problems.append(f"{name!r}: the row's object family does not fit {route}")
        for expectations in (row.get, row.write or {}):
            if expectations and set(expectations) != set(ROLES):
                problems.append(f"{name!r}: an expectation for every role is needed")
    assert not problems, "\n".join(problems)


# --- The world: two buyers, two lenders, and everything their URLs name ------------------------


def build_world() -> SimpleNamespace:
    """Organisation A (buyer A, lender A) and organisation B (buyer B, lender B), each with
    needs and suggestions, an MoU with its participant, PO, delivery and payment, meetings,
    event registrations and an akad; the registry's IKM (verified and draft) with their
    certificates; import jobs; a dashboard snapshot; a user of each role."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    w = SimpleNamespace()

    kemenperin = OrganisationFactory(kind="kemenperin", name="Kemenperin Matriks")
    buyer_a = OrganisationFactory(kind="apm", name="PT Pembeli Matriks A").buyer_profile
    buyer_b = OrganisationFactory(kind="tier1", name="PT Pembeli Matriks B").buyer_profile
    lender_a = LenderProfileFactory(
        organisation=OrganisationFactory(kind="bank", name="PT Bank Matriks A")
    )
    lender_b = LenderProfileFactory(
        organisation=OrganisationFactory(kind="multifinance", name="PT Multi Matriks B")
    )
    w.users = {
        "anon": None,
        "kem": UserFactory(role=Role.KEMENPERIN, organisation=kemenperin),
        "kadin": UserFactory(
            role=Role.KADIN, organisation=OrganisationFactory(kind="kadin", name="KADIN Matriks")
        ),
        "buyer": UserFactory(role=Role.PENGADAAN, organisation=buyer_a.organisation),
        "lender": UserFactory(role=Role.PEMBIAYAAN, organisation=lender_a.organisation),
        "norole": UserFactory(),
    }
    colleague = UserFactory(role=Role.KEMENPERIN, organisation=kemenperin)

    # The registry: a verified IKM every role sees, a draft only Kemenperin and KADIN see.
    ikm_a = IkmFactory(
        name="CV Matriks Uji A",
        contact_name="Ibu Sari",
        contact_phone="081234567890",
        contact_email="sari@matriks.example",
    )
    ikm_draft = IkmFactory(name="CV Matriks Uji Draf", verification_status="draft")
    ikm_b = IkmFactory(name="CV Matriks Uji B")
    cert_a = CertificateFactory(ikm=ikm_a)
    cert_a.document.save("a.pdf", ContentFile(PDF))
    cert_draft = CertificateFactory(ikm=ikm_draft)
    cert_draft.document.save("b.pdf", ContentFile(PDF))
    job_a, job_b = (
        ImportJob.objects.create(
            created_by=user,
            file=ContentFile(b"nib;nama\n", name="impor.csv"),
            file_name="impor.csv",
            file_sha256=uuid.uuid4().hex * 2,
            status=ImportJob.Status.DONE,
        )
        for user in (w.users["kem"], colleague)
    )

    # Needs and suggestions: the buyer's organisation shortlisted IKM A (contacts shown).
    demand_a = DemandFactory(buyer=buyer_a)
    demand_b = DemandFactory(buyer=buyer_b)
    suggestion_a = MatchSuggestionFactory(demand=demand_a, ikm=ikm_a, status="shortlisted")
    suggestion_b = MatchSuggestionFactory(demand=demand_b, ikm=ikm_b)

    # Events (public): event A with both buyers' meetings, event B with both buyers'
    # registrations waiting for a decision.
    event_a = LinkMatchEventFactory(start_date=today + 10 * day, end_date=today + 11 * day)
    event_b = LinkMatchEventFactory(start_date=today + 20 * day, end_date=today + 20 * day)
    approved = EventParticipant.Status.APPROVED
    for party in ({"buyer": buyer_a}, {"buyer": buyer_b}, {"ikm": ikm_a}, {"ikm": ikm_b}):
        EventParticipant.objects.create(event=event_a, status=approved, **party)
    registration_a, registration_b = (
        EventParticipant.objects.create(event=event_b, buyer=buyer) for buyer in (buyer_a, buyer_b)
    )
    session_a, session_b = (
        EventSession.objects.create(
            event=event,
            date=event.start_date,
            start_time=datetime.time(9),
            end_time=datetime.time(12),
        )
        for event in (event_a, event_b)
    )
    starts = timezone.make_aware(datetime.datetime.combine(event_a.start_date, datetime.time(9)))
    meeting_a, meeting_b = (
        Meeting.objects.create(
            event=event_a, session=session_a, starts_at=starts, table=table, buyer=buyer, ikm=ikm
        )
        for table, buyer, ikm in ((1, buyer_a, ikm_a), (2, buyer_b, ikm_b))
    )

    # MoUs in force, each with a participant, a PO, a delivery and a payment, and an akad of
    # the organisation's lender against it (so lender A reads MoU A, not MoU B).
    ledger = {}
    for key, buyer, lender, ikm in (
        ("a", buyer_a, lender_a, ikm_a),
        ("b", buyer_b, lender_b, ikm_b),
    ):
        mou = MouFactory(
            buyer=buyer,
            event=event_a,
            valid_from=today - 100 * day,
            valid_until=today + 700 * day,
            document=ContentFile(PDF, name="scan.pdf"),
        )
        participant = MouParticipantFactory(mou=mou, ikm=ikm)
        po = PurchaseOrder.objects.create(
            participant=participant,
            buyer=buyer,
            number=f"PO-MATRIKS-{key.upper()}",
            order_date=today - 50 * day,
            value=100_000_000,
        )
        delivery = Delivery.objects.create(
            purchase_order=po, date=today - 40 * day, value=50_000_000
        )
        payment = Payment.objects.create(purchase_order=po, date=today - 30 * day, value=20_000_000)
        akad = AkadKreditFactory(lender=lender, borrower=ikm, mou=mou)
        ledger[key] = SimpleNamespace(
            mou=mou, participant=participant, po=po, delivery=delivery, payment=payment, akad=akad
        )
    assert ledger["a"].mou.status == MoU.Status.ACTIVE

    # The dashboard's figures, stored as the totals job would.
    now = timezone.now()
    snapshot = Snapshot.objects.create(computed_at=now, finished_at=now, trigger="manual")
    rows = [
        SnapshotFigures(snapshot=snapshot, organisation=None, figures=compute(Scope(), now=now))
    ]
    rows += [
        SnapshotFigures(
            snapshot=snapshot,
            organisation=organisation,
            figures=compute(Scope.for_organisation(organisation), now=now),
        )
        for organisation in dashboard.slice_organisations()
    ]
    SnapshotFigures.objects.bulk_create(rows)

    def pks(own, other):
        return {"own": {"pk": own.pk}, "other": {"pk": other.pk}, "missing": {"pk": MISSING_PK}}

    a, b = ledger["a"], ledger["b"]
    w.objects = {
        "ikm": pks(ikm_a, ikm_draft),
        "certificate": pks(cert_a, cert_draft),
        "import_job": {
            "own": {"pk": job_a.pk},
            "other": {"pk": job_b.pk},
            "missing": {"pk": uuid.uuid4()},
        },
        "demand": pks(demand_a, demand_b),
        "suggestion": pks(suggestion_a, suggestion_b),
        "buyer": pks(buyer_a, buyer_b),
        "mou": pks(a.mou, b.mou),
        "mou_participant": {
            "own": {"pk": a.mou.pk, "participant_pk": a.participant.pk},
            "other": {"pk": b.mou.pk, "participant_pk": b.participant.pk},
            "missing": {"pk": a.mou.pk, "participant_pk": MISSING_PK},
        },
        "purchase_order": pks(a.po, b.po),
        "delivery": pks(a.delivery, b.delivery),
        "payment": pks(a.payment, b.payment),
        "event": pks(event_a, event_b),
        "event_participant": pks(registration_a, registration_b),
        "session": pks(session_a, session_b),
        "meeting": pks(meeting_a, meeting_b),
        "akad": pks(a.akad, b.akad),
        "lender": pks(lender_a, lender_b),
        # Reference data: two existing codes and one that does not exist.
        "province": {"own": {"code": "32"}, "other": {"code": "35"}, "missing": {"code": "00"}},
        "regency": {
            "own": {"code": "32.16"},
            "other": {"code": "35.15"},
            "missing": {"code": "99.99"},
        },
        "kbli": {
            "own": {"code": "29300"},
            "other": {"code": "25910"},
            "missing": {"code": "00000"},
        },
        "process": {
            "own": {"slug": "stamping"},
            "other": {"slug": "pemesinan"},
            "missing": {"slug": "tidak-ada"},
        },
        "certification-type": {
            "own": {"code": "ISO9001"},
            "other": {"code": "TKDN"},
            "missing": {"code": "TIDAK-ADA"},
        },
    }
    w.tokens = {role: Token.objects.create(user=user).key for role, user in w.users.items() if user}
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Running a case -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    role: str
    obj: str  # "own", "other", "missing", or "-" for a URL without an object
    expected: object


@dataclass
class Answer:
    status: object  # the status code, or "500 <exception>"
    location: str = ""
    written: int = 0
    body: bytes = b""  # of a 404, or an API's 200


def cases() -> list[Case]:
    """Every (URL name, method, role, object) of the table with its expected answer."""
    result = []
    for name, row in TABLE.items():
        objects = OBJECTS if row.obj else ("-",)
        plans = [("GET", row.get)]
        if row.write is not None:
            plans.append((row.method, row.write))
        for method, expectations in plans:
            for role in ROLES:
                answer = expectations[role]
                for index, obj in enumerate(objects):
                    expected = answer[index] if isinstance(answer, tuple) else answer
                    result.append(Case(name, method, role, obj, expected))
    return result


class Clients:
    """A client per role, signed in once: with a session for pages, a token for the API."""

    def __init__(self, world):
        self.world = world
        self.pages, self.api = {}, {}
        for role in world.users:
            self.pages[role] = self.fresh(role)
            token = world.tokens.get(role)
            self.api[role] = Client(HTTP_AUTHORIZATION=f"Token {token}") if token else Client()

    def fresh(self, role) -> Client:
        client = Client()
        if self.world.users[role] is not None:
            client.force_login(self.world.users[role])
        return client


def url_of(name: str, row, objects: dict | None) -> str:
    """The address of a case: the URL reversed with the object's keys, or its query filled
    with them."""
    if row.path:
        return row.path
    kwargs = objects or {}
    if row.query and "{" in row.query:
        return f"{reverse(name)}?{row.query.format(**kwargs)}"
    url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
    return f"{url}?{row.query}" if row.query else url


class Isolation:
    """Every case is rolled back to one savepoint taken once the clients are signed in, and
    tells how many rows it wrote: PostgreSQL's per-transaction counters of inserted, updated
    and deleted rows, which keep what a rolled-back savepoint did (sessions aside: a
    signed-in request may save its session). One round trip per case."""

    SAVEPOINT = "access_matrix_case"

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relid FROM pg_stat_xact_user_tables WHERE relname <> 'django_session'"
            )
            tables = ",".join(str(int(oid)) for (oid,) in cursor.fetchall())
            self.count_sql = (
                "SELECT coalesce(sum(pg_stat_get_xact_tuples_inserted(t) "
                "+ pg_stat_get_xact_tuples_updated(t) + pg_stat_get_xact_tuples_deleted(t)), 0) "
                f"FROM unnest('{{{tables}}}'::oid[]) AS t"
            )
            cursor.execute(f"SAVEPOINT {self.SAVEPOINT}")
        self.last = self.count()

    def count(self, before: str = "") -> int:
        with connection.cursor() as cursor:
            cursor.execute(before + self.count_sql)
            return int(cursor.fetchone()[0])

    def start(self) -> None:
        """After something outside the cases wrote (signing a client in)."""
        self.last = self.count()

    def rollback(self) -> int:
        """Undo the case; the rows it wrote."""
        now = self.count(before=f"ROLLBACK TO SAVEPOINT {self.SAVEPOINT}; ")
        connection.needs_rollback = False  # rolled back, if a failed query had asked for it
        written, self.last = now - self.last, now
        return written


def send(client: Client, method: str, url: str, api: bool, isolation: Isolation) -> Answer:
    """One request, rolled back afterwards. A write's body is empty: ``{}`` for the API, an
    empty form for a page."""
    if method == "GET":
        body = {}
    elif api:
        body = {"data": "{}", "content_type": "application/json"}
    else:
        body = {"data": "", "content_type": "application/x-www-form-urlencoded"}
    try:
        response = client.generic(method, url, **body)
    except Exception as exc:  # a server error: reported with the case
        isolation.rollback()
        return Answer(status=f"500 {type(exc).__name__}: {exc}"[:300])
    keep = response.status_code == 404 or (api and response.status_code == 200)
    body = b"" if response.streaming or not keep else response.content
    return Answer(
        status=response.status_code,
        location=response.get("Location", ""),
        written=isolation.rollback(),
        body=body,
    )


def matches(expected, answer: Answer) -> bool:
    """Whether ``answer`` is the table's ``expected`` (a status code, LOGIN or OK)."""
    if expected == LOGIN:
        return answer.status == 302 and "/masuk/" in answer.location
    if expected == OK:
        return answer.status in OK_STATUSES and not (
            answer.status == 302 and "/masuk/" in answer.location
        )
    return answer.status == expected


def listed_ids(body: bytes) -> set[str]:
    """The keys of the items of an API list (paginated or not)."""
    data = json.loads(body)
    items = data["results"] if isinstance(data, dict) and "results" in data else data
    return {
        str(item.get("id", item.get("code", item.get("slug"))))
        for item in items
        if isinstance(item, dict)
    }


def list_problems(name, row, role, answer: Answer, world) -> list[str]:
    """The list's items must be exactly the objects whose detail the role may read."""
    detail = TABLE[row.lists]
    reads = detail.get[role]
    ids = listed_ids(answer.body)
    problems = []
    for index, obj in enumerate(("own", "other")):
        key = str(next(iter(world.objects[detail.obj][obj].values())))
        readable = (reads[index] if isinstance(reads, tuple) else reads) == 200
        if readable != (key in ids):
            state = "listed" if key in ids else "not listed"
            problems.append(
                f"{name} ({role}): the {obj} object {key} is {state}, but its detail answers "
                f"{'200' if readable else 'no 200'}"
            )
    return problems


@pytest.fixture
def quiet_refusals():
    """Django logs every 4xx answer with its traceback: thousands here, on purpose."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_access_matrix(world, db, quiet_refusals):
    """Every case of the table; fails once, listing every unexpected answer."""
    api_names = {n for n, route in url_names().items() if route.startswith("api/")}
    clients = Clients(world)
    isolation = Isolation()
    all_cases = cases()
    unexpected = []
    not_found = {}  # (name, method, role) -> {object: the 404's body}
    for case in all_cases:
        row = TABLE[case.name]
        api = case.name in api_names
        objects = world.objects[row.obj][case.obj] if row.obj else None
        url = url_of(case.name, row, objects)
        if row.fresh:
            client = clients.fresh(case.role)
            isolation.start()  # signing in writes (last login, sign-in log)
        else:
            client = (clients.api if api else clients.pages)[case.role]
        answer = send(client, case.method, url, api, isolation)
        where = f"{case.method} {url} [{case.name}] as {case.role}, object {case.obj}"
        if not matches(case.expected, answer):
            got = answer.status
            if answer.status == 302:
                got = f"302 to {answer.location}"
            unexpected.append(f"{where}: expected {case.expected}, got {got}")
        elif case.expected in DENIALS and answer.written:
            unexpected.append(
                f"{where}: refused ({answer.status}), yet wrote {answer.written} rows"
            )
        elif answer.status == 404 and case.obj in ("other", "missing"):
            path = url.split("?")[0].encode()
            not_found.setdefault((case.name, case.method, case.role), {})[case.obj] = (
                answer.body.replace(path, b"")
            )
        elif row.lists and case.method == "GET" and answer.status == 200:
            problems = list_problems(case.name, row, case.role, answer, world)
            unexpected += [f"{where}: {problem}" for problem in problems]
    for (name, method, role), bodies in not_found.items():
        if len(bodies) == 2 and bodies["other"] != bodies["missing"]:
            unexpected.append(
                f"{method} [{name}] as {role}: the other organisation's object answers 404, "
                "but not the same 404 as a missing one"
            )
    print(f"\naccess matrix: {len(all_cases)} cases, {len(unexpected)} unexpected answers")
    assert not unexpected, (
        f"{len(unexpected)} unexpected answers of {len(all_cases)} cases:\n" + "\n".join(unexpected)
    )
