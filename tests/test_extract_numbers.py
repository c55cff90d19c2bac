"""Reading numbers as written: one case per phenomenon, from real report text."""
import pytest

from extractors.numbers import parse_fraction, parse_number


@pytest.mark.parametrize("written, value", [
    ("87", 87),
    ("301,383", 301383),                      # thousands separator
    ("94.88", 94.88),
    ("１２３", 123),                           # full-width digits
    ("２７，２０３，３１９，０００", 27203319000),  # full-width digits and commas (1956 report)
    ("1200万", 12_000_000),
    ("1.39万亿", 1_390_000_000_000),
    ("三万五千", 35000),
    ("两", 2),
    ("一百零八億", 10_800_000_000),            # traditional 億
    ("一百十八", 118),
    ("十五", 15),
    ("二〇二四", 2024),                        # positional digits
    ("三十六點九", 36.9),                      # traditional decimal point
    ("三十六点九", 36.9),
    ("三万五", 35000),                         # elided trailing unit
    ("四百二十七亿四千万", 42_740_000_000),
    ("九千三百一十万", 93_100_000),
    ("千", 1000),
    ("十", 10),
])
def test_parse_number(written, value):
    assert parse_number(written) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "1,2", "三点", "12x"])
def test_unreadable_numbers_raise(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


@pytest.mark.parametrize("written, percent", [
    ("1/4", 25.0), ("三分之一", 100 / 3), ("一半", 50.0), ("十分之一", 10.0),
])
def test_fractions_are_percentages(written, percent):
    assert parse_fraction(written) == pytest.approx(percent)
