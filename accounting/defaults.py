"""
The codes a new company starts with, per TAX_PROFILE: a German company on
DATEV's SKR03 chart and a US company with sales and use tax. Admin edits them
afterwards; installing again only adds what is missing.
"""

from decimal import Decimal

from accounting.models import VatCategory

D = Decimal

# (code, name, rate %, category, input-VAT account, self-assessed output account)
TAX_CODES = {
    "DE": [
        ("V19", "Input VAT 19%", D("19"), VatCategory.STANDARD, "1576", None),
        ("V7", "Input VAT 7%", D("7"), VatCategory.STANDARD, "1571", None),
        ("V0", "Zero rated", D("0"), VatCategory.ZERO, None, None),
        ("E0", "VAT exempt", D("0"), VatCategory.EXEMPT, None, None),
        (
            "RC19",
            "Reverse charge 19% (§13b UStG)",
            D("19"),
            VatCategory.REVERSE_CHARGE,
            "1577",
            "1787",
        ),
        (
            "IG19",
            "Intra-community acquisition 19%",
            D("19"),
            VatCategory.INTRA_COMMUNITY,
            "1574",
            "1774",
        ),
        (
            "NV",
            "Outside the scope of VAT",
            D("0"),
            VatCategory.OUTSIDE_SCOPE,
            None,
            None,
        ),
    ],
    "US": [
        ("NOTAX", "No tax", D("0"), VatCategory.OUTSIDE_SCOPE, None, None),
        (
            "SALES",
            "Sales tax 8.875% (NY)",
            D("8.875"),
            VatCategory.STANDARD,
            "6790",
            None,
        ),
        (
            "USE",
            "Use tax 8.875% (self-assessed)",
            D("8.875"),
            VatCategory.REVERSE_CHARGE,
            "6790",
            "2350",
        ),
    ],
}

GL_ACCOUNTS = {
    "DE": [
        ("1200", "Bank EUR"),
        ("1210", "Bank USD"),
        ("1220", "Bank GBP"),
        ("1571", "Input VAT 7%"),
        ("1574", "Input VAT intra-community acquisition 19%"),
        ("1576", "Input VAT 19%"),
        ("1577", "Input VAT §13b 19%"),
        ("1590", "Suspense (journal lines without an account)"),
        ("1600", "Trade payables (AP control)"),
        ("1774", "Output VAT intra-community acquisition 19%"),
        ("1787", "Output VAT §13b 19%"),
        ("3400", "Goods received 19% input VAT"),
        ("3730", "Discounts received"),
        ("4200", "Rent"),
        ("4930", "Office supplies"),
        ("4980", "Operating supplies"),
    ],
    "US": [
        ("1010", "Operating bank account"),
        ("2000", "Accounts payable (AP control)"),
        ("2350", "Use tax payable"),
        ("5000", "Cost of goods purchased"),
        ("6100", "Office supplies"),
        ("6200", "Rent"),
        ("6790", "Sales and use tax expense"),
        ("7100", "Purchase discounts"),
    ],
}

COST_CENTRES = [
    ("1000", "Administration"),
    ("2000", "Sales"),
    ("4100", "Production"),
    ("4200", "Warehouse"),
]

# The settings a profile's journal expects (the README says how to set them).
PROFILE_SETTINGS = {
    "DE": {"DEFAULT_TAX_CODE": "V19", "AP_CONTROL_ACCOUNT": "1600"},
    "US": {"DEFAULT_TAX_CODE": "NOTAX", "AP_CONTROL_ACCOUNT": "2000"},
}
