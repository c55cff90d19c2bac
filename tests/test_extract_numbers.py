"""Reading numbers as written: one case per phenomenon, from real report text."""
import pytest

from extractors.numbers import parse_fraction, parse_number, parse_tail


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
    ("倆千两百贰拾二", 2222),                 # variant and financial digits
    ("仨", 3),
    ("两千四百五", 2450),                      # elided unit after a power
    ("百三", 130),
    ("五亿零六", 500_000_006),                 # a zero stops the elision
    ("二千零十七万", 20_170_000),              # 十 after a zero is ten
    ("拾六万零五百零六", 160_506),
    ("四亿五千六百四十二万零一十五", 456_420_015),
    ("四万万", 400_000_000),                   # 万万 is 亿
    ("10万万", 1_000_000_000),
    ("五千万亿", 5e15),
    ("5万4千6百", 54_600),                      # Arabic digits with descending powers
    ("5亿1万4千6百", 500_014_600),
    ("1.5千万", 15_000_000),
    ("三点五万", 35_000),                       # a Chinese decimal with a multiplier
    ("三千 八百 九十六 万", 38_960_000),        # spaces a PDF text layer left
])
def test_parse_number(written, value):
    assert parse_number(written) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "abc", "1,2", "三点", "12x",
                                 "一百二百", "三二百", "三万二万", "3五", "一" + "万" * 400])
def test_unreadable_numbers_raise(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


@pytest.mark.parametrize("written, percent", [
    ("1/4", 25.0), ("三分之一", 100 / 3), ("一半", 50.0), ("十分之一", 10.0),
])
def test_fractions_are_percentages(written, percent):
    assert parse_fraction(written) == pytest.approx(percent)


@pytest.mark.parametrize("written, offset, value", [
    ("一百 五 十 二", 0, 152),
    ("一百 二百", 3, 200),        # the space stood between two numbers
    ("三千 八百 九十六 万", 0, 38_960_000),
])
def test_the_tail_of_a_spaced_numeral(written, offset, value):
    assert parse_tail(written) == (offset, pytest.approx(value))
