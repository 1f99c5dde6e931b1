from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("<str:entity_type>/<str:record_id>/", views.comment_add_view, name="add"),
]
