import datetime as dt
import secrets
from base64 import b32decode, b32encode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounting.events import SETUP_USER
from accounting.services import accounting_defaults_install
from accounts.models import Profile
from accounts.roles import Role
from core.errors import ValidationFailed
from exchange_rates import selectors as exchange_rate_selectors
from exchange_rates import services as exchange_rate_services
from invoicing import reconciliation as invoice_reconciliation
from invoicing import services as invoice_services
from localdev import demo
from purchasing import services as purchase_order_services
from treasury import services as treasury_services
from treasury.selectors import bank_account_list
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services

# Who the demo has lives in localdev.demo, which make run's banner reads too.
DEMO_USERS = [
    (username, Role(role), limit) for username, role, limit in demo.DEMO_USERS
]
DEMO_PASSWORD = demo.DEMO_PASSWORD
DEMO_TOTP_SECRET = demo.DEMO_TOTP_SECRET
DEMO_MONEY_MOVERS = demo.DEMO_MONEY_MOVERS

# For each active demo vendor: what it sold and how many days ago it
# invoiced, so that a payment run dated today finds it due (or, under
# 2/10 Net 30, still earning its discount).
DEMO_INVOICES = {
    "Nordwind Bürobedarf GmbH": ("Printer paper, 80 pallets", "1480.00", 5),
    "Atelier Lumière SARL": ("Office lighting refit", "3250.00", 30),
    "Cascade Industrial Supply Inc.": ("Safety gloves, 400 pairs", "2180.00", 60),
    "Bergkristall Präzisionswerkzeuge AG": ("Precision gauges, 12 sets", "1960.00", 30),
}

# What one unit is worth in EUR (the default base currency), roughly as in
# late 2026, valid from 2026-01-01: POs in these currencies can be approved.
DEMO_RATES = [
    ("USD", "0.92"),
    ("GBP", "1.16"),
    ("CHF", "1.06"),
    ("KWD", "3.00"),
    ("JPY", "0.0061"),
]
DEMO_RATES_FROM = dt.date(2026, 1, 1)

DEMO_VENDORS = [
    {
        "name": "Nordwind Bürobedarf GmbH",
        "email": "rechnung@nordwind-buero.example",
        "phone": "+49 40 1234567",
        "address": "Speicherstadt 12\n20457 Hamburg\nGermany",
        "tax_id": "DE123456789",
        "payment_terms": "2/10 Net 30",
        "currency": "EUR",
        "iban": "DE89 3704 0044 0532 0130 00",
        "bic": "COBADEFFXXX",
        "status": "active",
    },
    {
        "name": "Atelier Lumière SARL",
        "email": "factures@atelier-lumiere.example",
        "address": "8 rue des Lampes\n69002 Lyon\nFrance",
        "tax_id": "FR40303265045",
        "payment_terms": "Net 30",
        "currency": "EUR",
        "iban": "FR14 2004 1010 0505 0001 3M02 606",
        "bic": "PSSTFRPPLYO",
        "status": "active",
    },
    {
        "name": "Cascade Industrial Supply Inc.",
        "email": "ar@cascade-industrial.example",
        "phone": "+1 503 555 0142",
        "address": "1200 NW Front Ave\nPortland, OR 97209\nUSA",
        "tax_id": "93-1234567",
        "payment_terms": "Net 60",
        "currency": "USD",
        "account_number": "000123456789",
        "routing_number": "123000848",
        "status": "active",
    },
    {
        # Outside the EEA, invoicing in EUR: its SEPA transfers need the
        # structured address.
        "name": "Bergkristall Präzisionswerkzeuge AG",
        "email": "buchhaltung@bergkristall.example",
        "phone": "+41 44 555 01 20",
        "address": "Bahnhofstrasse 21\n8001 Zürich\nSwitzerland",
        "tax_id": "CHE-123.456.788",
        "payment_terms": "Net 30",
        "currency": "EUR",
        "iban": "CH56 0483 5012 3456 7800 9",
        "bic": "UBSWCHZH80A",
        "status": "active",
    },
    {
        "name": "Greenleaf Catering Ltd",
        "email": "accounts@greenleaf-catering.example",
        "payment_terms": "EOM 30",
        "currency": "GBP",
        "status": "pending",
    },
]


# Each German-profile demo vendor's tax identity and coding defaults
# (accounting.defaults, profile DE): a domestic supplier at 19%, and an EU
# supplier outside Germany whose invoices are reverse charge.
DEMO_TAX_IDENTITY = {
    "Nordwind Bürobedarf GmbH": {
        "vat_id": "DE136695976",
        "tax_country": "DE",
        "default_tax_code": "V19",
        "default_gl_account": "4930",
        "default_cost_centre": "1000",
    },
    "Atelier Lumière SARL": {
        "vat_id": "FR40303265045",
        "tax_country": "FR",
        "default_tax_code": "RC19",
        "default_gl_account": "3400",
        "default_cost_centre": "4100",
    },
}


# The company's paying accounts (treasury): EUR from the payer in settings,
# with the German head office's address, and a US account paying USD.
DEMO_HEAD_OFFICE = {
    "street": "Friedrichstraße",
    "building_number": "123",
    "postcode": "10117",
    "town": "Berlin",
    "country": "DE",
}
DEMO_USD_ACCOUNT = {
    "name": "Operating account USD",
    "currency": "USD",
    "account_number": "4820150937",
    "routing_number": "026009593",
    "bic": "BOFAUS3N",
    "street": "Park Avenue",
    "building_number": "270",
    "postcode": "10017",
    "town": "New York",
    "country": "US",
}

# The demo vendors' structured addresses: a USD transfer, or one to a bank
# outside the EEA, is refused at build without town and country.
DEMO_ADDRESSES = {
    "Nordwind Bürobedarf GmbH": {
        "street": "Speicherstadt", "building_number": "12",
        "postcode": "20457", "town": "Hamburg", "country": "DE",
    },
    "Atelier Lumière SARL": {
        "street": "Rue des Lampes", "building_number": "8",
        "postcode": "69002", "town": "Lyon", "country": "FR",
    },
    "Cascade Industrial Supply Inc.": {
        "street": "NW Front Ave", "building_number": "1200",
        "postcode": "97209", "town": "Portland", "country": "US",
    },
    "Bergkristall Präzisionswerkzeuge AG": {
        "street": "Bahnhofstrasse", "building_number": "21",
        "postcode": "8001", "town": "Zürich", "country": "CH",
    },
    "Greenleaf Catering Ltd": {
        "street": "Castle Street", "building_number": "14",
        "postcode": "EH2 3AH", "town": "Edinburgh", "country": "GB",
    },
}  # fmt: skip


class Command(BaseCommand):
    help = "Create one demo user per role and a few vendors; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=DEMO_PASSWORD,
            help="Password for newly created demo users (existing users keep theirs).",
        )  # fmt: skip

    def handle(self, *args, password, **options):
        if password == DEMO_PASSWORD and not settings.DEBUG:
            raise CommandError(
                "Refusing to create accounts with the published demo password outside "
                "DEBUG: pass --password."
            )
        User = get_user_model()
        with transaction.atomic():
            for username, role, limit in DEMO_USERS:
                user, created = User.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@example.com"}
                )
                if created:
                    user.set_password(password)
                    user.save()
                user.groups.add(Group.objects.get(name=str(role)))
                if limit:
                    Profile.objects.get_or_create(
                        user=user, defaults={"approval_limit": limit}
                    )
                self.stdout.write(
                    f"  {'created' if created else 'kept'} user {username} ({role})"
                )
            # The second Admin confirms what the first changes in the
            # company's bank accounts (four-eyes).
            for username in (demo.DEMO_SUPERUSER, demo.DEMO_SECOND_SUPERUSER):
                admin, created = User.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@example.com"}
                )
                if created:
                    admin.is_staff = admin.is_superuser = True
                    admin.set_password(password)
                    admin.save()
                self.stdout.write(
                    f"  {'created' if created else 'kept'} superuser {username}"
                )
            # The service account import_einvoices enters invoices as: an AP
            # Clerk nobody signs in as (no usable password).
            importer, created = User.objects.get_or_create(
                username=settings.EINVOICE_IMPORT_USER,
                defaults={"email": f"{settings.EINVOICE_IMPORT_USER}@example.com"},
            )
            if created:
                importer.set_unusable_password()
                importer.save()
            importer.groups.add(Group.objects.get(name=str(Role.AP_CLERK)))
            self.stdout.write(
                f"  {'created' if created else 'kept'} service account "
                f"{importer.username} (AP Clerk, no password)"
            )
            self._second_factors()

        self._exchange_rates(self._acting_as("admin"))
        self._bank_accounts(
            self._acting_as("admin"), self._acting_as(demo.DEMO_SECOND_SUPERUSER)
        )
        added = accounting_defaults_install(
            user=SETUP_USER, profile=settings.TAX_PROFILE
        )
        self.stdout.write(
            f"  installed {added} {settings.TAX_PROFILE} tax code(s), GL account(s) "
            "and cost centre(s)" if added else
            f"  kept the {settings.TAX_PROFILE} tax codes, GL accounts and cost centres"
        )  # fmt: skip
        clerk, second_clerk = (
            User.objects.get(username="clerk"),
            User.objects.get(username="clerk2"),
        )
        for fields in DEMO_VENDORS:
            existing = vendor_selectors.vendor_list(
                name_prefix=fields["name"], limit=1
            ).items
            address = DEMO_ADDRESSES.get(fields["name"], {})
            if existing:
                self._address_added(existing[0], address, clerk)
                self.stdout.write(f"  kept vendor {fields['name']}")
                continue
            if settings.TAX_PROFILE == "DE":
                fields = {**fields, **DEMO_TAX_IDENTITY.get(fields["name"], {})}
            fields = {**fields, **address}
            vendor = vendor_services.vendor_create(user=clerk, fields=fields)
            if vendor.bank_details_awaiting_confirmation:
                vendor_services.vendor_bank_details_confirm(
                    vendor_id=vendor.id, user=second_clerk, version=vendor.version
                )
            self.stdout.write(f"  created vendor {vendor.name}")
            if vendor.name in DEMO_INVOICES:
                self._matched_invoice(vendor, *DEMO_INVOICES[vendor.name])

    def _address_added(self, vendor, address, clerk):
        """Give a demo vendor seeded before structured addresses its parts."""
        if vendor.town or not address:
            return
        vendor_services.vendor_update(vendor_id=vendor.id, user=clerk, changes=address)
        self.stdout.write(f"  added the structured address of {vendor.name}")

    def _bank_accounts(self, admin, second_admin):
        """Add the company's EUR and USD paying accounts, confirmed by a second Admin."""
        if bank_account_list():
            self.stdout.write("  kept the company's bank accounts")
            return
        eur = {
            "name": "Operating account EUR",
            "currency": "EUR",
            "iban": settings.PAYER_IBAN,
            "bic": settings.PAYER_BIC or None,
            **DEMO_HEAD_OFFICE,
        }
        for fields in (eur, DEMO_USD_ACCOUNT):
            try:
                account = treasury_services.bank_account_create(
                    user=admin, fields=fields
                )
            except ValidationFailed as exc:
                self.stdout.write(f"  no {fields['currency']} account: {exc.message}")
                continue
            treasury_services.bank_account_confirm(
                user=second_admin, account_id=account.id, version=account.version
            )
            self.stdout.write(f"  created bank account {account.name}")

    def _exchange_rates(self, admin):
        """Enter the demo rates, which are to EUR: with another base, none."""
        if settings.BASE_CURRENCY != "EUR":
            self.stdout.write(
                f"  no demo exchange rates: they are to EUR, the base is "
                f"{settings.BASE_CURRENCY}"
            )
            return
        for currency, rate in DEMO_RATES:
            if exchange_rate_selectors.exchange_rate_get(
                currency=currency, valid_from=DEMO_RATES_FROM.isoformat()
            ):
                self.stdout.write(f"  kept exchange rate {currency}")
                continue
            exchange_rate_services.exchange_rate_create(
                user=admin,
                currency=currency,
                valid_from=DEMO_RATES_FROM,
                rate=rate,
                source="Demo rate",
            )
            self.stdout.write(
                f"  created exchange rate 1 {currency} = {rate} {settings.BASE_CURRENCY}"
            )

    def _second_factors(self):
        """Give each demo money mover an authenticator key and say how to sign in."""
        self.stdout.write(
            "  Approvers, Treasurers and Admins confirm each sign-in with a code "
            "from an authenticator app (or: oathtool --totp -b SECRET):"
        )
        for username in DEMO_MONEY_MOVERS:
            user = get_user_model().objects.get(username=username)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                secret = (
                    DEMO_TOTP_SECRET
                    if settings.DEBUG
                    else b32encode(secrets.token_bytes(20)).decode()
                )
                device = TOTPDevice.objects.create(
                    user=user,
                    name="Demo authenticator",
                    key=b32decode(secret).hex(),
                    confirmed=True,
                )
                self.stdout.write(f"    {username}: TOTP secret {secret}")
            elif b32encode(device.bin_key).decode() == DEMO_TOTP_SECRET:
                # The published demo key: no secret to keep.
                self.stdout.write(f"    {username}: TOTP secret {DEMO_TOTP_SECRET}")
            else:
                # A key shown once, when it was made; never again in a log.
                self.stdout.write(f"    {username}: kept their authenticator")

    def _acting_as(self, username):
        """Return the demo user, signed in with their second factor as the seed."""
        user = get_user_model().objects.get(username=username)
        # The services refuse an unverified money mover; the seed acts for them.
        user.otp_device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        return user

    def _matched_invoice(self, vendor, description, price, days_ago):
        """Raise, approve and invoice one PO, and reconcile it: ready to pay."""
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(
            username__in=["requester", "clerk"]
        )}  # fmt: skip
        lines = [{"description": description, "quantity": "1", "unit_price": price}]
        po = purchase_order_services.purchase_order_create(
            user=users["requester"], vendor_id=vendor.id, lines=lines
        )
        purchase_order_services.purchase_order_approve(
            po_id=po.id, user=self._acting_as("approver")
        )
        invoice = invoice_services.invoice_create(
            user=users["clerk"],
            po_id=po.id,
            invoice_number=f"DEMO-{po.po_number[-4:]}",
            invoice_date=timezone.localdate() - dt.timedelta(days=days_ago),
            lines=lines,
        )
        invoice_reconciliation.invoice_reconcile(
            invoice_id=invoice.id, user=users["clerk"]
        )
        self.stdout.write(
            f"    {po.po_number} approved, invoice {invoice.invoice_number} matched"
        )
