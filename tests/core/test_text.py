import pytest

from core.text import TextError, clean_text
from core.versions import version_from_request


@pytest.mark.parametrize(
    "char",
    ["\uffff", "\ufffe", "\ufdd0", "\U0010ffff", "\x00", "\x0b", "\x1f", "\ud800"],
)
def test_noncharacters_and_xml_invalid_code_points_are_refused(char):
    with pytest.raises(TextError):
        clean_text(f"Acme{char}Supplies")


def test_the_refusal_names_the_code_point():
    with pytest.raises(TextError, match=r"U\+FFFF"):
        clean_text("Acme\uffff")


def test_tab_newlines_and_any_script_are_kept():
    text = "Müller & Söhne\tБерлин\r\n東京 😀"
    assert clean_text(text) == text


class FakeRequest:
    def __init__(self, if_match):
        self.headers = {"If-Match": if_match}


@pytest.mark.parametrize("header", ["1" * 4301, "\u0661", "²", "abc", "1.5"])
def test_an_if_match_that_is_not_a_version_is_refused_not_a_500(header):
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="If-Match"):
        version_from_request(FakeRequest(header), None)


@pytest.mark.parametrize("header, version", [('"3"', 3), ('W/"3"', 3), ("7", 7)])
def test_an_if_match_version_is_read(header, version):
    assert version_from_request(FakeRequest(header), None) == version


def test_without_a_version_the_original_api_writes_on_the_version_read():
    assert version_from_request(FakeRequest(""), None, required=False) is None
    assert version_from_request(FakeRequest("*"), None, required=False) is None
