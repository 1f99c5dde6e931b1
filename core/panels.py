"""
Sections of a record's page that show a higher app's records.

A lower app cannot import the apps above it, so the lower app keeps a
`Panels` for its page and each higher app registers a `Panel` there in its
`AppConfig.ready`, with a template of its own (purchasing adds the vendor
page's purchase orders, invoicing the PO page's invoices). The page renders
each panel's template with its own context plus what the panel's `context`
returns: plain server-rendered HTML, so the page works without JavaScript.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    """One section: `template` rendered with `context(record, user)` as `panel`."""

    template: str
    context: Callable[[Any, Any], dict[str, Any]]


class Panels:
    """The panels registered for one kind of page, in registration order."""

    def __init__(self) -> None:
        self._panels: list[Panel] = []

    def register(self, panel: Panel) -> None:
        """Add a panel; registering the same one again is a no-op."""
        if panel not in self._panels:
            self._panels.append(panel)

    def shown(self, record, user) -> list[dict[str, Any]]:
        """Each panel's template and context for `record` as `user` sees it."""
        return [
            {"template": panel.template, **panel.context(record, user)}
            for panel in self._panels
        ]
