from decimal import Decimal

from django.test import Client

from accounts.models import Profile
from accounts.selectors import approval_limit_get
from tests.conftest import make_user


def test_admin_sets_an_approvers_limit_on_the_user_page(db):
    admin = make_user("admin", superuser=True)
    admin.is_staff = True
    admin.save()
    approver = make_user("approver", "Approver")
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/auth/user/{approver.pk}/change/")
    assert page.status_code == 200
    assert "Approval limit" in page.content.decode()
    assert approval_limit_get(user=approver) == Decimal("10000.00")

    Profile.objects.create(user=approver, approval_limit=Decimal("25000.00"))
    assert approval_limit_get(user=approver) == Decimal("25000.00")
    listing = client.get("/admin/auth/user/").content.decode()
    assert "Approver" in listing  # roles column


def test_admin_creates_a_token_and_shows_it_once(db):
    admin = make_user("admin", superuser=True)
    admin.is_staff = True
    admin.save()
    clerk = make_user("clerk", "AP Clerk")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": clerk.pk, "name": "ERP sync"},
        follow=True,
    )
    html = response.content.decode()
    assert "New API token for clerk: p2p_" in html
    token = clerk.api_tokens.get()
    raw = html.split("New API token for clerk: ")[1].split(" ")[0]
    assert token.key_hash != raw and raw not in token.key_hash
    assert (
        Client().get("/api/v1/vendors", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )


def test_non_staff_users_cannot_open_admin(db):
    clerk = make_user("clerk", "AP Clerk")
    client = Client()
    client.force_login(clerk)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
