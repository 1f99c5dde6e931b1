"""
System checks of the deployment (`manage.py check --deploy`).

Django's own deploy checks look at settings; these look at what the
settings need in place to serve a page at all.
"""

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import Error, Tags, register


@register(Tags.staticfiles, deploy=True)
def static_manifest_check(app_configs=None, **kwargs) -> list[Error]:
    """
    Refuse a manifest static storage whose manifest `collectstatic` has not
    written: every page naming a static file would answer 500.
    """
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.exists(storage.manifest_name):
        return []
    return [
        Error(
            f"The static files manifest ({storage.manifest_name}) is missing from "
            f"STATIC_ROOT ({storage.location}): every page would answer 500 "
            "(Missing staticfiles manifest entry).",
            hint="Run `manage.py collectstatic --noinput` with these settings "
            "before serving.",
            id="core.E001",
        )
    ]
