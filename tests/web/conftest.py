"""Fixtures for tests/web, written for the admin's tests (test_admin*.py): its data and signed-in
clients; every test here keeps uploads in a temporary MEDIA_ROOT."""

import pytest

from .support import make_admin_data


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def data(db, lead, governance):
    return make_admin_data(lead, governance)


@pytest.fixture
def gov_client(client, governance):
    client.force_login(governance)
    return client


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
