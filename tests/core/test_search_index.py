"""A record's search terms and a query's words, spelled alike (core.search_index)."""

from core.search_index import (
    MAX_ACCOUNTS,
    MAX_TERM_LENGTH,
    MAX_TERMS,
    account_digest,
    identifier_terms,
    query_account,
    query_compact,
    query_parts,
    search_terms,
    terms_match,
    text_terms,
)


def test_name_words_are_folded_and_spelled_as_german_keyboards_lack_umlauts():
    assert text_terms("Schreib- und Bürobedarf Müller") == [
        "schreib", "und", "burobedarf", "buerobedarf", "muller", "mueller",
    ]  # fmt: skip
    assert text_terms("Øresund Straße Łódź") == ["oresund", "strasse", "lodz"]


def test_number_parts_lose_their_leading_zeros_and_a_word_its_end_digits():
    assert text_terms("PO-2026-000004") == ["po", "2026", "4"]
    assert text_terms("INV0042") == ["inv0042", "42"]
    assert text_terms("R-0") == ["r", "0"]


def test_a_query_is_spelled_as_the_terms_and_a_run_of_zeros_asks_nothing():
    assert query_parts("PO-2026-000004") == ["po", "2026", "4"]
    assert query_parts("po 4") == ["po", "4"]
    assert query_parts("PO-2026-00") == ["po", "2026"]
    assert query_parts("BÜROBEDARF") == ["burobedarf"]
    assert query_parts("a b c d e f") == ["a", "b", "c", "d"]


def test_each_query_word_must_begin_a_term():
    terms = search_terms(words=text_terms("Müller Werkzeuge GmbH"))
    assert terms_match(terms, query_parts("werkz mull"))
    assert not terms_match(terms, query_parts("werkzeuge schmidt"))


def test_a_tax_id_is_one_compact_term_and_its_digits():
    assert identifier_terms("DE 123.456-789") == ["de123456789", "123456789"]
    assert identifier_terms("12/345/67890") == ["1234567890"]
    assert query_compact("de 123 456 789") == "de123456789"


def test_accounts_are_digests_matched_whole_in_any_spacing():
    digest = account_digest("DE89 3704 0044 0532 0130 00")
    assert digest == account_digest("de89370400440532013000")
    assert "0532" not in digest and len(digest) == 32
    assert query_account("DE89 3704 0044 0532 0130 00") == digest
    assert query_account("DE89 3704") is None  # the start of an IBAN is no account


def test_terms_are_capped_per_record_and_in_length():
    terms = search_terms(
        words=[f"w{i}" for i in range(50)] + ["x" * 100],
        accounts=["DE89370400440532013000", "123456789", "987654321"],
    )
    assert len(terms.words) == MAX_TERMS and len(terms.accounts) == MAX_ACCOUNTS
    assert search_terms(words=["x" * 100]).words == ("x" * MAX_TERM_LENGTH,)


def test_a_record_is_found_by_its_declared_search_fields_alone():
    # core.writes leaves the tokens alone when an update touches none of a
    # model's SEARCH_FIELDS: search_terms must read nothing else.
    from invoicing.models import Invoice
    from purchasing.models import PurchaseOrder
    from tests.core.test_item_loading import filled

    for model_cls, number in [(Invoice, "INV 2026/0042"), (PurchaseOrder, "PO-2026-7")]:
        record = filled(model_cls)
        (field,) = model_cls.SEARCH_FIELDS
        setattr(record, field, number)
        alone = model_cls(**{field: number})
        assert record.search_terms() == alone.search_terms()
        setattr(record, field, "Z-1")
        assert record.search_terms() != alone.search_terms()
