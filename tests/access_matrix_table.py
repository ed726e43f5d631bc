"""The expected answers of the access matrix (tests/test_access_matrix.py).

One row per URL name of the project (admin and the public health probe aside). A row says
which object family fills the URL's parameters and, per role, the answer to a GET and, for
views that change state, to a POST (PATCH for an API object) with an empty body.

Roles (columns): ``anon`` (not signed in), ``kem`` (Kemenperin staff), ``kadin`` (KADIN
admin), ``buyer`` (procurement officer of buyer A), ``lender`` (lender officer of lender A),
``norole`` (signed in, no role, no organisation).

Objects: ``own`` is organisation A's object (buyer A's need, MoU, PO...; lender A's akad;
for the registry, a verified IKM every role may see), ``other`` is organisation B's (for
the registry, a draft IKM only Kemenperin and KADIN see), ``missing`` a key that does not
exist. An expectation is one answer for every object, or a tuple (own, other, missing).

The rule of the codebase: no permission -> 403 whatever the object; permission but out of
scope -> 404, exactly like a missing object (``visible_to``); anonymous -> the sign-in page
for the UI (302 to /masuk/), 401 for the API. Rows that differ say why.
"""

from dataclasses import dataclass, field

ROLES = ("anon", "kem", "kadin", "buyer", "lender", "norole")
OBJECTS = ("own", "other", "missing")

LOGIN = "302 to /masuk/"  # anonymous on a page: sent to sign in
OK = "allowed"  # an allowed write with an empty body: any answer but a refusal or an error
OK_STATUSES = frozenset({200, 201, 204, 302, 400, 409, 422})

ALL = (200, 200, 404)  # reads both organisations' objects; a missing one is 404
OWN = (200, 404, 404)  # reads its own organisation's only: another's is 404, as a missing one


def all_(answer):
    """The same answer for both organisations' objects; 404 for a missing one."""
    return (answer, answer, 404)


def own(answer):
    """``answer`` for the own organisation's object; 404 for another's and a missing one."""
    return (answer, 404, 404)


def ui(*, kem, kadin, buyer, lender, norole, anon=LOGIN):
    return {"anon": anon, "kem": kem, "kadin": kadin, "buyer": buyer, "lender": lender,
            "norole": norole}  # fmt: skip


def api(*, kem, kadin, buyer, lender, norole, anon=401):
    return ui(kem=kem, kadin=kadin, buyer=buyer, lender=lender, norole=norole, anon=anon)


def only(answer, *roles, otherwise=403, anon=LOGIN):
    """``answer`` for ``roles``, ``otherwise`` (403: no permission) for the other roles."""
    answers = {role: (answer if role in roles else otherwise) for role in ROLES[1:]}
    return {"anon": anon, **answers}


def api_only(answer, *roles, otherwise=403):
    return only(answer, *roles, otherwise=otherwise, anon=401)


SIGNED_IN = ("kem", "kadin", "buyer", "lender", "norole")
WITH_ROLE = ("kem", "kadin", "buyer", "lender")


@dataclass(frozen=True)
class Row:
    obj: str | None = None  # the object family filling the URL's parameters (or its query)
    get: dict = field(default_factory=dict)
    write: dict | None = None  # None: the view changes nothing, no write is sent
    method: str = "POST"  # the write's method
    query: str = ""  # a query string; "{...}" fields are filled from the object family
    lists: str | None = None  # an API list: its items follow the reads of this detail row
    fresh: bool = False  # run with a client of its own (signing out ends the session)
    path: str = ""  # the address to request, for a URL that cannot be reversed


# fmt: off
TABLE: dict[str, Row] = {
    # --- accounts ------------------------------------------------------------------------
    # Each role lands on its work (302); a user without a role is told why (403 page).
    "home": Row(get=ui(kem=302, kadin=302, buyer=302, lender=302, norole=403)),
    # Public by design; a signed-in user is sent on (redirect_authenticated_user).
    "login": Row(get=ui(anon=200, kem=302, kadin=302, buyer=302, lender=302, norole=302)),
    # Signing out is a POST (Django 5); GET is 405.
    "logout": Row(get=only(405, *SIGNED_IN), write=only(302, *SIGNED_IN), fresh=True),
    "password_change": Row(get=only(200, *SIGNED_IN), write=only(OK, *SIGNED_IN)),
    "password_change_done": Row(get=only(200, *SIGNED_IN)),
    "notification-list": Row(get=only(200, *SIGNED_IN)),  # the user's own notifications
    # Public by design (choosing the language on the sign-in page): a redirect for all.
    "set_language": Row(get=only(302, *SIGNED_IN, anon=302),
                        write=only(302, *SIGNED_IN, anon=302)),
    "javascript-catalog": Row(get=only(200, *SIGNED_IN)),
    # Two-step verification is offered to Kemenperin and KADIN users (a wrong or missing
    # code re-shows the form); the code page sends on anyone without an authenticator app.
    "two-factor-setup": Row(get=only(200, "kem", "kadin"), write=only(OK, "kem", "kadin")),
    "two-factor-verify": Row(get=only(302, *SIGNED_IN), write=only(302, *SIGNED_IN)),

    # --- ikm: the registry -----------------------------------------------------------------
    "ikm:worklist": Row(get=only(200, *WITH_ROLE)),
    # The directory is for every role by design (README: "Every role browses the supplier
    # directory"); the rows are each role's visible_to.
    "ikm:directory": Row(get=only(200, *WITH_ROLE)),
    "ikm:directory-export": Row(get=only(200, *WITH_ROLE)),
    "ikm:create": Row(get=only(200, "kem"), write=only(OK, "kem")),
    "ikm:detail": Row("ikm", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN, norole=403)),
    "ikm:update": Row("ikm", get=only(ALL, "kem"), write=only(all_(OK), "kem")),
    # POST only (GET 405 whatever the object). Contacts are personal data: Kemenperin and
    # KADIN see them; a buyer only of an IKM its organisation shortlisted (the own IKM is);
    # a lender never: 404, the answer for an IKM without contacts for that user.
    "ikm:contact": Row("ikm", get=only(405, *WITH_ROLE),
                       write=ui(kem=all_(200), kadin=all_(200), buyer=own(200), lender=404,
                                norole=403)),
    # Workflow actions, POST only: 405 for a GET whatever the object (nothing is looked up).
    "ikm:submit": Row("ikm", get=only(405, "kem"), write=only(all_(OK), "kem")),
    "ikm:verify": Row("ikm", get=only(405, "kem"), write=only(all_(OK), "kem")),
    "ikm:reject": Row("ikm", get=only(405, "kem"), write=only(all_(OK), "kem")),
    "ikm:deactivate": Row("ikm", get=only(405, "kem"), write=only(all_(OK), "kem")),
    "ikm:reactivate": Row("ikm", get=only(405, "kem"), write=only(all_(OK), "kem")),
    "ikm:certificate-document": Row(
        "certificate", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN, norole=403)),
    # htmx helpers of the registration form over reference data: every signed-in user.
    "ikm:regency-options": Row(get=only(200, *SIGNED_IN), query="province=32"),
    "ikm:size-class-preview": Row(get=only(200, *SIGNED_IN),
                                  query="workforce=5&investment_value=100000000"),
    "ikm:import": Row(get=only(200, "kem"), write=only(OK, "kem")),
    "ikm:import-template": Row(get=only(200, "kem")),
    # An import is seen by every Kemenperin user (own: theirs, other: a colleague's).
    "ikm:import-job": Row("import_job", get=only(ALL, "kem")),
    "ikm:import-status": Row("import_job", get=only(ALL, "kem")),
    "ikm:import-confirm": Row("import_job", get=only(405, "kem"),
                              write=only(all_(OK), "kem")),
    "ikm:import-errors": Row("import_job", get=only(ALL, "kem")),

    # --- kemitraan: needs and suggestions --------------------------------------------------
    "kemitraan:demand-list": Row(get=only(200, "kem", "kadin", "buyer")),
    "kemitraan:demand-create": Row(get=only(200, "buyer"), write=only(OK, "buyer")),
    "kemitraan:demand-detail": Row(
        "demand", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=403, norole=403)),
    "kemitraan:demand-update": Row("demand", get=only(OWN, "buyer"),
                                   write=only(own(OK), "buyer")),
    "kemitraan:demand-suggestions": Row(
        "demand", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=403, norole=403)),
    "kemitraan:demand-why-not": Row(
        "demand", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=403, norole=403)),
    # The buyer's actions, POST only (GET 405 whatever the object).
    "kemitraan:suggestion-shortlist": Row("suggestion", get=only(405, "buyer"),
                                          write=only(own(OK), "buyer")),
    "kemitraan:suggestion-contacted": Row("suggestion", get=only(405, "buyer"),
                                          write=only(own(OK), "buyer")),
    "kemitraan:suggestion-dismiss": Row("suggestion", get=only(405, "buyer"),
                                        write=only(own(OK), "buyer")),
    "kemitraan:suggestion-restore": Row("suggestion", get=only(405, "buyer"),
                                        write=only(own(OK), "buyer")),

    # --- kemitraan: buyers (public to the roles that read buyers) ---------------------------
    "kemitraan:buyer-list": Row(get=only(200, "kem", "kadin", "buyer")),
    # Kemenperin and KADIN have no buyer profile: sent to the list of buyers.
    "kemitraan:buyer-profile": Row(get=ui(kem=302, kadin=302, buyer=200, lender=403,
                                          norole=403)),
    "kemitraan:buyer-profile-update": Row(get=only(200, "buyer"), write=only(OK, "buyer")),
    "kemitraan:buyer-detail": Row("buyer", get=ui(kem=ALL, kadin=ALL, buyer=ALL, lender=403,
                                                  norole=403)),

    # --- kemitraan: MoUs ---------------------------------------------------------------------
    "kemitraan:mou-list": Row(get=only(200, *WITH_ROLE)),
    "kemitraan:mou-create": Row(get=only(200, "kem", "buyer"), write=only(OK, "kem", "buyer")),
    # The MoU form's IKM picker; ?mou= (editing) must be an MoU in the user's scope.
    "kemitraan:mou-ikm-search": Row("mou", query="mou={pk}&q=Uji",
                                    get=ui(kem=ALL, kadin=403, buyer=OWN, lender=403,
                                           norole=403)),
    # A lender officer reads the MoU behind their lender's akad (own), not another's.
    "kemitraan:mou-detail": Row("mou", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN,
                                              norole=403)),
    "kemitraan:mou-update": Row("mou", get=ui(kem=ALL, kadin=403, buyer=OWN, lender=403,
                                              norole=403),
                                write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403,
                                         norole=403)),
    "kemitraan:mou-document": Row("mou", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN,
                                                norole=403)),
    # Transitions, POST only: the scope is checked before the method (GET: 405 / 404).
    **{
        f"kemitraan:mou-{action}": Row(
            "mou",
            get=ui(kem=all_(405), kadin=403, buyer=own(405), lender=403, norole=403),
            write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403),
        )
        for action in ("sign", "activate", "terminate")
    },

    # --- kemitraan: realisation ledger -------------------------------------------------------
    "kemitraan:mou-realisation": Row(
        "mou", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN, norole=403)),
    "kemitraan:participant-realisation": Row(
        "mou_participant", get=ui(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN, norole=403)),
    # Recording, POST only: a GET is 405 whatever the object (nothing is looked up).
    "kemitraan:po-create": Row(
        "mou_participant", get=only(405, "kem", "buyer"),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:delivery-create": Row(
        "purchase_order", get=only(405, "kem", "buyer"),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:payment-create": Row(
        "purchase_order", get=only(405, "kem", "buyer"),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:delivery-delete": Row(
        "delivery", get=only(405, "kem", "buyer"),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:payment-delete": Row(
        "payment", get=only(405, "kem", "buyer"),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    # Importing into the ledger: Kemenperin any MoU, a buyer their own. Without the signed
    # token of an upload, preview and error workbook go back to the upload (302).
    "kemitraan:po-import": Row(
        "mou", get=ui(kem=ALL, kadin=403, buyer=OWN, lender=403, norole=403),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:po-import-preview": Row(
        "mou", get=ui(kem=all_(302), kadin=403, buyer=own(302), lender=403, norole=403)),
    "kemitraan:po-import-apply": Row(
        "mou", get=only(405, "kem", "buyer"),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:po-import-errors": Row(
        "mou", get=ui(kem=all_(302), kadin=403, buyer=own(302), lender=403, norole=403)),
    "kemitraan:po-import-template": Row(
        "mou", get=ui(kem=ALL, kadin=403, buyer=OWN, lender=403, norole=403)),

    # --- kemitraan: Link & Match events --------------------------------------------------------
    # Events are public to every role (architecture.md): "own" and "other" are two events.
    "kemitraan:event-list": Row(get=only(200, *WITH_ROLE)),
    "kemitraan:event-create": Row(get=only(200, "kem"), write=only(OK, "kem")),
    "kemitraan:event-detail": Row("event", get=only(ALL, *WITH_ROLE)),
    "kemitraan:event-update": Row("event", get=only(ALL, "kem"), write=only(all_(OK), "kem")),
    # POST only; the event is looked up first (GET: 405, or 404 for a missing event).
    "kemitraan:event-register": Row("event", get=only(all_(405), "kem", "buyer"),
                                    write=only(all_(OK), "kem", "buyer")),
    # Registrations: own = buyer A's, other = buyer B's (Kemenperin decides on both).
    "kemitraan:participant-approve": Row("event_participant", get=only(all_(405), "kem"),
                                         write=only(all_(OK), "kem")),
    "kemitraan:participant-reject": Row("event_participant", get=only(all_(405), "kem"),
                                        write=only(all_(OK), "kem")),
    "kemitraan:session-create": Row("event", get=only(ALL, "kem"), write=only(all_(OK), "kem")),
    "kemitraan:session-update": Row("session", get=only(ALL, "kem"),
                                    write=only(all_(OK), "kem")),
    # The meetings of a public event; the rows are the user's scope (tested elsewhere).
    "kemitraan:event-meetings": Row("event", get=only(ALL, "kem", "kadin", "buyer")),
    "kemitraan:meeting-request": Row("event", get=only(ALL, "kem", "buyer"),
                                     write=only(all_(OK), "kem", "buyer")),
    # A buyer's officer only (not Kemenperin: 403). ?ikm= must be an IKM they see. A POST
    # without an event is a 404 (no such event for the pair).
    "kemitraan:meeting-request-for": Row("ikm", query="ikm={pk}", get=only(OWN, "buyer"),
                                         write=only(404, "buyer")),
    # Meetings: own = buyer A's, other = buyer B's. Only Kemenperin manages them.
    "kemitraan:meeting-confirm": Row("meeting", get=only(all_(405), "kem"),
                                     write=only(all_(OK), "kem")),
    "kemitraan:meeting-move": Row("meeting", get=only(ALL, "kem"), write=only(all_(OK), "kem")),
    "kemitraan:meeting-cancel": Row("meeting", get=only(all_(405), "kem"),
                                    write=only(all_(OK), "kem")),
    "kemitraan:meeting-outcome": Row(
        "meeting", get=ui(kem=ALL, kadin=403, buyer=OWN, lender=403, norole=403),
        write=ui(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403)),
    "kemitraan:event-schedule": Row("event", get=only(ALL, "kem", "kadin", "buyer")),
    "kemitraan:event-schedule-xlsx": Row("event", get=only(ALL, "kem", "kadin", "buyer")),

    # --- pembiayaan ----------------------------------------------------------------------------
    "pembiayaan:akad-list": Row(get=only(200, "kem", "kadin", "lender")),
    "pembiayaan:akad-create": Row(get=only(200, "lender"), write=only(OK, "lender")),
    # Kemenperin and KADIN read every akad (read only); a lender officer their lender's.
    "pembiayaan:akad-detail": Row(
        "akad", get=ui(kem=ALL, kadin=ALL, buyer=403, lender=OWN, norole=403)),
    "pembiayaan:akad-update": Row("akad", get=only(OWN, "lender"),
                                  write=only(own(OK), "lender")),
    # Life-cycle actions, POST only: the scope is checked before the method (GET 405 / 404).
    **{
        f"pembiayaan:akad-{action}": Row(
            "akad", get=only(own(405), "lender"), write=only(own(OK), "lender"))
        for action in ("approve", "sign", "disburse", "collectibility", "pay-off", "reject",
                       "cancel")
    },
    "pembiayaan:candidate-list": Row(get=only(200, "kem", "kadin", "lender")),
    "pembiayaan:lender-list": Row(get=only(200, "kem", "kadin", "lender")),
    "pembiayaan:lender-profile": Row(get=only(200, "lender"), write=only(OK, "lender")),
    # Akad import, for a lender officer. Without the signed token of an upload, preview and
    # error workbook go back to the upload (302).
    "pembiayaan:akad-import": Row(get=only(200, "lender"), write=only(OK, "lender")),
    "pembiayaan:akad-import-preview": Row(get=only(302, "lender")),
    "pembiayaan:akad-import-apply": Row(get=only(405, "lender"), write=only(OK, "lender")),
    "pembiayaan:akad-import-errors": Row(get=only(302, "lender")),
    "pembiayaan:akad-import-template": Row(get=only(200, "lender")),

    # --- dasbor --------------------------------------------------------------------------------
    # Kemenperin and KADIN the program's figures, buyer and lender officers their slice.
    "dasbor:overview": Row(get=only(200, *WITH_ROLE)),
    "dasbor:export": Row(get=only(200, *WITH_ROLE)),
    # POST only: 405 to a GET from anyone signed in; the POST is Kemenperin's and KADIN's.
    "dasbor:refresh": Row(get=only(405, *SIGNED_IN), write=only(OK, "kem", "kadin")),
    # The audit trail: Kemenperin and KADIN.
    "dasbor:audit": Row(get=only(200, "kem", "kadin")),

    # --- API (/api/v1/; token authentication; anonymous 401) --------------------------------------
    "api-root": Row(get=api_only(200, *SIGNED_IN)),
    # Any other address under /api/v1/: a JSON 404 for everyone, signed in or not.
    # An unknown API address: JSON 404 for a signed-in user, 401 for anyone else (like every
    # API answer to an anonymous caller; it says nothing about what exists).
    "api-not-found": Row(path="/api/v1/tidak-ada/", get=only(404, *SIGNED_IN, anon=401),
                         write=only(404, *SIGNED_IN, anon=401)),
    # The schema and its docs: every signed-in user (SPECTACULAR_SETTINGS SERVE_PERMISSIONS).
    "api-schema": Row(get=api_only(200, *SIGNED_IN)),
    "api-docs": Row(get=api_only(200, *SIGNED_IN)),
    "api-me": Row(get=api_only(200, *SIGNED_IN)),
    "api-dashboard-summary": Row(get=api_only(200, *WITH_ROLE)),
    # Reference data: every signed-in user reads it, no role needed (architecture.md).
    **{
        f"{name}-list": Row(get=api_only(200, *SIGNED_IN), lists=f"{name}-detail")
        for name in ("province", "regency", "kbli", "process", "certification-type")
    },
    **{
        f"{name}-detail": Row(name, get=api_only(ALL, *SIGNED_IN))
        for name in ("province", "regency", "kbli", "process", "certification-type")
    },
    "ikm-list": Row(get=api_only(200, *WITH_ROLE), write=api_only(OK, "kem"),
                    lists="ikm-detail"),
    "ikm-detail": Row("ikm", get=api(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN, norole=403),
                      write=api_only(all_(OK), "kem"), method="PATCH"),
    "demand-list": Row(get=api_only(200, "kem", "kadin", "buyer"), write=api_only(OK, "buyer"),
                       lists="demand-detail"),
    "demand-detail": Row("demand", get=api(kem=ALL, kadin=ALL, buyer=OWN, lender=403,
                                           norole=403),
                         write=api_only(own(OK), "buyer"), method="PATCH"),
    "demand-suggestions": Row("demand", get=api(kem=ALL, kadin=ALL, buyer=OWN, lender=403,
                                                norole=403)),
    "mou-list": Row(get=api_only(200, *WITH_ROLE), write=api_only(OK, "kem", "buyer"),
                    lists="mou-detail"),
    "mou-detail": Row("mou", get=api(kem=ALL, kadin=ALL, buyer=OWN, lender=OWN, norole=403),
                      write=api(kem=all_(OK), kadin=403, buyer=own(OK), lender=403,
                                norole=403),
                      method="PATCH"),
    # Transitions, POST only: the permission first (403), then 405 to a GET.
    **{
        f"mou-{action}": Row(
            "mou", get=api_only(405, "kem", "buyer"),
            write=api(kem=all_(OK), kadin=403, buyer=own(OK), lender=403, norole=403))
        for action in ("sign", "activate", "terminate")
    },
    "event-list": Row(get=api_only(200, *WITH_ROLE), lists="event-detail"),
    "event-detail": Row("event", get=api_only(ALL, *WITH_ROLE)),
    # Lenders are public to the roles that read lenders (procurement officers do not).
    "lender-list": Row(get=api_only(200, "kem", "kadin", "lender"), lists="lender-detail"),
    "lender-detail": Row("lender", get=api_only(ALL, "kem", "kadin", "lender")),
    "akad-list": Row(get=api_only(200, "kem", "kadin", "lender"), write=api_only(OK, "lender"),
                     lists="akad-detail"),
    "akad-detail": Row("akad", get=api(kem=ALL, kadin=ALL, buyer=403, lender=OWN, norole=403),
                       write=api_only(own(OK), "lender"), method="PATCH"),
    **{
        f"akad-{action}": Row("akad", get=api_only(405, "lender"),
                              write=api_only(own(OK), "lender"))
        for action in ("approve", "sign", "disburse", "collectibility", "pay-off", "reject",
                       "cancel")
    },
}
# fmt: on

# Not in the matrix, on purpose.
SKIPPED = {
    "health": "public by design (load balancers); tests/test_health.py",
}
SKIPPED_PREFIXES = ("admin/",)  # the Django admin: is_staff, its own login
