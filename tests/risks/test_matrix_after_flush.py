"""A flush (an operator's `manage.py flush`, or the one after every transactional test) leaves
a risk matrix in force, as migrate does: without one, every heat map and board pack fails."""

import pytest
from django.core.management import call_command

from risks.models import RiskMatrix


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_still_has_a_risk_matrix():
    call_command("flush", "--no-input", verbosity=0)
    matrix = RiskMatrix.objects.current()
    assert matrix is not None
    assert matrix.band_for(25) is not None
