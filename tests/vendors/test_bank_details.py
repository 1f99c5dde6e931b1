import pytest

from vendors.bank_details import (
    aba_routing_error,
    bic_error,
    iban_error,
    normalise_iban,
    us_account_error,
)


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "be68 5390 0754 7034",
    ],
)
def test_valid_ibans_pass(iban):
    assert iban_error(normalise_iban(iban)) is None


def test_iban_with_a_typo_fails_its_checksum():
    assert "check digits" in iban_error(normalise_iban("DE89 3704 0044 0532 0130 01"))


def test_iban_of_wrong_length_for_its_country_names_the_length():
    assert "22 characters" in iban_error(normalise_iban("DE89 3704 0044 0532 0130"))


def test_iban_of_wrong_shape_is_refused():
    assert iban_error("12345") is not None
    assert iban_error(normalise_iban("DE89-3704")) is not None


@pytest.mark.parametrize("bic", ["COBADEFFXXX", "DEUTDEFF", "PSSTFRPPLYO"])
def test_valid_bics_pass(bic):
    assert bic_error(bic) is None


@pytest.mark.parametrize("bic", ["COBADEFF1", "1OBADEFF", "COBA", "COBADEFFXXXX"])
def test_malformed_bics_are_refused(bic):
    assert bic_error(bic) is not None


@pytest.mark.parametrize("routing", ["123000848", "021000021", "011000015"])
def test_valid_aba_routing_numbers_pass(routing):
    assert aba_routing_error(routing) is None


def test_aba_routing_number_with_bad_checksum_is_refused():
    assert "checksum" in aba_routing_error("123000847")
    assert "9 digits" in aba_routing_error("12300084")


def test_us_account_numbers_are_4_to_17_digits():
    assert us_account_error("000123456789") is None
    assert us_account_error("123") is not None
    assert us_account_error("12345678901234567890") is not None
