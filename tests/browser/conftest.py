"""
Browser tests: Debian's Chromium, driven by Playwright, against the app served
by pytest-django's `live_server` on DynamoDB Local.

The live server is a thread of this process, so it uses the tables the
autouse `dynamodb` fixture configured (endpoint, prefix) and the in-memory
users database. Each person gets a browser context of their own and logs in
through the login form, as they would at their own desk: Approvers and
Treasurers then type the code of their authenticator app, computed from their
device's key. When a test fails, every page it opened is saved under
var/test-screenshots/.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect, sync_playwright

from accounts.roles import needs_second_factor
from tests.browser.page_checks import CSP_WATCH_JS
from tests.conftest import make_user, totp_code

CHROMIUM = os.environ.get("P2P_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "test-screenshots"
PASSWORD = "pw-for-tests-1"  # the one make_user gives everybody
TIMEOUT_MS = 10_000
# The second factor's field (a required field's label ends in " *").
CODE = re.compile(r"^Code( \*)?$")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures know it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def chromium(monkeypatch):
    """Chromium, headless, for one test."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run `make chromium` (it installs "
            "Debian's chromium) or point P2P_CHROMIUM at a Chromium binary."
        )
    # Playwright's sync API keeps an asyncio loop running in this thread, and
    # Django refuses ORM calls (users, the flush after the test) beside a
    # running loop. Safe here: no coroutine of that loop touches the database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def people(django_db_serialized_rollback, live_server):
    """
    The users of the journey, one per role, with the approval limits Admin set.

    `django_db_serialized_rollback` gives each test the role groups the
    migrations created: the live server's transactional database is flushed
    after every test.
    """
    from accounts.models import Profile

    users = {
        "clerk": make_user("clerk", "AP Clerk"),
        "clerk2": make_user("clerk2", "AP Clerk"),
        "requester": make_user("requester", "Requester"),
        "approver": make_user("approver", "Approver"),
        "approver2": make_user("approver2", "Approver"),
        "treasurer": make_user("treasurer", "Treasurer"),
        "auditor": make_user("auditor", "Auditor"),
    }
    Profile.objects.create(user=users["approver"], approval_limit="10000.00")
    Profile.objects.create(user=users["approver2"], approval_limit="50000.00")
    return users


@pytest.fixture
def documents(settings, tmp_path):
    """Invoice attachments and payment files go to this test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """
    Log in through the login form and land on the first page; a money mover
    then types the code their authenticator app shows (computed here from
    their device's key, as the app does).
    """
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    user = get_user_model().objects.get(username=username)
    if needs_second_factor(user):
        expect(page.get_by_role("heading", name="Confirm your sign-in")).to_be_visible()
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        page.get_by_label(CODE).fill(totp_code(device))
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_text(f"{username} ·")).to_be_visible()


class BrowserPages:
    """The pages a test opened, one browser context each, by name."""

    def __init__(self, chromium, base_url: str):
        self.chromium, self.base_url = chromium, base_url
        self.pages: dict[str, Page] = {}
        self.last_used: str | None = None

    def open(self, name: str) -> Page:
        context = self.chromium.new_context(
            base_url=self.base_url,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_WATCH_JS)
        self.pages[name] = context.new_page()
        self.last_used = name
        return self.pages[name]

    def screenshot(self, test_name: str) -> None:
        """Save <test>.png (the page used last) and <test>--<name>.png (the others)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name, page in self.pages.items():
            suffix = "" if name == self.last_used else f"--{name}"
            page.screenshot(
                path=SCREENSHOTS / f"{test_name}{suffix}.png", full_page=True
            )

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def browser_pages(request, chromium, live_server):
    """The test's pages on the live server; screenshots of them all if it fails."""
    pages = BrowserPages(chromium, live_server.url)
    yield pages
    if _failed(request.node):
        pages.screenshot(request.node.name)
    pages.close()


@pytest.fixture
def desk(browser_pages, people, documents):
    """
    Return `desk(username) -> Page`: that person's browser, logged in.

    Each person has their own browser context (cookies, session), opened and
    logged in through the form on first use, so people take turns without
    logging out, as at their own desks.
    """

    def open_desk(username: str) -> Page:
        page = browser_pages.pages.get(username)
        if page is None:
            page = browser_pages.open(username)
            log_in(page, username)
        browser_pages.last_used = username
        return page

    return open_desk


@pytest.fixture
def anonymous(browser_pages):
    """A browser nobody has logged in on yet."""
    return browser_pages.open("anonymous")


def _failed(item) -> bool:
    reports = (getattr(item, f"report_{when}", None) for when in ("setup", "call"))
    return any(report is not None and report.failed for report in reports)
