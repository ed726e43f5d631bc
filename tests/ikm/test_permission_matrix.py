"""The registry's access matrix: every view and endpoint x each role x an IKM in the
user's scope (verified) and one outside it (a draft). A role without the permission gets
403 whatever the object (that says nothing about the object); a role with it gets 404
for an object outside its scope, the same answer as for a missing one."""

import pytest
from django.core.files.base import ContentFile

from accounts.roles import Role

from ..factories import CertificateFactory, IkmFactory

pytestmark = pytest.mark.django_db

K, P, A, F = Role.KEMENPERIN, Role.PENGADAAN, Role.KADIN, Role.PEMBIAYAAN
ALL = (K, P, A, F)


def expect(ok: int, roles, otherwise: int = 403) -> dict:
    return {role: (ok if role in roles else otherwise) for role in ALL}


# (method, url template, expected answer per role). {ikm}: a verified IKM every role sees;
# {draft}: a draft only Kemenperin and KADIN see; {cert}/{draft_cert}: their certificates.
MATRIX = [
    ("get", "/ikm/", expect(200, ALL)),
    ("get", "/ikm/direktori/", expect(200, ALL)),
    ("get", "/ikm/direktori/ekspor/", expect(200, ALL)),
    ("get", "/ikm/direktori/ekspor/?format=csv", expect(200, ALL)),
    ("get", "/ikm/baru/", expect(200, (K,))),
    ("get", "/ikm/{ikm}/", expect(200, ALL)),
    ("get", "/ikm/{draft}/", expect(200, (K, A), otherwise=404)),
    ("get", "/ikm/{ikm}/ubah/", expect(200, (K,))),
    ("get", "/ikm/{draft}/ubah/", expect(200, (K,))),
    ("post", "/ikm/{ikm}/kontak/", expect(200, (K, A), otherwise=404)),
    ("post", "/ikm/{draft}/kontak/", expect(200, (K, A), otherwise=404)),
    ("post", "/ikm/{draft}/ajukan/", expect(302, (K,))),
    ("post", "/ikm/{ikm}/verifikasi/", expect(302, (K,))),
    ("post", "/ikm/{ikm}/tolak/", expect(302, (K,))),
    ("post", "/ikm/{ikm}/nonaktifkan/", expect(302, (K,))),
    ("post", "/ikm/{ikm}/aktifkan/", expect(302, (K,))),
    ("get", "/ikm/sertifikat/{cert}/dokumen/", expect(200, ALL)),
    ("get", "/ikm/sertifikat/{draft_cert}/dokumen/", expect(200, (K, A), otherwise=404)),
    ("get", "/ikm/wilayah/kabupaten/?province=32", expect(200, ALL)),
    ("get", "/ikm/skala/?workforce=5&investment_value=100000000", expect(200, ALL)),
    ("get", "/ikm/impor/", expect(200, (K,))),
    ("get", "/ikm/impor/templat/", expect(200, (K,))),
    ("get", "/api/v1/ikm/", expect(200, ALL)),
    ("get", "/api/v1/ikm/{ikm}/", expect(200, ALL)),
    ("get", "/api/v1/ikm/{draft}/", expect(200, (K, A), otherwise=404)),
    ("post", "/api/v1/ikm/", {K: 400, A: 403, P: 403, F: 403}),  # 400: empty body, but allowed
    ("patch", "/api/v1/ikm/{ikm}/", expect(200, (K,))),
    ("patch", "/api/v1/ikm/{draft}/", expect(200, (K,))),
    ("delete", "/api/v1/ikm/{ikm}/", expect(405, ALL)),  # no role deletes an IKM
]


@pytest.fixture
def objects():
    ikm = IkmFactory(verification_status="verified")
    draft = IkmFactory(verification_status="draft")
    cert = CertificateFactory(ikm=ikm)
    cert.document.save("a.pdf", ContentFile(b"%PDF-1.4 test"))
    draft_cert = CertificateFactory(ikm=draft)
    draft_cert.document.save("b.pdf", ContentFile(b"%PDF-1.4 test"))
    return {"ikm": ikm.pk, "draft": draft.pk, "cert": cert.pk, "draft_cert": draft_cert.pk}


def test_the_matrix_covers_every_registry_url():
    from django.urls import get_resolver

    names = {
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and name.startswith("ikm:")
    }
    names |= {
        f"ikm:{n}"
        for n in get_resolver().namespace_dict["ikm"][1].reverse_dict
        if isinstance(n, str)
    }
    covered = {
        "worklist", "directory", "directory-export", "create", "detail", "update", "contact",
        "submit", "verify", "reject", "deactivate", "reactivate", "certificate-document",
        "regency-options", "size-class-preview", "import", "import-template",
        # import-job, import-status, import-confirm, import-errors: tests/ikm/test_import_views.py
        "import-job", "import-status", "import-confirm", "import-errors",
    }  # fmt: skip
    assert {n.removeprefix("ikm:") for n in names} <= covered


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    ("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX]
)
def test_access(client, users_by_role, objects, role, method, url, expected):
    client.force_login(users_by_role[role])
    path = url.format(**objects)
    kwargs = (
        {"content_type": "application/json", "data": "{}"} if method in ("patch", "put") else {}
    )
    if method == "post" and ("/tolak/" in path or "/nonaktifkan/" in path):
        kwargs = {"data": {"reason": "uji akses"}}
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == expected[role], (role, method, path)
