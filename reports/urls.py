from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("journal/", views.journal_view, name="journal"),
    path("journal/file.<str:fmt>", views.journal_file_view, name="journal-file"),
]
