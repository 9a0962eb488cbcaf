from django.urls import path, register_converter

from .views import cycles, reopen, reviews, updates


class UpdateKindConverter:
    """Which kind of update a URL names: a workstream's or a golden thread's."""

    regex = "workstream|thread"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UpdateKindConverter, "update_kind")

app_name = "reporting"

urlpatterns = [
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/open/", cycles.cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/close/", cycles.cycle_close, name="cycle_close"),
    path("cycles/<int:pk>/remind/", cycles.cycle_remind, name="cycle_remind"),
    path("cycles/<int:pk>/reopen/", reopen.cycle_reopen, name="cycle_reopen"),
    path("my-updates/", updates.my_updates, name="my_updates"),
    path("updates/<update_kind:kind>/<int:pk>/", updates.update_detail, name="update_detail"),
    path("updates/<update_kind:kind>/<int:pk>/edit/", updates.update_edit, name="update_edit"),
    path(
        "updates/<update_kind:kind>/<int:pk>/autosave/",
        updates.update_autosave,
        name="update_autosave",
    ),
    path(
        "updates/<update_kind:kind>/<int:pk>/submit/", updates.update_submit, name="update_submit"
    ),
    path("updates/<update_kind:kind>/<int:pk>/check/", updates.update_check, name="update_check"),
    path(
        "updates/<update_kind:kind>/<int:pk>/withdraw/",
        updates.update_withdraw,
        name="update_withdraw",
    ),
    path(
        "updates/<update_kind:kind>/<int:pk>/review/", reviews.update_review, name="update_review"
    ),
    path(
        "updates/<update_kind:kind>/<int:pk>/return/", reviews.update_return, name="update_return"
    ),
    path(
        "updates/<update_kind:kind>/<int:pk>/decide/", reviews.update_decide, name="update_decide"
    ),
    path(
        "updates/<update_kind:kind>/<int:pk>/approve/",
        reviews.update_approve,
        name="update_approve",
    ),
    path("updates/<update_kind:kind>/<int:pk>/extend/", reopen.update_extend, name="update_extend"),
    path("updates/<update_kind:kind>/<int:pk>/reopen/", reopen.update_reopen, name="update_reopen"),
]
