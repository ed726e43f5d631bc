"""What the browser tests do as a person would (sign in) and how they audit a page (axe)."""

import functools
from pathlib import Path

from django.utils import translation

from accounts.demo import DEMO_PASSWORD

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def sign_in(page, username: str, password: str = DEMO_PASSWORD):
    """Sign in through the form, as a person does: type, then press the button."""
    page.goto("/masuk/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]", has_text=id_text("Sign in")).click()
    page.wait_for_url(lambda url: "/masuk/" not in url)


def id_text(message: str) -> str:
    """What a user of the default language (Indonesian) reads for an English msgid."""
    with translation.override("id"):
        return str(translation.gettext(message))


# --- Accessibility --------------------------------------------------------------------


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (vendored from the npm registry) on the page as it is now: the
    violations of the given impacts, each with its nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's Content-Security-Policy
        # (script-src 'self') stays in force for the page itself.
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                          summary: n.failureSummary})),
            }));
        }"""
    )
    return [v for v in violations if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            summary = " | ".join((node["summary"] or "").splitlines())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def go_to(page, link_text: str):
    """Follow a link of the main navigation, opening the collapsed menu first when the
    window is too narrow to show it."""
    navigation = page.get_by_role("navigation", name=id_text("Main navigation"))
    link = navigation.get_by_role("link", name=link_text, exact=True)
    if not link.is_visible():
        navigation.get_by_role("button", name=id_text("Toggle navigation")).click()
    link.click()
