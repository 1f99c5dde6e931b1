from django.urls import path

from treasury import views

app_name = "treasury"

urlpatterns = [
    path("", views.bank_account_list_view, name="list"),
    path("new/", views.bank_account_create_view, name="create"),
    path("<str:account_id>/edit/", views.bank_account_edit_view, name="edit"),
    path("<str:account_id>/confirm/", views.bank_account_confirm_view, name="confirm"),
]
