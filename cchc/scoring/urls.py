"""Scoring pages, included at /scoring/ (namespace "scoring")."""

from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("", views.template_list, name="templates"),
    path("templates/<str:code>/", views.template_detail, name="template"),
    path("assess/<str:code>/<str:unit_code>/<int:year>/", views.assessment_page, name="assessment"),
    path("assess/<str:code>/<str:unit_code>/<int:year>/start/", views.start, name="start"),
    path("assessments/<int:pk>/save/", views.save, name="save"),
    path("assessments/<int:pk>/totals/", views.preview, name="preview"),
    path("assessments/<int:pk>/evidence/<str:code>/", views.upload, name="upload"),
    path("assessments/<int:pk>/appraise/", views.appraise, name="appraise"),
    path("assessments/<int:pk>/return/", views.return_assessment, name="return"),
    path("assessments/<int:pk>/remediation/", views.remediation, name="remediation"),
    path("assessments/<int:pk>/lost-points.docx", views.lost_points_report, name="lost_docx"),
    path("assessments/<int:pk>/compute-auto/", views.compute_auto, name="compute_auto"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", views.delete_evidence, name="delete_evidence"),
    path("results/<str:code>/<int:year>/", views.results, name="results"),
    path("results/<str:code>/<int:year>/publish/", views.publish, name="publish"),
    path("results/<str:code>/<int:year>/export.xlsx", views.results_xlsx, name="results_xlsx"),
    path("scorecard/<str:code>/<str:unit_code>/<int:year>/", views.scorecard, name="scorecard"),
]
