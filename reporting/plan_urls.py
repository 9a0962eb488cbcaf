"""The plan pages, mounted at /plan/ (ics_portal/urls.py)."""

from django.urls import path

from .views import plan

app_name = "plan"

urlpatterns = [
    path("", plan.plan_index, name="index"),
    path("themes/<int:pk>/", plan.theme_detail, name="theme"),
    path("golden-threads/<int:pk>/", plan.thread_detail, name="thread"),
    path("workstreams/<int:pk>/", plan.workstream_detail, name="workstream"),
    path("organisations/<int:pk>/", plan.organisation_detail, name="organisation"),
]
