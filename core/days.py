"""
The business day. Readers see times in their own zone (accounts'
DisplayPreferencesMiddleware activates it), but due dates, payment dates,
holds and approvals turn over at midnight in the site's zone (TIME_ZONE) for
everyone, or a Berlin clerk and a New York treasurer would disagree on
whether an invoice is due today.
"""

import datetime as dt

from django.utils import timezone


def site_today() -> dt.date:
    """Today in the site's time zone, whatever zone the reader's is."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def site_date(moment: dt.datetime) -> dt.date:
    """The site's day a stored (UTC) moment fell on."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def latest_today() -> dt.date:
    """
    The later of the site's today and the reader's (the current zone): the
    last day a date typed as "today" may be. A Berlin clerk's invoice dated
    today just after midnight is not in the future while the site's day,
    in UTC, is still yesterday.
    """
    return max(site_today(), timezone.localdate())
