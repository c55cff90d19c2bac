"""The cleaning and decoding functions, case by case."""
from __future__ import annotations

import codecs

import pytest

from fazhi.ingest.clean import clean_text, is_breadcrumb, is_related_header
from fazhi.ingest.decode import DecodeError, decode_bytes

CASES = [
    # (what, raw text, clean text)
    ("breadcrumb line dropped",
     "首页>政务公开>法治政府建设年度报告 > 街镇\n2024年,静观镇围绕目标任务", "2024年,静观镇围绕目标任务"),
    ("full-width breadcrumb dropped", "当前位置：首页＞信息公开＞报告\n正文", "正文"),
    ("首页 inside a sentence kept", "首页展示了办结率100%的情况", "首页展示了办结率100%的情况"),
    ("trailing 相关新闻 dropped", "推动法治建设。\n东莞市司法局桥头分局\n2019年12月2日\n- 相关新闻",
     "推动法治建设。\n东莞市司法局桥头分局\n2019年12月2日"),
    ("相关新闻 with its link list dropped", "正文一段。\n相关新闻\n某镇召开法治会议\n某区开展普法活动", "正文一段。"),
    ("相关新闻 followed by a long paragraph kept",
     "正文。\n相关新闻\n" + "这是一段很长的报告正文" * 10, "正文。\n相关新闻\n" + "这是一段很长的报告正文" * 10),
    ("image placeholder dropped", "机关干部的通过率达到了100[image: image1.png]。", "机关干部的通过率达到了100。"),
    ("ideographic space normalised", "罗坪\u3000“社区法律之家”", "罗坪 “社区法律之家”"),
    ("nbsp normalised", "共\xa0计87件", "共 计87件"),
    ("runs of spaces collapse", "（大寺镇  2021.12.18）", "（大寺镇 2021.12.18）"),
    ("single inner space kept", "受教育群众400 余人次", "受教育群众400 余人次"),
    ("lines stripped, blank lines dropped", "   三是加强宣传。\n  \n\n四是排查。  \n", "三是加强宣传。\n四是排查。"),
    ("CRLF and CR become LF", "一、总体\r\n(一)学习\r二是普法", "一、总体\n(一)学习\n二是普法"),
    ("BOM and zero-width chars dropped", "\ufeff信访\u200b件87件", "信访件87件"),
    ("tabs become spaces", "办结率\t\t100%", "办结率 100%"),
    ("full-width punctuation untouched", "办结率达94.88％，同比上升（约）", "办结率达94.88％，同比上升（约）"),
]


@pytest.mark.parametrize("what,raw,expected", CASES, ids=[c[0] for c in CASES])
def test_clean_text(what, raw, expected):
    assert clean_text(raw) == expected


def test_clean_is_idempotent():
    for _, raw, _ in CASES:
        once = clean_text(raw)
        assert clean_text(once) == once


@pytest.mark.parametrize("line,expected", [
    ("首页>政务公开>法治政府建设年度报告 > 街镇", True),
    ("您的位置：首页 » 政务公开", True),
    ("首页", True),
    ("首页建设推进法治政府建设工作，取得明显成效，群众满意度大幅提高，全年共办理案件112宗", False),
])
def test_is_breadcrumb(line, expected):
    assert is_breadcrumb(line) is expected


@pytest.mark.parametrize("line,expected", [
    ("相关新闻", True), ("- 相关新闻", True), ("— 相关文章：", True), ("相关新闻报道称办结率100%", False),
])
def test_is_related_header(line, expected):
    assert is_related_header(line) is expected


TEXT = "2024年,静观镇办理信访件87件,办结率100%。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_decode_known_encodings(encoding):
    text = TEXT * 20  # detection needs some text to go on
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text


def test_decode_reports_encoding():
    assert decode_bytes(TEXT.encode("utf-8")).encoding == "utf-8"
    assert decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8")).encoding == "utf-8-sig"
    assert decode_bytes((TEXT * 20).encode("gbk")).encoding in ("gb18030", "gbk", "gb2312")


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02\x03" * 64], ids=["empty", "binary"])
def test_decode_rejects(data):
    with pytest.raises(DecodeError):
        decode_bytes(data)
