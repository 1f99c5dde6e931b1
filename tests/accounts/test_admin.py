from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import Profile
from accounts.selectors import approval_limit_get
from tests.conftest import make_user


def admin_client():
    admin = make_user("admin", superuser=True)
    admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_admin_sets_an_approvers_limit_on_the_user_page(db):
    approver = make_user("approver", "Approver")
    client = admin_client()
    page = client.get(f"/admin/auth/user/{approver.pk}/change/")
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "username": "approver",
            "groups": [g.pk for g in approver.groups.all()],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
            "profile-0-approval_limit": "25000.00",
        }
    )
    response = client.post(f"/admin/auth/user/{approver.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fresh = get_user_model().objects.get(pk=approver.pk)
    assert approval_limit_get(user=fresh) == Decimal("25000.00")


def test_user_list_shows_each_users_roles(db):
    make_user("approver", "Approver")
    make_user("clerk", "AP Clerk")
    html = admin_client().get("/admin/auth/user/").content.decode()
    assert '<td class="field-roles">Approver</td>' in html
    assert '<td class="field-roles">AP Clerk</td>' in html


def test_default_approval_limit_applies_without_a_profile(db):
    approver = make_user("approver", "Approver")
    assert approval_limit_get(user=approver) == Decimal("10000.00")
    assert not Profile.objects.filter(user=approver).exists()


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
