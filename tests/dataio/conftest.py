"""Fixtures for the import/export tests (helpers that build files are in support.py).

Their `plan` is their own: people, themes, risks and a workstream named as the example files
name them. It stands in for tests/conftest.py's reporting `plan` in this folder.
"""

import pytest

from .. import factories


@pytest.fixture
def plan(db):
    """Two themes, three people, two risks and a workstream, named as files name them."""
    cuh = factories.OrganisationFactory(short_name="CUH", name="Cambridge University Hospitals")
    people = {
        email: factories.UserFactory(email=email, full_name=name, organisation=cuh)
        for email, name in [
            ("ann.lead@example.nhs.uk", "Ann Lead"),
            ("bob.deputy@example.nhs.uk", "Bob Deputy"),
            ("cat.owner@example.nhs.uk", "Cat Owner"),
        ]
    }
    themes = {
        "de": factories.ThemeFactory(number=1, name="Direction & Engagement", order=1),
        "digital": factories.ThemeFactory(
            number=7,
            name="System and digital transformation",
            aliases=["System & Digital Transformation"],
            order=7,
        ),
    }
    risks = {
        ref: factories.BAFRiskFactory(reference=ref, title=f"Risk {ref}") for ref in ("07", "09")
    }
    thread = factories.GoldenThreadFactory(number=4, name="Workforce")
    workstream = factories.WorkstreamFactory(
        code="DE", name="DIRECTION & ENGAGEMENT", theme=themes["de"]
    )
    return {
        "people": people,
        "themes": themes,
        "risks": risks,
        "thread": thread,
        "workstream": workstream,
    }
