"""Settings for the test suite: base settings with a fast password hasher."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
WHITENOISE_AUTOREFRESH = True
# Each queued mail is sent by the action that queued it, so tests read
# mail.outbox right after; tests of the outbox itself turn this off.
MAIL_OUTBOX_SEND_AT_ONCE = True
# The demo company's VAT id (reverse-charge invoices name it); tests of a
# missing one set it empty.
COMPANY_VAT_ID = "DE811907980"
# The suite builds runs dated on the day it runs, whatever weekday that is;
# the tests of execution dates (tests/payments/test_calendar.py) turn it on.
PAYMENT_BUSINESS_DAYS_ONLY = False
