import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "Zx9!qW2#eR4$tY6%uI8^oP0&aS1*dF3(gH5)jK7_lL9+zX" * 2


def run_manage(*args, env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_with_the_default_secret_key():
    result = run_manage(
        "check",
        env_overrides={"DJANGO_SETTINGS_MODULE": "project.settings.production"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_use_secure_cookies_and_hsts():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_SSL_REDIRECT)",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "project.settings.production",
            "SECRET_KEY": STRONG_KEY,
        },
    )
    assert result.stdout.strip().splitlines()[-1] == "False True True True True"


DESCRIBE_DOCUMENT_STORAGE = (
    "from django.core.files.storage import default_storage as s; "
    "print(s.__class__.__name__); "
    "print(s.bucket_name, s.endpoint_url, s.region_name, s.default_acl, "
    "s.querystring_auth, s.file_overwrite, s.object_parameters)"
)


def test_documents_are_files_under_media_root_without_a_bucket():
    result = run_manage(
        "shell",
        "-c",
        "from django.core.files.storage import default_storage as s; "
        "print(s.__class__.__name__, s.location)",
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "project.settings.production",
            "SECRET_KEY": STRONG_KEY,
            "AWS_STORAGE_BUCKET_NAME": "",
            "MEDIA_ROOT": "/srv/p2p-media",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "FileSystemStorage /srv/p2p-media"


def test_a_bucket_name_puts_documents_in_private_encrypted_s3():
    result = run_manage(
        "shell",
        "-c",
        DESCRIBE_DOCUMENT_STORAGE,
        env_overrides={
            "DJANGO_SETTINGS_MODULE": "project.settings.production",
            "SECRET_KEY": STRONG_KEY,
            "AWS_STORAGE_BUCKET_NAME": "p2p-documents",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_S3_REGION_NAME": "",
            "AWS_REGION": "eu-central-1",
        },
    )
    assert result.returncode == 0, result.stderr
    backend, options = result.stdout.strip().splitlines()[-2:]
    assert backend == "S3Storage"
    assert options == (
        "p2p-documents http://127.0.0.1:9000 eu-central-1 None False False "
        "{'ServerSideEncryption': 'AES256'}"
    )
