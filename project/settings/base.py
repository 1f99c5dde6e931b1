"""
Settings for every environment, read from the environment (django-environ).

Every variable is documented in `.env.example`. `production.py` tightens these
for a real deployment.
"""

from decimal import Decimal
from pathlib import Path

import environ

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
    "vendors",
    "purchasing",
    "invoicing",
    "payments",
    "dashboard",
    "search",
    "records",
    "project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx, read by core.htmx
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.LoginRequiredExceptApiMiddleware",
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
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"

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

# --- Domain defaults (domain.md) -----------------------------------------
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="EUR")
DEFAULT_APPROVAL_LIMIT = Decimal(env.str("DEFAULT_APPROVAL_LIMIT", default="10000.00"))
# POs at or above this total (in the PO's currency) need two approvers.
TWO_APPROVAL_THRESHOLD = Decimal(env.str("TWO_APPROVAL_THRESHOLD", default="5000.00"))
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

# --- Import and export -------------------------------------------------------
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
