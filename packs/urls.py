from django.urls import path

from . import views

app_name = "packs"

urlpatterns = [
    path("packs/", views.pack_list, name="list"),
    path("packs/new/", views.pack_create, name="create"),
    path("packs/<int:pk>/", views.pack_detail, name="detail"),
    path("packs/<int:pk>/edit/", views.pack_edit, name="edit"),
    path("packs/<int:pk>/preview/", views.pack_preview, name="preview"),
    path("packs/<int:pk>/progress/", views.pack_progress, name="progress"),
    path("packs/<int:pk>/generate/", views.pack_generate, name="generate"),
    path("packs/<int:pk>/draft.pdf", views.pack_draft_pdf, name="draft_pdf"),
    path("packs/<int:pk>/publish/", views.pack_publish, name="publish"),
    path("reports/", views.published_list, name="published_list"),
    path("reports/<int:pk>/", views.published_detail, name="published_detail"),
    path("reports/<int:pk>/report.html", views.published_html, name="published_html"),
    path("reports/<int:pk>/pack.pdf", views.published_pdf, name="published_pdf"),
    path("reports/<int:pk>/withdraw/", views.published_withdraw, name="published_withdraw"),
]
