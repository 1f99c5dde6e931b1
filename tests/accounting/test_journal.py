"""The journal's rules (accounting.journal): worked examples and a property test."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from accounting import journal
from accounting.journal import (
    ConfirmedPayment,
    JournalAccounts,
    PostedDocument,
    PostedLine,
    SettledItem,
    TaxAccounts,
)
from accounting.tax import TaxRate, tax_lines

D = Decimal

RATES = {
    "V19": TaxRate("V19", D("19"), "S"),
    "V7": TaxRate("V7", D("7"), "S"),
    "V0": TaxRate("V0", D("0"), "Z"),
    "RC19": TaxRate("RC19", D("19"), "AE"),
    "IG19": TaxRate("IG19", D("19"), "K"),
    "SALES": TaxRate("SALES", D("8.875"), "S"),
}
ACCOUNTS = JournalAccounts(
    ap_control="1600",
    discount_received="3730",
    suspense="9999",
    bank_by_currency={"EUR": "1200", "USD": "1210"},
    tax_codes={
        "V19": TaxAccounts("1576"),
        "V7": TaxAccounts("1571"),
        "V0": TaxAccounts(None),
        "RC19": TaxAccounts("1577", "1787"),
        "IG19": TaxAccounts("1574", "1774"),
        "SALES": TaxAccounts("6790"),
    },
    legacy_input_vat="1576",
    legacy_tax_code="V19",
)


def document(lines, *, kind=journal.INVOICE, printed=None, currency="EUR", **extra):
    posted = tuple(
        PostedLine(net=D(net), gl_account=gl, tax_code=code, cost_centre=cc)
        for net, gl, code, cc in lines
    )
    taxes = tax_lines(
        [(line.tax_code, line.net) for line in posted],
        RATES,
        currency,
        printed={k: D(v) for k, v in (printed or {}).items()},
    )
    net = sum((line.net for line in posted), D("0"))
    tax = sum(((t.printed if t.printed is not None else t.amount) for t in taxes), D(0))
    fields = {
        "id": "doc-1",
        "number": "INV-1",
        "kind": kind,
        "vendor_id": "v1",
        "vendor_name": "Acme GmbH",
        "currency": currency,
        "posting_date": "2026-03-05",
        "lines": posted,
        "tax_amount": tax,
        "total_amount": net + tax,
        "tax_lines": tuple(taxes),
    }
    fields.update(extra)
    return PostedDocument(**fields)


def payment(*items, transferred, currency="EUR", run_number="PR-2026-000001"):
    """One vendor payment of a run confirmed on 20 March settling `items`."""
    return ConfirmedPayment(
        id="run-1/pay-1",
        run_number=run_number,
        vendor_id="v1",
        vendor_name="Acme GmbH",
        currency=currency,
        date="2026-03-20",
        transferred=D(transferred),
        items=items,
    )


def shape(entry):
    """Each line as (account, debit, credit, tax code): what a book-keeper reads."""
    return [
        (ln.account, str(ln.debit), str(ln.credit), ln.tax_code) for ln in entry.lines
    ]


def test_invoice_at_19_and_7_percent_debits_expense_and_input_vat_and_credits_ap():
    entry = journal.document_entry(
        document([("100.00", "4930", "V19", "1000"), ("50.00", "4930", "V7", "1000")]),
        ACCOUNTS,
    )
    assert shape(entry) == [
        ("4930", "100.00", "0.00", "V19"),
        ("4930", "50.00", "0.00", "V7"),
        ("1576", "19.00", "0.00", "V19"),
        ("1571", "3.50", "0.00", "V7"),
        ("1600", "0.00", "172.50", None),
    ]
    assert entry.debit_total == entry.credit_total == D("172.50")
    assert {ln.document for ln in entry.lines} == {"INV-1"}
    assert {ln.vendor for ln in entry.lines} == {"Acme GmbH"}
    assert entry.lines[0].cost_centre == "1000"


def test_lines_of_one_coding_post_as_one_expense_line():
    entry = journal.document_entry(
        document(
            [
                ("10.00", "4930", "V19", "1000"),
                ("20.00", "4930", "V19", "1000"),
                ("5.00", "4930", "V19", "2000"),
            ]
        ),
        ACCOUNTS,
    )
    assert [(ln.account, ln.cost_centre, str(ln.debit)) for ln in entry.lines[:2]] == [
        ("4930", "1000", "30.00"),
        ("4930", "2000", "5.00"),
    ]
    assert shape(entry)[2] == ("1576", "6.65", "0.00", "V19")


def test_printed_tax_posts_instead_of_the_computed():
    entry = journal.document_entry(
        document([("133.33", "4930", "V19", None)], printed={"V19": "25.34"}),
        ACCOUNTS,
    )
    assert shape(entry) == [
        ("4930", "133.33", "0.00", "V19"),
        ("1576", "25.34", "0.00", "V19"),
        ("1600", "0.00", "158.67", None),
    ]


def test_reverse_charge_posts_input_and_output_vat_and_ap_the_net():
    entry = journal.document_entry(
        document([("1000.00", "4930", "RC19", None)]), ACCOUNTS
    )
    assert shape(entry) == [
        ("4930", "1000.00", "0.00", "RC19"),
        ("1577", "190.00", "0.00", "RC19"),
        ("1787", "0.00", "190.00", "RC19"),
        ("1600", "0.00", "1000.00", None),
    ]
    assert entry.balanced


def test_credit_note_is_the_reverse_of_an_invoice():
    entry = journal.document_entry(
        document(
            [("50.00", "4930", "V19", "1000")],
            kind=journal.CREDIT_NOTE,
            number="CN-7",
        ),
        ACCOUNTS,
    )
    assert shape(entry) == [
        ("4930", "0.00", "50.00", "V19"),
        ("1576", "0.00", "9.50", "V19"),
        ("1600", "59.50", "0.00", None),
    ]
    assert entry.kind == journal.CREDIT_NOTE
    assert entry.document == "CN-7"


def test_payment_with_two_percent_discount_credits_bank_and_discounts_received():
    entry = journal.payment_entry(
        payment(
            SettledItem(document="INV-1", total=D("119.00"), discount=D("2.38")),
            transferred="116.62",
        ),
        ACCOUNTS,
    )
    assert shape(entry) == [
        ("1600", "119.00", "0.00", None),
        ("3730", "0.00", "2.38", None),
        ("1200", "0.00", "116.62", None),
    ]
    assert [ln.document for ln in entry.lines] == ["INV-1", "INV-1", "PR-2026-000001"]
    assert entry.date == "2026-03-20"


def test_payment_netting_a_credit_note_credits_ap_with_the_credit():
    entry = journal.payment_entry(
        payment(
            SettledItem(document="INV-1", total=D("100.00")),
            SettledItem(document="CN-1", total=D("20.00"), credit=True),
            transferred="80.00",
            currency="USD",
        ),
        ACCOUNTS,
    )
    assert shape(entry) == [
        ("1600", "100.00", "0.00", None),
        ("1600", "0.00", "20.00", None),
        ("1210", "0.00", "80.00", None),
    ]


def test_void_reverses_the_posting_on_the_void_date():
    doc = document([("100.00", "4930", "V19", None)], voided_on="2026-04-02")
    entry = journal.void_entry(doc, ACCOUNTS)
    assert entry.date == "2026-04-02"
    assert entry.kind == journal.VOID
    assert shape(entry) == [
        ("4930", "0.00", "100.00", "V19"),
        ("1576", "0.00", "19.00", "V19"),
        ("1600", "119.00", "0.00", None),
    ]


def test_period_entries_hold_the_posting_and_the_void_each_in_its_own_period():
    doc = document([("100.00", "4930", "V19", None)], voided_on="2026-04-02")
    march = journal.period_entries(
        documents=[doc],
        payments=[],
        accounts=ACCOUNTS,
        start="2026-03-01",
        end="2026-03-31",
    )
    april = journal.period_entries(
        documents=[doc],
        payments=[],
        accounts=ACCOUNTS,
        start="2026-04-01",
        end="2026-04-30",
    )
    assert [e.kind for e in march] == [journal.INVOICE]
    assert [e.kind for e in april] == [journal.VOID]


def test_legacy_document_posts_its_tax_to_one_account_and_uncoded_lines_to_suspense():
    doc = PostedDocument(
        id="old",
        number="OLD-1",
        kind=journal.INVOICE,
        vendor_id="v1",
        vendor_name="Acme",
        currency="EUR",
        posting_date="2026-03-01",
        lines=(PostedLine(net=D("200.00")),),
        tax_amount=D("38.00"),
        total_amount=D("238.00"),
        tax_lines=None,
    )
    assert shape(journal.document_entry(doc, ACCOUNTS)) == [
        ("9999", "200.00", "0.00", None),
        ("1576", "38.00", "0.00", "V19"),
        ("1600", "0.00", "238.00", None),
    ]


def test_a_gross_that_does_not_add_up_posts_the_difference_to_suspense():
    doc = document([("100.00", "4930", "V19", None)], total_amount=D("119.01"))
    entry = journal.document_entry(doc, ACCOUNTS)
    assert ("9999", "0.01", "0.00", None) in shape(entry)
    assert entry.balanced


def test_totals_show_debits_equal_credits_per_currency():
    entries = [
        journal.document_entry(document([("100.00", "4930", "V19", None)]), ACCOUNTS),
        journal.document_entry(
            document([("10.00", "6100", "SALES", None)], currency="USD"), ACCOUNTS
        ),
    ]
    totals = journal.journal_totals(entries)
    assert totals.by_currency == {
        "EUR": (D("119.00"), D("119.00")),
        "USD": (D("10.89"), D("10.89")),
    }
    assert totals.entries == 2


# --- Property: every entry balances to the cent ------------------------------

amounts = st.decimals(
    min_value=D("-500.00"), max_value=D("99999.99"), places=2, allow_nan=False
).filter(lambda d: d != 0)
codes = st.sampled_from(sorted(RATES))
coding = st.tuples(
    amounts,
    st.sampled_from(["4930", "4200", None]),
    codes,
    st.sampled_from(["1000", "4100", None]),
)


@st.composite
def random_documents(draw):
    lines = draw(st.lists(coding, min_size=1, max_size=8))
    used = sorted({code for _, _, code, _ in lines})
    printed = draw(
        st.dictionaries(
            st.sampled_from(used),
            st.decimals(min_value=0, max_value=D("20000"), places=2, allow_nan=False),
        )
    )
    kind = draw(st.sampled_from([journal.INVOICE, journal.CREDIT_NOTE]))
    currency = draw(st.sampled_from(["EUR", "USD", "JPY"]))
    if currency == "JPY":
        lines = [
            (net.quantize(D("1")) or D("1"), gl, c, cc) for net, gl, c, cc in lines
        ]
        printed = {k: v.quantize(D("1")) for k, v in printed.items()}
    doc = document(
        [(str(net), gl, code, cc) for net, gl, code, cc in lines],
        kind=kind,
        printed={k: str(v) for k, v in printed.items()},
        currency=currency,
    )
    if draw(st.booleans()):  # a document whose gross was typed differently
        typed = draw(amounts)
        if currency == "JPY":  # in whole yen, as any JPY amount is stored
            typed = typed.quantize(D("1")) or D("1")
        doc = PostedDocument(
            **{**doc.__dict__, "total_amount": doc.total_amount + typed}
        )
    return doc


@settings(max_examples=300, deadline=None)
@given(random_documents())
def test_every_document_entry_and_its_void_balance_to_the_cent(doc):
    for entry in (
        journal.document_entry(doc, ACCOUNTS),
        journal.void_entry(
            PostedDocument(**{**doc.__dict__, "voided_on": "2026-05-01"}), ACCOUNTS
        ),
    ):
        assert entry.debit_total == entry.credit_total
        for line in entry.lines:
            assert line.debit >= 0 and line.credit >= 0
            assert (line.debit == 0) != (line.credit == 0)
            assert line.document == doc.number and line.vendor == doc.vendor_name


@st.composite
def random_payments(draw):
    items = draw(
        st.lists(
            st.tuples(
                st.decimals(min_value=D("0.01"), max_value=D("50000"), places=2),
                st.sampled_from([D("0"), D("2"), D("3")]),
            ),
            min_size=1,
            max_size=6,
        )
    )
    settled = [
        SettledItem(
            document=f"INV-{n}",
            total=total,
            discount=(total * percent / 100).quantize(D("0.01")),
        )
        for n, (total, percent) in enumerate(items)
    ]
    due = sum((i.total - i.discount for i in settled), D("0"))
    credit = draw(st.decimals(min_value=D("0"), max_value=due, places=2))
    if credit:
        settled.append(SettledItem(document="CN-1", total=credit, credit=True))
    return ConfirmedPayment(
        id="p",
        run_number="PR-1",
        vendor_id="v",
        vendor_name="V",
        currency=draw(st.sampled_from(["EUR", "GBP", "CHF"])),
        date="2026-03-31",
        transferred=due - credit,
        items=tuple(settled),
    )


@settings(max_examples=200, deadline=None)
@given(random_payments())
def test_every_payment_entry_balances_and_posts_nothing_to_suspense_but_a_missing_bank(
    payment,
):
    entry = journal.payment_entry(payment, ACCOUNTS)
    assert entry.debit_total == entry.credit_total
    suspense = [ln for ln in entry.lines if ln.account == "9999"]
    if payment.currency in ACCOUNTS.bank_by_currency:
        assert suspense == []
    else:  # no bank account for CHF: the transfer waits in suspense
        assert sum(ln.credit for ln in suspense) == payment.transferred
