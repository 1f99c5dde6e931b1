"""The vendor page's ledger section (registered in `ReportsConfig.ready`)."""

from accounts.roles import has_role
from reports.selectors import FINANCE_ROLES


def vendor_ledger_panel(vendor, user) -> dict:
    """
    A link to the vendor's ledger for finance staff; nothing for others. The
    balance is left to the ledger page: the vendor page stays one read.
    """
    return {"ledger_shown": has_role(user, *FINANCE_ROLES)}
