from django.urls import path

from .views import help

app_name = "help"

urlpatterns = [
    path("", help.help_index, name="index"),
    path("good-update/", help.good_update, name="good_update"),
    path("statuses/", help.statuses, name="statuses"),
    path("risk-scores/", help.risk_scores, name="risk_scores"),
]
