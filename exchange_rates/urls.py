from django.urls import path

from exchange_rates import views

app_name = "exchange_rates"

urlpatterns = [
    path("", views.exchange_rate_list_view, name="list"),
]
