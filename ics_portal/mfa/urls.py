from django.urls import path

from . import views

app_name = "mfa"

urlpatterns = [
    # The second step of signing in.
    path("sign-in/code/", views.verify, name="verify"),
    path("sign-in/recovery-code/", views.recovery, name="recovery"),
    # The person's own settings.
    path("account/two-step-verification/", views.manage, name="manage"),
    path("account/two-step-verification/set-up/", views.enrol, name="enrol"),
    path(
        "account/two-step-verification/recovery-codes/",
        views.recovery_codes,
        name="recovery_codes",
    ),
    path(
        "account/two-step-verification/recovery-codes.txt",
        views.recovery_codes_download,
        name="recovery_codes_download",
    ),
    path("account/two-step-verification/turn-off/", views.remove, name="remove"),
]
