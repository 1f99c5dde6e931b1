"""System checks of sign-in protection (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def lockout_behind_proxy_check(app_configs=None, **kwargs) -> list[Warning]:
    """
    Warn when the app trusts a proxy's HTTPS header but counts no proxy for
    lockouts: every client would then share the proxy's address, and five
    bad passwords would lock a user out for everyone (ten bad tokens, every
    API client).
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None:
        return []
    if settings.LOGIN_LOCKOUT_PROXY_COUNT > 0:
        return []
    return [
        Warning(
            "SECURE_PROXY_SSL_HEADER says a proxy is in front of the app, but "
            "LOGIN_LOCKOUT_PROXY_COUNT is 0: lockouts would count the proxy's "
            "address for every client.",
            hint="Set LOGIN_LOCKOUT_PROXY_COUNT to the number of proxies that "
            "append to X-Forwarded-For (1 behind one load balancer).",
            id="accounts.W001",
        )
    ]
