from django.urls import path

from .views import dashboards

app_name = "dashboards"

urlpatterns = [
    path("", dashboards.overview, name="overview"),
    path("trends/", dashboards.trends, name="trends"),
    path("risk-trends/", dashboards.risk_trends, name="risk_trends"),
]
