"""
The files an export stores: one pain.001.001.09 per currency (checked
against the XSD before anything is stored) and the JSON summary of the run.
Nothing here reads or writes; the export service stores what this returns.

Each currency's file is paid from the company account its payments were
built with (issue 17): that account is the debtor, with its structured
address, and each creditor's address as the run kept it is written beside
its name. A run built before paying accounts (payments without
`paying_account_id`) is paid from the PAYER_* settings, exactly as before.
"""

import dataclasses
import datetime as dt
import json

from django.conf import settings

from audit.entries import actor_id
from core.addresses import PostalAddress
from core.errors import ValidationFailed
from core.text import text_problem
from payments import pain001
from payments.models import PaymentRun


def message_id(run: PaymentRun, *, currency: str, attempt: str) -> str:
    """
    The MsgId of the run's `currency` file in export `attempt`: a bank refuses
    a MsgId it has seen, so each file of a run and each export of it is a
    message of its own. The run number is unique, the attempt is random;
    about 31 characters (the field takes 35).
    """
    return f"{run.number}-{currency}-{attempt}"


def file_name(currency: str) -> str:
    return f"pain001-{currency}.xml"


def paying_account_ids(run: PaymentRun) -> set[str]:
    """The company accounts the run's transfers are paid from (none: PAYER_*)."""
    return {p.paying_account_id for p in run.transfers() if p.paying_account_id}


def pain001_file_details(run: PaymentRun) -> dict[str, dict]:
    """
    What the export keeps on each pain.001 it stores, by file name: its
    currency, the paying account (None: the PAYER_* settings) and the
    execution date it requests.
    """
    details = {}
    for currency in _transfer_currencies(run):
        payments = [p for p in run.transfers() if p.currency == currency]
        details[file_name(currency)] = {
            "currency": currency,
            "paying_account_id": payments[0].paying_account_id,
            "execution_date": run.payment_date,
        }
    return details


@dataclasses.dataclass(frozen=True)
class _Debtor:
    name: str
    iban: str | None
    bic: str | None
    account_number: str | None = None
    routing_number: str | None = None
    address: PostalAddress | None = None


def _unfit(account, currency: str) -> str | None:
    """Why a run may no longer pay `currency` from `account`, or None."""
    if account is None:
        return "no longer exists"
    if account.awaiting_confirmation:
        return "awaits another Admin's confirmation"
    if not account.active:
        return "is inactive"
    if account.currency != currency:
        return f"is not a {currency} account"
    return None


def _debtor(payments, currency: str, paying_accounts: dict) -> _Debtor:
    """The account paying `payments`, refusing one no longer fit to pay."""
    account_id = payments[0].paying_account_id
    if account_id is None:
        return _Debtor(
            name=settings.PAYER_NAME,
            iban=settings.PAYER_IBAN,
            bic=settings.PAYER_BIC or None,
        )
    account = paying_accounts.get(account_id)
    if problem := _unfit(account, currency):
        name = account.name if account else account_id
        raise ValidationFailed(
            f"The {currency} payment file cannot be written: its paying account "
            f"{name} {problem}. Cancel this run and build a new one, or have an "
            "Admin confirm the account under Treasury."
        )
    # The account's name labels it for people; the holder is the company.
    return _Debtor(
        name=settings.PAYER_NAME,
        iban=account.iban,
        bic=account.bic,
        account_number=None if account.iban else account.account_number,
        routing_number=None if account.iban else account.routing_number,
        address=PostalAddress.of(account),
    )


def payment_files(
    run: PaymentRun,
    *,
    user,
    created_at: dt.datetime,
    attempt: str,
    paying_accounts: dict | None = None,
) -> dict[str, bytes]:
    """
    Return the run's files by name: one pain.001 per currency and the JSON
    summary, for export `attempt` (which each file's MsgId includes).
    `paying_accounts` holds the company accounts the payments name, by id.
    """
    paying_accounts = paying_accounts or {}
    files: dict[str, bytes] = {}
    for currency in _transfer_currencies(run):
        payments = [p for p in run.transfers() if p.currency == currency]
        _refuse_unwritable_text(payments, currency)
        debtor = _debtor(payments, currency, paying_accounts)
        # A run built before paying accounts writes no addresses, as then.
        structured = payments[0].paying_account_id is not None
        document = pain001.PaymentFile(
            message_id=message_id(run, currency=currency, attempt=attempt),
            created_at=created_at,
            initiating_party=settings.PAYER_NAME,
            payment_info_id=f"{run.number}-{currency}",
            execution_date=dt.date.fromisoformat(run.payment_date),
            currency=currency,
            debtor_name=debtor.name,
            debtor_iban=debtor.iban,
            debtor_bic=debtor.bic,
            debtor_account_number=debtor.account_number,
            debtor_aba_routing_number=debtor.routing_number,
            debtor_address=debtor.address,
            transfers=tuple(
                pain001.CreditTransfer(
                    end_to_end_id=p.id,
                    amount=p.amount,
                    creditor_name=p.vendor_name,
                    invoice_numbers=tuple(i.invoice_number for i in p.invoices),
                    credits=tuple(
                        (c.credit_note_number, c.amount)
                        for c in p.credits_applied
                        if c.amount > 0
                    ),
                    iban=p.iban,
                    bic=p.bic,
                    account_number=p.account_number,
                    aba_routing_number=p.routing_number,
                    creditor_address=(
                        PostalAddress.of(p.address)
                        if structured and p.address
                        else None
                    ),
                )
                for p in payments
            ),
        )
        xml = pain001.pain001_xml(document)
        if errors := pain001.pain001_errors(xml):
            raise ValidationFailed(
                f"The {currency} payment file does not pass the pain.001.001.09 "
                "schema, so nothing was stored: " + "; ".join(errors[:5])
            )
        files[file_name(currency)] = xml
    files["summary.json"] = _summary(
        run,
        user=user,
        created_at=created_at,
        attempt=attempt,
        paying_accounts=paying_accounts,
    )
    return files


def _transfer_currencies(run: PaymentRun) -> list[str]:
    """
    The currencies a bank file is written for: those with a transfer. A
    currency whose payments credits settle alone has none (a pain.001 holds
    at least one transfer); the summary still lists its payments.
    """
    return sorted({p.currency for p in run.transfers()})


def _shown(text: str) -> str:
    """The text with each character no file may hold spelled as U+XXXX."""
    return "".join(f"<U+{ord(c):04X}>" if text_problem(c) else c for c in text)


def _refuse_unwritable_text(payments, currency: str) -> None:
    """
    Refuse, naming the vendor, text an XML file cannot hold: stored before
    input refused it (core.text), it would fail the XSD check as a 500.
    """
    for payment in payments:
        texts = (
            [("name", payment.vendor_name)]
            + [
                ("invoice number", invoice.invoice_number)
                for invoice in payment.invoices
            ]
            + [
                ("credit note number", credit.credit_note_number)
                for credit in payment.credits_applied
            ]
        )
        for what, text in texts:
            if problem := text_problem(text or ""):
                raise ValidationFailed(
                    f"The {currency} payment file cannot be written: the {what} "
                    f"'{_shown(text)}' of vendor {_shown(payment.vendor_name)} "
                    f"({problem[:-1].lower()}). Correct the vendor's {what}, "
                    "cancel this run and build a new one."
                )


def _paying_account_summary(account_id: str | None, paying_accounts: dict):
    account = paying_accounts.get(account_id) if account_id else None
    if account is None:
        return None
    return {
        "id": account.id,
        "name": account.name,
        "iban": account.iban,
        "bic": account.bic,
        "account_number": account.account_number,
        "routing_number": account.routing_number,
    }


def _summary(
    run: PaymentRun,
    *,
    user,
    created_at: dt.datetime,
    attempt: str,
    paying_accounts: dict,
) -> bytes:
    summary = {
        "run_id": run.id,
        "message_ids": {
            currency: message_id(run, currency=currency, attempt=attempt)
            for currency in _transfer_currencies(run)
        },
        "number": run.number,
        "payment_date": run.payment_date,
        "created_by": run.created_by,
        "approved_by": run.approved_by,
        "exported_by": actor_id(user),
        "exported_at": created_at.isoformat(timespec="seconds"),
        "payer": {
            "name": settings.PAYER_NAME,
            "iban": settings.PAYER_IBAN,
            "bic": settings.PAYER_BIC,
        },
        "totals": {
            currency: {k: str(v) for k, v in row.items()}
            for currency, row in run.totals().items()
        },
        "payments": [
            {
                "end_to_end_id": p.id,
                "vendor_id": p.vendor_id,
                "vendor_name": p.vendor_name,
                "currency": p.currency,
                "amount": str(p.amount),
                "discount": str(p.discount),
                "iban": p.iban,
                "bic": p.bic,
                "account_number": p.account_number,
                "routing_number": p.routing_number,
                "invoices": [
                    {
                        "invoice_id": i.invoice_id,
                        "invoice_number": i.invoice_number,
                        "total_amount": str(i.total_amount),
                        "discount": str(i.discount),
                        "amount": str(i.amount),
                    }
                    for i in p.invoices
                ],
                "invoiced": str(p.invoiced),
                "credits_applied": [
                    {
                        "credit_note_id": c.credit_note_id,
                        "credit_note_number": c.credit_note_number,
                        "open_amount": str(c.open_amount),
                        "amount": str(c.amount),
                    }
                    for c in p.credits_applied
                ],
                "transfer": p.amount > 0,
            }
            for p in run.payments
        ],
    }
    # Keys only runs paid from the company's accounts have: a summary of a
    # run built before reads exactly as it did.
    if paying_account_ids(run):
        for row, payment in zip(summary["payments"], run.payments, strict=True):
            row["paying_account"] = _paying_account_summary(
                payment.paying_account_id, paying_accounts
            )
            row["address"] = (
                dataclasses.asdict(PostalAddress.of(payment.address))
                if payment.address
                else None
            )
    return json.dumps(summary, indent=2, sort_keys=True).encode()
