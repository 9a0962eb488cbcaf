from django.urls import path, register_converter

from .models import REFERENCE_PATTERN
from .views import register, reopen, reviews, risk


class ReferenceConverter:
    """A risk reference as typed in a URL: "07", "7" (redirected to "07"), "R12"."""

    regex = REFERENCE_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "risks"

urlpatterns = [
    path("", register.register, name="register"),
    path("heat-map/", register.heat_map, name="heat_map"),
    path("new/", risk.risk_create, name="create"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>/withdraw/", reviews.review_withdraw, name="review_withdraw"),
    path("reviews/<int:pk>/decide/", reviews.review_decide, name="review_decide"),
    path("reviews/<int:pk>/accept/", reviews.review_accept, name="review_accept"),
    path("reviews/<int:pk>/return/", reviews.review_return, name="review_return"),
    path("reviews/<int:pk>/extend/", reopen.review_extend, name="review_extend"),
    path("reviews/<int:pk>/reopen/", reopen.review_reopen, name="review_reopen"),
    path("<reference:reference>/", risk.risk_detail, name="detail"),
    path("<reference:reference>/edit/", risk.risk_edit, name="edit"),
    path("<reference:reference>/close/", risk.risk_close, name="close"),
    path("<reference:reference>/reopen/", risk.risk_reopen, name="reopen"),
]
