"""
Settings for every environment, read from the environment (django-environ).

Every variable is documented in `.env.example`. `production.py` tightens these
for a real deployment.
"""

from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The development key is refused by production settings.
INSECURE_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "records.apps.P2PAdminConfig",  # django.contrib.admin, with P2PAdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "core",
    "accounts",
    "audit",
    "comments",  # threads on invoices, POs and payment runs (issue 15)
    "exchange_rates",
    "accounting",
    "treasury",  # the company's own bank accounts (issue 17)
    "reports",
    "vendors",
    "purchasing",
    "invoicing",
    "einvoicing",  # EN 16931 e-invoices in, the intake inbox (issue 18)
    "payments",
    "dashboard",
    "search",
    "records",
    "project",
]

MIDDLEWARE = [
    # First: the load balancer asks on the task's own address over HTTP.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx, read by core.htmx
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.LoginRequiredExceptApiMiddleware",
    "core.drafts.DraftOwnerMiddleware",  # whose a kept form is (core.drafts)
    "core.middleware.ApiInputLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# Users, groups, sessions and API tokens only; business records live in DynamoDB.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- DynamoDB -------------------------------------------------------------
# Empty endpoint = real AWS DynamoDB (credentials from the usual AWS chain).
DYNAMODB_ENDPOINT_URL = env.str("DYNAMODB_ENDPOINT_URL", default="") or None
AWS_REGION = env.str("AWS_REGION", default="us-east-1")
DYNAMODB_TABLE_PREFIX = env.str("DYNAMODB_TABLE_PREFIX", default="")
# DynamoDB Local accepts any credentials; real AWS uses the default chain.
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
# A web request gives up on a DynamoDB that does not answer within a few
# seconds in all (connect + read, times 1 + retries, plus botocore's backoff
# of at most 1 s) and answers 503, so a hung database cannot hold every
# worker; DynamoDB answers in milliseconds when it answers at all.
DYNAMODB_CONNECT_TIMEOUT_SECONDS = env.float(
    "DYNAMODB_CONNECT_TIMEOUT_SECONDS", default=1
)
DYNAMODB_READ_TIMEOUT_SECONDS = env.float("DYNAMODB_READ_TIMEOUT_SECONDS", default=2)
DYNAMODB_MAX_RETRY_ATTEMPTS = env.int("DYNAMODB_MAX_RETRY_ATTEMPTS", default=1)
# Management commands and the job (core.commands, the Lambda) nobody waits
# on: they ride out a slow moment rather than stop a batch halfway.
DYNAMODB_JOB_CONNECT_TIMEOUT_SECONDS = env.float(
    "DYNAMODB_JOB_CONNECT_TIMEOUT_SECONDS", default=3
)
DYNAMODB_JOB_READ_TIMEOUT_SECONDS = env.float(
    "DYNAMODB_JOB_READ_TIMEOUT_SECONDS", default=10
)
DYNAMODB_JOB_MAX_RETRY_ATTEMPTS = env.int("DYNAMODB_JOB_MAX_RETRY_ATTEMPTS", default=3)

# --- Documents ------------------------------------------------------------
# Payment files and invoice attachments, through Django's storage API
# (core.documents, invoicing.attachments): files under MEDIA_ROOT, or an
# S3 bucket when AWS_STORAGE_BUCKET_NAME is set (`manage.py create_bucket`
# prepares it). Never public: no URL is handed out, downloads go through the app.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
INVOICE_ATTACHMENT_MAX_BYTES = env.int(
    "INVOICE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024
)
# How long a file sent with a refused invoice stays usable for the next try
# (invoicing.attachments: attachment_hold).
INVOICE_ATTACHMENT_HOLD_SECONDS = env.int(
    "INVOICE_ATTACHMENT_HOLD_SECONDS", default=60 * 60
)
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
# Empty = AWS S3; set for an S3-compatible service, e.g. http://127.0.0.1:9000.
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or AWS_REGION
# Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY above, else the default
# chain (django-storages reads those settings itself).
S3_DOCUMENT_STORAGE = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": AWS_S3_ENDPOINT_URL,
        "region_name": AWS_S3_REGION_NAME,
        # No ACL (objects stay the bucket owner's) and no signed URLs: a URL
        # that storage.url() might build by mistake opens nothing.
        "default_acl": None,
        "querystring_auth": False,
        # A taken key gets another name, never an overwrite; documents.py
        # refuses it outright.
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": "AES256"},
    },
}
STORAGES = {
    "default": S3_DOCUMENT_STORAGE
    if AWS_STORAGE_BUCKET_NAME
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Audit digests (audit.digests; README "Audit digests") --------------------
# Where the signed digests are written, write-once: a folder (refuses to
# overwrite) or s3://bucket/prefix, an Object Lock bucket that
# `manage.py create_bucket --audit-digests` prepares. Never DynamoDB.
AUDIT_DIGEST_LOCATION = env.str(
    "AUDIT_DIGEST_LOCATION", default=str(VAR_DIR / "audit-digests")
)
# The Ed25519 private key digests are signed with (PEM; from the environment
# only, never a file in the repository), or an AWS KMS asymmetric key
# (ECC_NIST_P256) by id or ARN, which wins when set. Neither: no digest.
AUDIT_DIGEST_SIGNING_KEY = env.str("AUDIT_DIGEST_SIGNING_KEY", default="")
AUDIT_DIGEST_KMS_KEY_ID = env.str("AUDIT_DIGEST_KMS_KEY_ID", default="")
# The public key `verify_audit` checks digests with (PEM), or a file holding
# it; never read from the database.
AUDIT_DIGEST_PUBLIC_KEY = env.str("AUDIT_DIGEST_PUBLIC_KEY", default="")
AUDIT_DIGEST_PUBLIC_KEY_FILE = env.str("AUDIT_DIGEST_PUBLIC_KEY_FILE", default="")
# How long S3 Object Lock keeps each digest unchangeable (compliance mode).
AUDIT_DIGEST_RETENTION_DAYS = env.int("AUDIT_DIGEST_RETENTION_DAYS", default=2557)
# A digest covers entries up to this many seconds ago: the audit index is
# read eventually consistently, and an entry is timestamped before its
# transaction commits.
AUDIT_DIGEST_SETTLE_SECONDS = env.int("AUDIT_DIGEST_SETTLE_SECONDS", default=60)

# --- Domain defaults (domain.md) -----------------------------------------
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="EUR")
DEFAULT_APPROVAL_LIMIT = Decimal(env.str("DEFAULT_APPROVAL_LIMIT", default="10000.00"))
# POs at or above this total (in BASE_CURRENCY) need two approvers.
TWO_APPROVAL_THRESHOLD = Decimal(env.str("TWO_APPROVAL_THRESHOLD", default="5000.00"))
# A sent PO closes by itself (audited as "system") once every line is received
# and invoiced in full, in the same transaction as the receipt or match.
PO_AUTO_CLOSE = env.bool("PO_AUTO_CLOSE", default=True)
# Reconciliation tolerances, in percent (domain.md "Reconciliation").
MATCH_PRICE_TOLERANCE_PERCENT = Decimal(
    env.str("MATCH_PRICE_TOLERANCE_PERCENT", default="1")
)
MATCH_TOTAL_TOLERANCE_PERCENT = Decimal(
    env.str("MATCH_TOTAL_TOLERANCE_PERCENT", default="1")
)
MATCH_OVER_BILLING_PERCENT = Decimal(env.str("MATCH_OVER_BILLING_PERCENT", default="1"))
DEFAULT_PAYMENT_TERMS = env.str("DEFAULT_PAYMENT_TERMS", default="Net 30")
PAGE_SIZE = env.int("PAGE_SIZE", default=50)

# --- Exchange rates (exchange_rates) ------------------------------------------
# The company's currency: approval limits and the two-approval threshold are
# amounts in it, and a PO in another currency is compared at the rate in effect.
BASE_CURRENCY = env.str("BASE_CURRENCY", default="EUR").strip().upper()

# --- Tax and the books (accounting, reports) ---------------------------------
# Which defaults `seed_accounting_defaults` (and make run) installs: "DE" (VAT
# 19%/7%/0%, reverse charge, SKR03 accounts) or "US" (no VAT, sales/use tax).
TAX_PROFILE = env.str("TAX_PROFILE", default="DE").strip().upper()
# The company's own VAT id: a reverse-charge invoice names both parties' ids.
COMPANY_VAT_ID = env.str("COMPANY_VAT_ID", default="")
# The tax code of a line that names none (PO and invoice forms preselect it).
DEFAULT_TAX_CODE = env.str("DEFAULT_TAX_CODE", default="")
# TAX_VARIANCE: the printed tax of a code may differ from the computed by this much.
TAX_TOLERANCE = Decimal(env.str("TAX_TOLERANCE", default="0.01"))
# A payment discount is taken on the gross amount unless this says "net".
DISCOUNT_BASE = env.str("DISCOUNT_BASE", default="gross").strip().lower()
# The journal's fixed accounts: AP control, discounts received, bank per currency.
AP_CONTROL_ACCOUNT = env.str("AP_CONTROL_ACCOUNT", default="1600")
DISCOUNT_RECEIVED_ACCOUNT = env.str("DISCOUNT_RECEIVED_ACCOUNT", default="3730")
BANK_GL_ACCOUNTS = env.dict(
    "BANK_GL_ACCOUNTS", default={"EUR": "1200", "USD": "1210", "GBP": "1220"}
)
# The largest GL account or cost centre CSV file the import reads.
ACCOUNTING_IMPORT_MAX_BYTES = env.int(
    "ACCOUNTING_IMPORT_MAX_BYTES", default=1024 * 1024
)
# Journal lines without an account (and totals that do not add up) post here.
JOURNAL_SUSPENSE_ACCOUNT = env.str("JOURNAL_SUSPENSE_ACCOUNT", default="1590")
# A document entered before tax codes posts its tax here; empty: the input-VAT
# account of DEFAULT_TAX_CODE, else the suspense account.
JOURNAL_LEGACY_TAX_ACCOUNT = env.str("JOURNAL_LEGACY_TAX_ACCOUNT", default="")
# DATEV's booking batch (accounting.journal_files): the tax advisor's
# consultant and client numbers, the fiscal year's first day (MM-DD), the
# length of a GL account number, the chart ("03" SKR03, "04" SKR04) and the
# DATEV tax key (BU-Schlüssel) per tax code, e.g. "RC19=94,V19=9".
DATEV_CONSULTANT_NUMBER = env.int("DATEV_CONSULTANT_NUMBER", default=1001)
DATEV_CLIENT_NUMBER = env.int("DATEV_CLIENT_NUMBER", default=1)
DATEV_FISCAL_YEAR_START = env.str("DATEV_FISCAL_YEAR_START", default="01-01")
DATEV_ACCOUNT_LENGTH = env.int("DATEV_ACCOUNT_LENGTH", default=4)
DATEV_CHART = env.str("DATEV_CHART", default="03")
DATEV_TAX_KEYS = env.dict(
    "DATEV_TAX_KEYS", default={"V19": "9", "V7": "8", "IG19": "19", "RC19": "94"}
)

# --- E-mail (accounts.notifications) ----------------------------------------
# Console by default: messages are printed, nothing leaves the machine. For SMTP
# (or Amazon SES through its SMTP interface) set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST_* variables.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# A slow mail server must not hold up the approval that sends the message.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="p2p@localhost")
# Where django.core.mail.backends.filebased.EmailBackend writes (make run sends
# the demo seed's e-mails there instead of printing them over its banner).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# The mail outbox (core.mail_outbox): mails wait in MailOutboxTable until
# `manage.py send_mail_outbox` (scheduled, e.g. every minute) sends them;
# a failed send is retried with backoff up to this many attempts.
MAIL_OUTBOX_MAX_ATTEMPTS = env.int("MAIL_OUTBOX_MAX_ATTEMPTS", default=8)
# Send each mail at once from the code that queued it (tests), not later.
MAIL_OUTBOX_SEND_AT_ONCE = env.bool("MAIL_OUTBOX_SEND_AT_ONCE", default=False)
# Where links in e-mails point: the address users open the app at.
APP_BASE_URL = env.str("APP_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "pynamodb": {"level": "WARNING"}},
}

# --- Payments (domain.md "Payment files") ----------------------------------
# The account every payment run pays from: the debtor of the pain.001 file.
PAYER_NAME = env.str("PAYER_NAME", default="Demo Company GmbH")
PAYER_IBAN = env.str("PAYER_IBAN", default="DE89370400440532013000")
PAYER_BIC = env.str("PAYER_BIC", default="COBADEFFXXX")
# A run's record (one DynamoDB item) holds its payments; this keeps it far
# below DynamoDB's 400 KB item limit.
PAYMENT_RUN_MAX_INVOICES = env.int("PAYMENT_RUN_MAX_INVOICES", default=500)
# A run executes on a business day of each currency it pays (payments.calendar:
# TARGET2 for EUR, the Federal Reserve for USD); a weekend or holiday date is
# refused with the next business day offered.
PAYMENT_BUSINESS_DAYS_ONLY = env.bool("PAYMENT_BUSINESS_DAYS_ONLY", default=True)
# A bank's answer (pain.002, camt.054, camt.053: payments/bank_messages.py) is
# refused above this size; a month of statements fits many times over.
BANK_STATEMENT_MAX_BYTES = env.int("BANK_STATEMENT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Import and export -------------------------------------------------------
# E-invoices (issue 18): `manage.py import_einvoices` and its Lambda handler
# enter what they import as this AP Clerk user (a service account), and the
# handler reads this drop location (a folder or s3://bucket/prefix) unless
# its event names one.
EINVOICE_IMPORT_USER = env.str("EINVOICE_IMPORT_USER", default="einvoice_import")
EINVOICE_DROP_LOCATION = env.str("EINVOICE_DROP_LOCATION", default="")
# Files of one import (the command, the handler, the upload page) taken in at
# once, each its own transaction (einvoicing.batch.files_import).
EINVOICE_IMPORT_WORKERS = env.int("EINVOICE_IMPORT_WORKERS", default=4)
# A vendor CSV import (vendors/imports.py) is refused above either limit, with a
# message asking for smaller files; each row is one transaction, so the limits
# also bound how long the import request takes.
VENDOR_IMPORT_MAX_BYTES = env.int("VENDOR_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
VENDOR_IMPORT_MAX_ROWS = env.int("VENDOR_IMPORT_MAX_ROWS", default=5000)
# Rows created at once by an import (each its own transaction).
VENDOR_IMPORT_WORKERS = env.int("VENDOR_IMPORT_WORKERS", default=8)
# Exports (core/exports.py) read a list this many items per index query,
# and stop after EXPORT_MAX_ROWS rows with a last row saying so.
EXPORT_PAGE_SIZE = env.int("EXPORT_PAGE_SIZE", default=500)
EXPORT_MAX_ROWS = env.int("EXPORT_MAX_ROWS", default=100_000)

# --- Sign-in protection: lockout (django-axes), second factor (django-otp) -----
# Kept in one block that extends the lists above, so it reads (and merges) apart.
INSTALLED_APPS += [
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# After AuthenticationMiddleware: request.user.otp_device (the verified device);
# after login-required: unverified money movers are sent to their second factor;
# AxesMiddleware last, turning a lockout into its page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("core.middleware.LoginRequiredExceptApiMiddleware") + 1,
    "accounts.middleware.SecondFactorRequiredMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins count per user name and client address: an attacker elsewhere
# cannot lock a user out of their own desk, and colleagues behind one office
# address do not lock each other out. Attempts live in the users' database.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# Bad API bearer tokens count per client address (accounts.lockout).
API_TOKEN_FAILURE_LIMIT = env.int("API_TOKEN_FAILURE_LIMIT", default=10)
# Proxies in front of the app that append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Only set it when every request passes those proxies.
LOGIN_LOCKOUT_PROXY_COUNT = env.int("LOGIN_LOCKOUT_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
# Approvers, Treasurers and Admins confirm each sign-in with a TOTP code
# (accounts.second_factor); the issuer names the app in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="P2P")
# The admin's device pages do not show users' keys (nor their QR codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
RECOVERY_CODE_COUNT = 10
# Axes logs every sign-in at INFO; failures and lockouts (WARNING) are what matter.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# --- Headers, sessions and API tokens (issue 13) ----------------------------
# Content-Security-Policy (django-csp 4): scripts and styles from this site
# only, or carrying the response's nonce (`request.csp_nonce` in templates);
# never inline code, eval or style attributes. data: images are Pico's
# inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page uses, refused to every page and what it embeds
# (core.middleware.ResponseHeadersMiddleware). WebAuthn is left allowed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb",
        "serial", "hid", "screen-wake-lock", "xr-spatial-tracking",
    )
}  # fmt: skip
# A session ends after SESSION_IDLE_MINUTES without a request (each request
# moves the end on), and SESSION_MAX_HOURS after its login whatever the
# activity (accounts.middleware.SessionLifetimeMiddleware); the login page
# then says which. The cookie lives no longer than the session may.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# API tokens expire (accounts.services.api_token_create): this many days
# unless the token is created with another lifetime, at most API_TOKEN_MAX_DAYS.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

INSTALLED_APPS += ["csp"]
# After WhiteNoise, so static files keep their caching headers; the session's
# time limits are checked before a page requires a login, so an ended
# session meets the login page with its reason.
_after_static = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1
MIDDLEWARE[_after_static:_after_static] = [
    "csp.middleware.CSPMiddleware",
    "core.middleware.ResponseHeadersMiddleware",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("core.middleware.LoginRequiredExceptApiMiddleware"),
    "accounts.middleware.SessionLifetimeMiddleware",
)

# The JSON API's body limits (core.middleware.ApiInputLimitsMiddleware): a
# small default, more for the endpoints that take up to 200 lines of text.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=256 * 1024)
API_BODY_LIMITS = {
    route: 1024 * 1024
    for route in (
        "api/v1/purchase-orders",
        "api/v1/purchase-orders/<po_id>",
        "api/v1/invoices",
        "api/v1/invoices/<invoice_id>",
    )
}

# --- Forms sent after the sign-in ended (issue 14) --------------------------
# Kept (in the session; not files, passwords or the CSRF token) for the form
# to show again after the login, up to this size and age (core.drafts); a
# CSRF refusal of a form sent from one of the site's pages leads there too.
FORM_DRAFT_MAX_BYTES = env.int("FORM_DRAFT_MAX_BYTES", default=64 * 1024)
FORM_DRAFT_MAX_AGE_SECONDS = env.int("FORM_DRAFT_MAX_AGE_SECONDS", default=3600)
CSRF_FAILURE_VIEW = "core.errors_views.csrf_failure"

# --- Number format and time zone per user (issue 14) ------------------------
# What a user who never chose on their profile gets: the number format pages
# read and show amounts in (core.number_format: "1,234.56", "1.234,56" or
# "1 234,56"), and the time zone pages show times in (stored times stay UTC;
# business days, such as a payment date's, stay those of TIME_ZONE).
NUMBER_FORMAT_DEFAULT = env.str("NUMBER_FORMAT_DEFAULT", default="1,234.56")
TIME_ZONE_DEFAULT = env.str("TIME_ZONE_DEFAULT", default="Europe/Berlin")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "accounts.middleware.DisplayPreferencesMiddleware",
)

# The scheduled jobs' statistics as CloudWatch embedded metric format
# (core.metrics): on where METRICS_EMF=true or in a Lambda; off locally and in tests.
METRICS_EMF = env.bool(
    "METRICS_EMF", default=bool(env.str("AWS_LAMBDA_FUNCTION_NAME", default=""))
)
