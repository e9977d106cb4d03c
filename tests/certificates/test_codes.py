"""Public certificate codes: generation, display format and forgiving input."""

import pytest

from lms.certificates.codes import ALPHABET, format_code, new_public_code, normalize_code


def test_new_codes_are_twelve_crockford_symbols_and_do_not_repeat():
    codes = {new_public_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 12
        assert set(code) <= set(ALPHABET)
    # Ambiguous letters never appear in what we print.
    assert not any(letter in "".join(codes) for letter in "ILOU")


def test_format_groups_by_four():
    assert format_code("7K3M9QX2HB4T") == "7K3M-9QX2-HB4T"


def test_typed_code_is_recognised_whatever_the_case_spacing_and_hyphens():
    assert normalize_code("7k3m-9qx2-hb4t") == "7K3M9QX2HB4T"
    assert normalize_code(" 7K3M 9QX2 HB4T ") == "7K3M9QX2HB4T"
    assert (
        normalize_code("7K3M\u20139QX2\u2013HB4T") == "7K3M9QX2HB4T"
    )  # en dash from a word processor


def test_letters_misread_for_digits_are_decoded_like_crockford():
    assert normalize_code("IL0O-1111-0000") == "11001111" + "0000"
    assert normalize_code("o1l1-i1I1-OoOo") == "01111111" + "0000"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7K3M-9QX2-HB4",
        "7K3M-9QX2-HB4TT",
        "7K3M-9QX2-HB4U",
        "7K3M/9QX2/HB4T",
        "ÉK3M9QX2HB4T",
        "x" * 500,
    ],
)
def test_malformed_input_is_refused(text):
    assert normalize_code(text) is None


def test_format_refuses_a_non_code():
    with pytest.raises(ValueError):
        format_code("hello")
