from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from dashboard import views as dashboard_views
from einvoicing import document_views as einvoice_views
from project import views
from project.api import api
from reports.urls import vendor_urlpatterns as vendor_ledger_urls
from search import views as search_views

urlpatterns = [
    path("", dashboard_views.dashboard_view, name="home"),
    path(
        "dashboard/refresh",
        dashboard_views.dashboard_refresh_view,
        name="dashboard-refresh",
    ),
    path("search/", search_views.search_view, name="search"),
    path("health", core_views.health, name="health"),
    path("docs", views.api_docs, name="api-docs"),
    path("api/v1/", api.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", include("accounts.urls")),
    # Served by reports (a higher floor than vendors), under the vendor's URL.
    path("vendors/<str:vendor_id>/ledger/", include(vendor_ledger_urls)),
    path("vendors/", include("vendors.urls")),
    path("purchase-orders/", include("purchasing.urls")),
    # Served by einvoicing (a higher floor than invoicing), under the invoice's URL.
    path(
        "invoices/<str:invoice_id>/einvoice/",
        einvoice_views.invoice_einvoice_view,
        name="einvoice-document",
    ),
    path("invoices/", include("invoicing.urls")),
    path("payment-runs/", include("payments.urls")),
    path("comments/", include("comments.urls")),
    path("audit/", include("audit.urls")),
    path("exchange-rates/", include("exchange_rates.urls")),
    path("accounting/", include("accounting.urls")),
    path("treasury/", include("treasury.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "core.errors_views.not_found"
handler403 = "core.errors_views.forbidden"
handler500 = "core.errors_views.server_error"
