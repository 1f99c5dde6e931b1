from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_view, name="profile"),
]
urlpatterns += [
    path("two-factor/", views.second_factor_view, name="two-factor"),
    path(
        "two-factor/verify/", views.second_factor_verify_view, name="two-factor-verify"
    ),
    path(
        "two-factor/recovery-codes/",
        views.recovery_codes_view,
        name="recovery-codes",
    ),
]
