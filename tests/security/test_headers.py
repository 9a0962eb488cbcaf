"""Headers for shared NHS workstations (issue 13): nothing a signed-in person is shown, and no
download, is kept by the browser or a proxy (`Cache-Control: no-store`, private); static files
keep their long-lived caching; a Permissions-Policy refuses the powerful features the portal
never uses; the Content-Security-Policy loads fonts only from the portal itself."""

import pytest
from django.test import Client
from django.urls import reverse

from dataio import exporters
from tests.access.test_url_walk import OUTCOMES, ROLES, world  # noqa: F401  (the walk's fixture)

NEVER_CACHE = {"no-store", "no-cache", "must-revalidate", "private", "max-age=0"}


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_every_answer_to_a_signed_in_person_on_the_url_walk_is_no_store(world):  # noqa: F811
    kwargs, users = world
    missing = []
    for role in ROLES[1:]:
        client = Client()
        client.force_login(users[role])
        for name in OUTCOMES:
            response = client.get(reverse(name, kwargs=kwargs.get(name)))
            if not directives(response) >= NEVER_CACHE:
                missing.append((role, name, response.status_code, response.get("Cache-Control")))
    assert missing == [], "\n".join(map(str, missing))


def test_downloads_are_no_store_even_for_anonymous_people(world):  # noqa: F811
    """A public board pack's PDF (anonymous may read it) is no-store too: a withdrawn
    version must not live on in a shared browser's or a proxy's cache."""
    kwargs, _ = world
    response = Client().get(reverse("packs:published_pdf", kwargs=kwargs["packs:published_pdf"]))
    assert response.status_code == 200
    assert directives(response) >= NEVER_CACHE
    # A public page read anonymously is not personal: no header is added to it.
    page = Client().get(reverse("packs:published_list"))
    assert page.status_code == 200
    assert "no-store" not in directives(page)


@pytest.mark.parametrize("kind", list(exporters.EXPORT_KINDS))
def test_every_export_download_is_no_store(kind, governance, plan, client):
    client.force_login(governance)
    params = {}
    if exporters.EXPORT_KINDS[kind].needs_cycle:
        params["cycle"] = plan.cycle.pk
    response = client.get(reverse("dataio:export", kwargs={"kind": kind}), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert directives(response) >= NEVER_CACHE


def test_static_files_keep_their_caching_for_signed_in_people(governance, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/ without a collectstatic
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # its middleware is built now, with these settings
    client.force_login(governance)
    response = client.get("/static/portal/portal.css")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert "private" not in directives(response)


def test_permissions_policy_refuses_powerful_features(client, db):
    response = client.get(reverse("login"))
    policy = {
        part.strip().split("=")[0]: part.strip().split("=")[1]
        for part in response["Permissions-Policy"].split(",")
    }
    for feature in (
        "camera",
        "microphone",
        "geolocation",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    ):
        assert policy.get(feature) == "()", feature


def test_fonts_come_only_from_the_portal(settings):
    directives_ = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives_["font-src"] == ["'self'"]
    for name, sources in directives_.items():
        assert not [s for s in map(str, sources) if "://" in s or s.endswith(".nhs.uk")], name
