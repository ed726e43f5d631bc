"""Accessibility of the main pages, in a real browser: axe-core (vendored from the npm
registry, tests/e2e/vendor/) finds no serious or critical violation (WCAG 2.1 A/AA rules and
axe's best practices), and the forms work from the keyboard alone, every field with a label
one can see.

The pages are audited as their users see them, with the demo program loaded, one test per
role (loading the demo is the slow part)."""

import pytest
from django.utils.text import capfirst

from accounts.roles import Role
from ikm.models import IKM
from kemitraan.models import BuyerProfile, Demand
from tests.e2e.helpers import axe_violations, describe, id_text, sign_in
from tests.factories import OrganisationFactory, UserFactory

# Playwright is a dev requirement; without it the browser tests are skipped, not broken.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def audit(page, path: str, found: dict, *, name: str | None = None):
    """Open the page and keep its serious and critical violations under its name."""
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    record(page, name or path, found)


def record(page, name: str, found: dict):
    violations = axe_violations(page)
    if violations:
        found[name] = violations


def assert_none(found: dict):
    assert not found, "Serious or critical accessibility violations:\n" + "\n".join(
        f"== {name}\n{describe(violations)}" for name, violations in found.items()
    )


def test_sign_in_and_the_registry_pages_of_kemenperin(demo, page):
    found = {}
    audit(page, "/masuk/", found)
    sign_in(page, "staf.kemenperin")
    ikm = IKM.objects.filter(verification_status=IKM.Status.VERIFIED).order_by("pk").first()
    audit(page, "/ikm/", found)
    audit(page, "/ikm/direktori/", found)
    audit(page, "/ikm/direktori/?q=logam&province=32", found)
    audit(page, f"/ikm/{ikm.pk}/", found)
    audit(page, "/ikm/baru/", found)
    # The registration form as it comes back with errors next to its fields.
    page.get_by_role("button", name=id_text("Save and send for verification")).click()
    expect(page.locator("#form-errors")).to_be_visible()
    record(page, "/ikm/baru/ (refused, with errors)", found)
    audit(page, "/ikm/impor/", found)
    assert_none(found)


def test_the_needs_and_suggestions_of_a_buyer(demo, page):
    found = {}
    sign_in(page, "pengadaan.garuda")
    garuda = BuyerProfile.objects.get(organisation__name="PT Garuda Motor Indonesia")
    demand = Demand.objects.filter(buyer=garuda, suggestions__isnull=False).first()
    audit(page, "/kemitraan/kebutuhan/", found)
    audit(page, f"/kemitraan/kebutuhan/{demand.pk}/", found)
    expect(page.locator("#suggestions tbody tr").first).to_be_visible()  # audited with them
    audit(page, "/kemitraan/kebutuhan/baru/", found)
    assert_none(found)


def test_the_program_pages_of_kadin(demo, page):
    found = {}
    sign_in(page, "admin.kadin")
    audit(page, "/dasbor/", found)
    audit(page, "/dasbor/?province=32", found)
    audit(page, "/kemitraan/mou/", found)
    audit(page, "/pembiayaan/akad/", found)
    assert_none(found)


# --- The keyboard -----------------------------------------------------------------------

CONTROLS = "input:not([type=hidden]), select, textarea"

TAB_STOPS_JS = """(form, selector) => {
    const controls = Array.from(form.querySelectorAll(selector));
    return controls.filter(e => !e.disabled && e.getClientRects().length > 0).map(e => e.id);
}"""

LABEL_JS = """(el) => {
    const visible = (e) => {
        const box = e.getBoundingClientRect();
        const style = getComputedStyle(e);
        return box.width > 1 && box.height > 1 && style.visibility !== "hidden"
            && style.clip !== "rect(0px, 0px, 0px, 0px)" && e.innerText.trim() !== "";
    };
    return Array.from(el.labels || []).filter(visible).map(l => l.innerText.trim())[0] || "";
}"""

FOCUS_SHOWN_JS = """(el) => {
    const style = getComputedStyle(el);
    return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== "none";
}"""


def tab_through(page, form_selector: str) -> list[str]:
    """Focus the form's first field, then press Tab until focus leaves the form: the ids
    of the fields that got focus, in order, each checked for a visible focus indicator."""
    form = page.locator(form_selector)
    stops = form.evaluate(TAB_STOPS_JS, CONTROLS)
    assert stops, f"{form_selector} has no fields"
    page.locator(f"#{stops[0]}").focus()
    visited = []
    for _ in range(4 * len(stops) + 20):
        active = page.evaluate_handle("document.activeElement")
        inside = form.evaluate("(form, el) => form.contains(el)", active)
        if not inside:
            break
        element_id = active.evaluate("el => el.id")
        tag = active.evaluate("el => el.tagName.toLowerCase()")
        if tag in ("input", "select", "textarea") and element_id not in visited:
            assert active.evaluate(FOCUS_SHOWN_JS), f"#{element_id} shows no focus"
            visited.append(element_id)
        page.keyboard.press("Tab")
    assert visited == stops, (
        f"{form_selector}: Tab reached {visited}, the fields in order are {stops}"
    )
    for element_id in stops:
        text = page.locator(f"#{element_id}").evaluate(LABEL_JS)
        assert text, f"#{element_id} in {form_selector} has no visible label"
    return visited


@pytest.fixture
def people(db):
    password = "kata-sandi-uji-123"
    kemenperin = UserFactory(
        username="uji.kemenperin",
        role=Role.KEMENPERIN,
        organisation=OrganisationFactory(kind="kemenperin", name="Kemenperin Uji"),
    )
    buyer = UserFactory(
        username="uji.pengadaan",
        role=Role.PENGADAAN,
        organisation=OrganisationFactory(kind="apm", name="PT Uji Motor Indonesia"),
    )
    kadin = UserFactory(
        username="uji.kadin",
        role=Role.KADIN,
        organisation=OrganisationFactory(kind="kadin", name="KADIN Uji"),
    )
    return {"kemenperin": kemenperin, "buyer": buyer, "kadin": kadin, "password": password}


def test_the_forms_work_from_the_keyboard_with_visible_labels(people, new_page):
    # Signing in with the keyboard alone: type, Tab, type, Enter.
    page = new_page()
    page.goto("/masuk/")
    tab_through(page, "main form")
    page.locator("#id_username").focus()
    page.keyboard.type(people["kemenperin"].username)
    page.keyboard.press("Tab")
    page.keyboard.type(people["password"])
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/masuk/" not in url)
    expect(page.get_by_role("heading", level=1)).to_have_text(id_text("IKM registry"))

    # Registering an IKM: every field, in order, then the buttons.
    page.goto("/ikm/baru/")
    visited = tab_through(page, "form.ikm-form")
    assert {"id_name", "id_nib", "id_province", "id_regency", "id_products"} <= set(visited)
    assert "id_cert-0-certification_type" in visited
    # Choosing the province from the keyboard fills the regency list.
    page.locator("#id_province").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_regency option")).not_to_have_count(1)
    page.locator("#id_regency").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_regency")).not_to_have_value("")
    # The submit button is reached and pressed with the keyboard: the errors come back.
    page.locator("#id_contact_email").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == id_text("Save and send for verification")
    page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_be_visible()
    tab_through(page, "form.ikm-form")  # still in order with the messages shown

    page.goto("/ikm/impor/")
    tab_through(page, "main form[enctype='multipart/form-data']")

    # A buyer's need, and KADIN's dashboard filters.
    page = new_page()
    sign_in(page, people["buyer"].username, people["password"])
    page.goto("/kemitraan/kebutuhan/baru/")
    visited = tab_through(page, "form.demand-form")
    assert {"id_title", "id_description", "id_province", "id_min_tkdn"} <= set(visited)

    page = new_page()
    sign_in(page, people["kadin"].username, people["password"])
    page.goto("/dasbor/")
    visited = tab_through(page, "main form[method=get]")
    assert capfirst(id_text("Province")) == page.locator("label[for=id_province]").inner_text()
    assert "id_province" in visited
