"""The reports are found from every page's "More" menu, by those who may read them."""

from django.test import Client


def more_menu(user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get("/vendors/").content.decode()
    return page[page.index("<summary>More</summary>") :].split("</details>")[0]


def test_finance_staff_find_the_ageing_and_the_journal(dynamodb, clerk, auditor):
    for user in (clerk, auditor):
        menu = more_menu(user)
        assert 'href="/reports/ageing/">AP ageing</a>' in menu
        assert 'href="/reports/journal/">Journal</a>' in menu


def test_a_requester_is_not_offered_them(dynamodb, requester):
    menu = more_menu(requester)
    assert "AP ageing" not in menu and "Journal" not in menu
