from tests import factories


def test_factories_build_a_workstream_update(db):
    update = factories.WorkstreamUpdateFactory()
    assert update.state == "NOT_STARTED"
    assert str(update.cycle) == "Q3 2021/22"
