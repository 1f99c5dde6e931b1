"""
Who the demo has, in one place: `seed_demo` creates these users and `make run`'s
banner names them, so the two cannot disagree. Plain data, no Django, because
the banner is printed by `localdev.run`, which never imports the project.
"""

# The password of newly created demo users (DEBUG only; outside it seed_demo
# wants --password).
DEMO_PASSWORD = "demo-pass-2026"

# The published authenticator key of the demo's money movers (DEBUG only; a
# seed outside DEBUG gives each a random key and prints it once). Add it to an
# authenticator app, or: oathtool --totp -b DEMOP2PTOTPKEYFORMAKERUNONLYXXXX
DEMO_TOTP_SECRET = "DEMOP2PTOTPKEYFORMAKERUNONLYXXXX"
DEMO_MONEY_MOVERS = ("approver", "approver2", "treasurer", "admin", "admin2")

# (username, role name as accounts.roles.Role spells it, approval limit in the
# base currency or None)
DEMO_USERS = [
    ("requester", "Requester", None),
    ("approver", "Approver", "10000.00"),
    ("approver2", "Approver", "50000.00"),
    ("clerk", "AP Clerk", None),
    ("clerk2", "AP Clerk", None),
    ("buyer", "Buyer", None),
    ("treasurer", "Treasurer", None),
    ("auditor", "Auditor", None),
]
DEMO_SUPERUSER = "admin"
# A second Admin: confirms what the first changes in the company's bank
# accounts (four-eyes), as clerk2 confirms clerk's vendor bank details.
DEMO_SECOND_SUPERUSER = "admin2"


def sign_in_lines() -> list[str]:
    """The banner's lines on who to sign in as, one line per role."""
    by_role: dict[str, list[str]] = {}
    for username, role, _limit in DEMO_USERS:
        by_role.setdefault(role, []).append(username)
    by_role["Admin"] = [f"{DEMO_SUPERUSER} (superuser)", DEMO_SECOND_SUPERUSER]
    return [
        f"Sign in as (new demo users' password: {DEMO_PASSWORD}):",
        *(f"  {role:<10} {', '.join(names)}" for role, names in by_role.items()),
        f"{', '.join(DEMO_MONEY_MOVERS)} then enter the code of an",
        f"authenticator app set up with the key {DEMO_TOTP_SECRET},",
        "or run .venv/bin/python -m localdev.demo_code for the current one.",
    ]
