from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import audit_views, health, views
from .forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/sent/", views.feedback_sent, name="feedback_sent"),
    path("help/", include("reporting.help_urls")),
    # For load balancers: no sign-in, no detail (ics_portal/health.py).
    path("health/", health.view, name="health"),
    path("health/live/", health.live, name="health_live"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Two-step verification (issue 13): the code after the password, and its settings.
    path("", include("ics_portal.mfa.urls")),
    # Single sign-on (ics_portal/sso.py), only when configured: otherwise /oidc/ is a 404.
    *([path("oidc/", include("ics_portal.sso"))] if settings.SSO_ENABLED else []),
    path("password-reset/", views.password_reset, name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("password-change/", views.password_change, name="password_change"),
    path("password-change/done/", views.password_change_done, name="password_change_done"),
    path("admin/", admin.site.urls),
    path("risks/", include("risks.urls")),
    path("data/", include("dataio.urls")),
    path("reporting/", include("reporting.urls")),
    path("plan/", include("reporting.plan_urls")),
    path("forums/", include("ics_portal.forum_urls")),
    path("dashboards/", include("reporting.dashboard_urls")),
    path("search/", include("reporting.search_urls")),
    path("", include("packs.urls")),
]

handler400 = "ics_portal.views.bad_request"
handler500 = "ics_portal.views.server_error"
