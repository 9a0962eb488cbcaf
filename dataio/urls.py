from django.urls import path

from . import views

app_name = "dataio"

urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.upload, name="upload"),
    path("import/preview/", views.preview, name="preview"),
    path("import/preview/progress/", views.preview_progress, name="preview_progress"),
    path("import/confirm/", views.confirm, name="confirm"),
    path("import/cancel/", views.cancel, name="cancel"),
    path("import/jobs/<int:pk>/", views.import_job, name="import_job"),
    path("import/jobs/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("examples/<slug:kind>/", views.example, name="example"),
    path("export/<slug:kind>/", views.download, name="export"),
    path("audit-trail/", views.audit_export, name="audit_export"),
]
