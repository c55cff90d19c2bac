"""Tables (spec §7): HTML tables of several shapes, a Word table, each flattened form.

Every text here is written for the test in the style of the reports (行政复议
statistics by type, enforcement by bureau, the 政府信息公开 annual tables).
"""
import io

import pytest

from extractors import extract
from extractors.flattables import recognise
from extractors.ruleset import load_rules
from extractors.tables import Table, TableCell, locate, table_records
from fazhi.ingest.clean import clean_text
from fazhi.ingest.formats import to_text
from fazhi.ingest.tables import document_tables

RULES = load_rules()


def run(data: bytes):
    """What the clean and extract stages do: text, tables located in the clean text, records."""
    content = to_text(data)
    clean = clean_text(content.text)
    tables = document_tables(content, clean)
    return clean, tables, extract(clean, tables=tables)


def cells(records):
    return [(r.subject, r.value, r.unit, r.type, r.text) for r in records if r.extractor == "table"]


def page(body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>某某区2023年法治政府建设年度报告</title>"
            f"</head><body><div id='zoom'>{body}</div></body></html>").encode("utf-8")


# -- HTML ---------------------------------------------------------------------------------------

def test_html_header_row_only():
    clean, tables, recs = run(page(
        "<p>2023年，全区各级行政机关共办理行政复议案件情况如下。</p>"
        "<table><tr><th>收到申请（件）</th><th>受理</th><th>审结</th><th>纠错率</th></tr>"
        "<tr><td>128</td><td>117</td><td>109</td><td>12.5%</td></tr></table>"
        "<p>行政应诉案件43件，行政机关负责人出庭应诉率100%。</p>"))
    assert len(tables) == 1 and tables[0].kind == "html" and tables[0].header_rows == 1
    assert cells(recs) == [("收到申请", 128, "件", "case", "128"), ("受理", 117, "件", "case", "117"),
                           ("审结", 109, "件", "case", "109"), ("纠错率", 12.5, "%", "percentage", "12.5%")]
    # the cell texts stay in the clean text, a row a line, and records point at them
    assert "128 | 117 | 109 | 12.5%" in clean
    for r in recs:
        assert clean[r.start:r.end] == r.text
    # prose around the table is extracted as before, once
    prose = [(r.value, r.unit) for r in recs if r.extractor == "rules"]
    assert prose == [(43, "件"), (100, "%")]
    assert {r.cell.table for r in recs if r.cell} == {1}


def test_html_header_column_only():
    _, tables, recs = run(page(
        "<p>二、行政执法情况</p>"
        "<table><tr><td>行政处罚案件</td><td>312件</td></tr>"
        "<tr><td>行政检查</td><td>1,046次</td></tr>"
        "<tr><td>罚没金额</td><td>86.5万元</td></tr></table>"))
    assert tables[0].header_cols == 1 and tables[0].header_rows == 0
    assert cells(recs) == [("行政处罚案件", 312, "件", "case", "312件"), ("行政检查", 1046, "次", "count", "1,046次"),
                           ("罚没金额", 865000, "元", "amount", "86.5万元")]


def test_html_row_and_column_headers_unit_from_caption():
    _, tables, recs = run(page(
        "<table><caption>表1 行政复议案件被申请人情况（单位：件）</caption>"
        "<thead><tr><th>被申请人</th><th>新收案件</th><th>审结案件</th></tr></thead>"
        "<tbody><tr><td>区公安分局</td><td>42</td><td>39</td></tr>"
        "<tr><td>区市场监管局</td><td>17</td><td>0</td></tr>"
        "<tr><td>合计</td><td>59</td><td>39</td></tr></tbody></table>"))
    t = tables[0]
    assert (t.header_rows, t.header_cols, t.caption) == (1, 1, "表1 行政复议案件被申请人情况（单位：件）")
    assert cells(recs) == [
        ("区公安分局新收案件", 42, "件", "case", "42"), ("区公安分局审结案件", 39, "件", "case", "39"),
        ("区市场监管局新收案件", 17, "件", "case", "17"), ("区市场监管局审结案件", 0, "件", "case", "0"),
        ("合计新收案件", 59, "件", "case", "59"), ("合计审结案件", 39, "件", "case", "39")]
    assert [(r.cell.row, r.cell.col) for r in recs] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)]


def test_html_merged_cells():
    # 行政复议 over two columns, 类别 over two rows; 单位 from the header; a '-' cell is no record
    _, tables, recs = run(page(
        "<table><tr><td rowspan='2'>类别</td><td colspan='2'>行政复议</td><td rowspan='2'>行政诉讼（件）</td></tr>"
        "<tr><td>新收（件）</td><td>纠错（件）</td></tr>"
        "<tr><td>行政处罚</td><td>21</td><td>3</td><td>5</td></tr>"
        "<tr><td>信息公开</td><td>8</td><td>-</td><td>2</td></tr></table>"))
    t = tables[0]
    assert (t.n_rows, t.n_cols, t.header_rows, t.header_cols) == (4, 4, 2, 1)
    assert cells(recs) == [
        ("行政处罚行政复议新收", 21, "件", "case", "21"), ("行政处罚行政复议纠错", 3, "件", "case", "3"),
        ("行政处罚行政诉讼", 5, "件", "case", "5"),
        ("信息公开行政复议新收", 8, "件", "case", "8"), ("信息公开行政诉讼", 2, "件", "case", "2")]


def test_html_layout_table_without_figures_is_text():
    # a page laid out with a table: no data table, the prose inside is extracted as prose
    _, tables, recs = run(page(
        "<table><tr><td>当前栏目：法治政府建设</td></tr>"
        "<tr><td><p>全年共办理信访件87件，办结率100%。</p><p>开展普法宣传活动20余次。</p></td></tr></table>"))
    assert tables == ()
    assert [(r.value, r.unit, r.extractor) for r in recs] == [(87, "件", "rules"), (100, "%", "rules"),
                                                             (20, "次", "rules")]


def test_html_table_inside_a_layout_table():
    _, tables, recs = run(page(
        "<table><tr><td><p>2023年行政执法情况统计如下：</p>"
        "<table><tr><th>执法单位</th><th>行政处罚（件）</th><th>行政强制（件）</th></tr>"
        "<tr><td>区城管执法局</td><td>356</td><td>12</td></tr>"
        "<tr><td>区生态环境分局</td><td>48</td><td>0</td></tr></table>"
        "<p>全区持证执法人员1,205人。</p></td></tr></table>"))
    assert len(tables) == 1 and tables[0].n_rows == 3
    assert cells(recs) == [("区城管执法局行政处罚", 356, "件", "case", "356"),
                           ("区城管执法局行政强制", 12, "件", "case", "12"),
                           ("区生态环境分局行政处罚", 48, "件", "case", "48"),
                           ("区生态环境分局行政强制", 0, "件", "case", "0")]
    assert [(r.value, r.unit) for r in recs if r.extractor == "rules"] == [(1205, "人")]


def test_html_serial_column_and_year_headers_are_not_records():
    _, _, recs = run(page(
        "<table><tr><th>序号</th><th>事项</th><th>2022年</th><th>2023年</th></tr>"
        "<tr><td>1</td><td>法律咨询（次）</td><td>412</td><td>465</td></tr>"
        "<tr><td>2</td><td>人民调解（件）</td><td>98</td><td>120</td></tr>"
        "<tr><td>3</td><td>法律援助（件）</td><td>37</td><td>/</td></tr></table>"))
    assert cells(recs) == [("法律咨询2022年", 412, "次", "count", "412"), ("法律咨询2023年", 465, "次", "count", "465"),
                           ("人民调解2022年", 98, "件", "case", "98"), ("人民调解2023年", 120, "件", "case", "120"),
                           ("法律援助2022年", 37, "件", "case", "37")]


# -- Word ---------------------------------------------------------------------------------------

def test_word_table_with_merged_cells():
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("某某县司法局2023年法治政府建设年度报告")
    d.add_paragraph("全年行政复议案件办理情况见下表。")
    t = d.add_table(rows=4, cols=3)
    t.cell(0, 0).text = "案件类型"
    t.cell(0, 1).text = "收案数（件）"
    t.cell(0, 2).text = "办结率"
    t.cell(1, 0).text = "行政处罚"
    t.cell(1, 1).text = "26"
    t.cell(1, 2).text = "96.2%"
    t.cell(2, 0).text = "行政强制"
    t.cell(2, 1).text = "4"
    t.cell(2, 2).text = "100%"
    merged = t.cell(3, 0).merge(t.cell(3, 1))
    merged.text = "合计30件"
    t.cell(3, 2).text = "96.7%"
    d.add_paragraph("行政机关负责人出庭应诉率达100%。")
    buf = io.BytesIO()
    d.save(buf)
    clean, tables, recs = run(buf.getvalue())
    assert len(tables) == 1 and tables[0].kind == "docx"
    tab = tables[0]
    assert (tab.n_rows, tab.n_cols, tab.header_rows, tab.header_cols) == (4, 3, 1, 1)
    assert "行政处罚 | 26 | 96.2%" in clean
    assert cells(recs) == [("行政处罚收案数", 26, "件", "case", "26"), ("行政处罚办结率", 96.2, "%", "percentage", "96.2%"),
                           ("行政强制收案数", 4, "件", "case", "4"), ("行政强制办结率", 100, "%", "percentage", "100%"),
                           ("合计30件办结率", 96.7, "%", "percentage", "96.7%")]
    assert [(r.value, r.unit) for r in recs if r.extractor == "rules"] == [(100, "%")]


# -- flattened tables in plain text ---------------------------------------------------------------

PIPE = """表一
某某县2023年度行政处罚实施情况统计表
行政处罚实施数量(宗) | |||||
警告 | 罚款 | 没收违法 所得 | 行政 拘留 | 合计(宗) | 罚没金额(万元) |
315 | 2046 | 12 | 0 | 2373 | 486.25 |
说明:
1.行政处罚实施数量的统计范围为统计年度1月1日至12月31日。
"""


def test_pipe_rows():
    recs = extract(PIPE)
    assert cells(recs) == [("警告", 315, "宗", "case", "315"), ("罚款", 2046, "宗", "case", "2046"),
                           ("没收违法所得", 12, "宗", "case", "12"), ("行政拘留", 0, "宗", "case", "0"),
                           ("行政处罚实施数量合计", 2373, "宗", "case", "2373"),
                           ("罚没金额", 4862500, "元", "amount", "486.25")]
    t = recognise(PIPE, RULES)[0]
    assert t.kind == "pipe" and t.caption == "某某县2023年度行政处罚实施情况统计表"
    # the 说明 list below is not a table; its dates give no records
    assert all(r.extractor == "table" for r in recs)


LINES = """（五）复议审理情况

全年共审结复议案件412件。具体情况见下表:

2023年复议案件审结情况(件)

序号

处理方式

数量

比例

1

维持

301

73.1%

2

驳回

64

15.5%

3

终止

47

11.4%

二、行政应诉情况
"""


def test_one_cell_a_line_with_blank_lines():
    recs = extract(LINES)
    assert [(r.value, r.unit, r.extractor) for r in recs if r.extractor == "rules"] == [(412, "件", "rules")]
    assert cells(recs) == [("维持数量", 301, "件", "case", "301"), ("维持比例", 73.1, "%", "percentage", "73.1%"),
                           ("驳回数量", 64, "件", "case", "64"), ("驳回比例", 15.5, "%", "percentage", "15.5%"),
                           ("终止数量", 47, "件", "case", "47"), ("终止比例", 11.4, "%", "percentage", "11.4%")]
    # row numbers (序号) are not records
    assert not [r for r in recs if r.text in ("1", "2", "3")]


def test_one_cell_a_line_after_cleaning_finds_the_same_cells():
    """The clean stage recognises tables before cleaning drops the blank lines, then locates them."""
    clean, tables, recs = run(LINES.encode("utf-8"))
    assert len(tables) == 1 and tables[0].kind == "lines"
    assert cells(recs) == cells(extract(LINES))
    for r in recs:
        assert clean[r.start:r.end] == r.text


LINES_LABELS = """收到和处理政府信息公开申请情况
本年新收政府信息公开申请数量
5
上年结转政府信息公开申请数量
0
予以公开
3
不予公开
1
尚未办结
1
四、政府信息公开行政复议、行政诉讼情况
"""


def test_one_cell_a_line_rows_led_by_labels():
    recs = extract(LINES_LABELS)
    assert cells(recs) == [("本年新收政府信息公开申请数量", 5, None, "count", "5"),
                           ("上年结转政府信息公开申请数量", 0, None, "count", "0"),
                           ("予以公开", 3, None, "count", "3"), ("不予公开", 1, None, "count", "1"),
                           ("尚未办结", 1, None, "count", "1")]


SPACES = """四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计
1 0 0 0 1 0 0 0 0 0
五、存在的主要问题及改进情况
"""


def test_space_divided_rows_unit_from_the_tables_subject():
    recs = extract(SPACES)
    got = cells(recs)
    assert [(v, u, t) for _, v, u, t, _ in got] == [(1, "件", "case")] + [(0, "件", "case")] * 3 + [(1, "件", "case")] \
        + [(0, "件", "case")] * 5
    # the two groups over five columns each: whole words on each line, so the header rows are a tree
    assert [s for s, *_ in got][:5] == ["行政复议结果维持", "行政复议结果纠正", "行政复议其他结果", "行政复议尚未审结",
                                        "行政复议总计"]
    assert got[5][0] == "行政诉讼结果维持"
    assert [r.cell.col for r in recs] == list(range(10))


TABS = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n行政规范性文件\t3\t1\t12\n"


def test_tab_divided_rows_and_unit_from_header_word():
    recs = extract(TABS)
    assert cells(recs)[-3:] == [("行政规范性文件本年制发件数", 3, "件", "count", "3"),
                                ("行政规范性文件本年废止件数", 1, "件", "count", "1"),
                                ("行政规范性文件现行有效件数", 12, "件", "count", "12")]
    assert len(cells(recs)) == 6


def test_pipe_rows_with_nested_row_labels_align_right():
    text = ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 ||\n"
            "自然人 | 法人或其他组织 | 总计 |\n"
            "一、本年新收政府信息公开申请数量 | 7 | 1 | 8 |\n"
            "三、本年度办理结果 | （一）予以公开 | 4 | 0 | 4 |\n"
            "（二）不予公开 | 1.属于国家秘密 | 0 | 0 | 0 |\n"
            "2.其他法律行政法规禁止公开 | 1 | 0 | 1 |\n")
    got = cells(extract(text))
    assert [(v, u) for _, v, u, _, _ in got] == [(7, None), (1, None), (8, None), (4, None), (0, None), (4, None),
                                                 (0, None), (0, None), (0, None), (1, None), (0, None), (1, None)]
    subjects = [s for s, *_ in got]
    assert subjects[0] == "本年新收政府信息公开申请数量自然人"
    assert subjects[2] == "本年新收政府信息公开申请数量总计"
    assert subjects[9].startswith("不予公开其他法律行政法规禁止公开")


def test_a_last_row_cut_by_the_end_of_the_text_aligns_left():
    text = "受理 | 办结 | 在办 | 总计 |\n12 | 10 | 2 | 12 |\n9 | 9"
    got = cells(extract(text))
    assert [(s, v) for s, v, *_ in got][-2:] == [("受理", 9), ("办结", 9)]


def test_prose_lines_are_never_a_table():
    text = ("一、全年共收到行政复议申请62件，依法受理55件。\n"
            "二、行政应诉案件23件，败诉2件，败诉率8.7%。\n"
            "三、开展执法检查12次。\n")
    assert recognise(text, RULES) == []
    assert [r.extractor for r in extract(text)] == ["rules"] * 6


def test_a_list_of_short_lines_without_figures_is_not_a_table():
    text = "目 录\n第一部分 数据表\n一、行政处罚实施情况统计表\n二、行政许可实施情况统计表\n表一\n"
    assert recognise(text, RULES) == []


# -- the extractor on a table given by hand -------------------------------------------------------

def test_table_records_from_a_hand_built_table():
    text = "事项 | 数量（件）\n信访件 | 87\n合计 | 87"
    t = Table(cells=(TableCell(0, 0, "事项", header=True), TableCell(0, 1, "数量（件）", header=True),
                     TableCell(1, 0, "信访件"), TableCell(1, 1, "87"), TableCell(2, 0, "合计"), TableCell(2, 1, "87")),
              n_rows=3, n_cols=2, header_rows=1, header_cols=1)
    (located,) = locate([t], text)
    recs = table_records(located, 1, text, RULES)
    assert [(r.subject, r.value, r.unit, r.start, r.cell.row) for r in recs] == [
        ("信访件数量", 87, "件", text.index("87"), 1), ("合计数量", 87, "件", text.rindex("87"), 2)]
    assert Table.from_dict(located.to_dict()) == located


def test_a_row_of_units_under_the_headers():
    text = ("行政许可 | 行政处罚 | 罚没金额 |\n"
            "单位：件 | 件 | 万元 |\n"
            "1,203 | 356 | 48.6 |\n")
    assert cells(extract(text)) == [("行政许可", 1203, "件", "case", "1,203"), ("行政处罚", 356, "件", "case", "356"),
                                    ("罚没金额", 486000, "元", "amount", "48.6")]


def test_name_and_figure_pairs_in_one_row():
    text = ("行政复议案件被申请人情况\n"
            "被申请人 | 件数 | 被申请人 | 件数 |\n"
            "区公安分局 | 42 | 区教育局 | 17 |\n"
            "区人社局 | 9 | 区卫健委 | 0 |\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("区公安分局件数", 42, "件"), ("区教育局件数", 17, "件"), ("区人社局件数", 9, "件"),
                   ("区卫健委件数", 0, "件")]


# the tables of a 政府信息公开工作年度报告 (the national template), exported with `|` between cells
DISCLOSURE = """二、主动公开政府信息情况
第二十条第（一）项
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |
规章 | 0 | 0 | 0 |
行政规范性文件 | 2 | 0 | 5 |
第二十条第（五）项
信息内容 | 本年处理决定数量 |
行政许可 | 1472 |
第二十条第（八）项
信息内容 | 本年收费金额（单位：万元） |
行政事业性收费 | 3.5 |
三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |
| 自然人 | 法人或其他组织 | | | | | 总计 |
| | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |
一、本年新收政府信息公开申请数量 | 6 | 1 | 0 | 0 | 0 | 0 | 7 |
三、本年度办理结果 | （一）予以公开 | 4 | 1 | 0 | 0 | 0 | 0 | 5 |
（三）不予公开 | 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
2.其他法律行政法规禁止公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼 |
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |
结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |
1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
五、存在的主要问题及改进情况
"""


def test_the_disclosure_report_tables():
    recs = [r for r in extract(DISCLOSURE) if r.extractor == "table"]
    by_table = {}
    for r in recs:
        by_table.setdefault(r.cell.table, []).append((r.subject, r.value, r.unit, r.type))
    assert len(by_table) == 5
    assert by_table[1][3:] == [("行政规范性文件本年制发件数", 2, "件", "count"), ("行政规范性文件本年废止件数", 0, "件", "count"),
                               ("行政规范性文件现行有效件数", 5, "件", "count")]
    assert by_table[2] == [("行政许可本年处理决定数量", 1472, None, "count")]   # no unit given: none made up
    assert by_table[3] == [("行政事业性收费本年收费金额", 35000, "元", "amount")]
    applications = by_table[4]
    # a long group (法人或其他组织) is left out of the subject: the leaf under it says enough
    assert [s for s, *_ in applications[:7]] == [
        "本年新收政府信息公开申请数量自然人", "本年新收政府信息公开申请数量商业企业",
        "本年新收政府信息公开申请数量科研机构", "本年新收政府信息公开申请数量社会公益组织",
        "本年新收政府信息公开申请数量法律服务机构", "本年新收政府信息公开申请数量其他",
        "本年新收政府信息公开申请数量总计"]
    assert {u for _, _, u, _ in applications} == {None}
    assert applications[-1][0] == "不予公开其他法律行政法规禁止公开总计"
    reviews = by_table[5]
    assert [s for s, *_ in reviews] == (
        ["行政复议结果维持", "行政复议结果纠正", "行政复议其他结果", "行政复议尚未审结", "行政复议总计"]
        + [f"行政诉讼{g}{leaf}" for g in ("未经复议直接起诉", "复议后起诉")
           for leaf in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")])
    assert {(u, t) for _, _, u, t in reviews} == {("件", "case")}
    assert [v for _, v, _, _ in reviews][:5] == [1, 0, 0, 0, 1]


def _flatten(text: str, joiner: str) -> str:
    """The pipe-divided report as another export would write it: one cell a line, or cells divided by spaces."""
    out = []
    for ln in text.split("\n"):
        cells = [c.strip() for c in ln.strip().strip("|").split("|") if c.strip()] if "|" in ln else [ln]
        out += cells if joiner == "\n" else [" ".join(cells)]
    return "\n".join(out)


@pytest.mark.parametrize("form", ["lines", "blank lines", "spaces"])
def test_the_disclosure_report_tables_in_every_flattened_form(form):
    text = {"lines": _flatten(DISCLOSURE, "\n"), "blank lines": _flatten(DISCLOSURE, "\n").replace("\n", "\n\n"),
            "spaces": _flatten(DISCLOSURE, " ")}[form]
    want = [(r.value, r.unit, r.type) for r in extract(DISCLOSURE) if r.extractor == "table"]
    got = [(r.value, r.unit, r.type) for r in extract(text) if r.extractor == "table"]
    assert got == want
    assert len(recognise(text, RULES)) == 5
    # the headings between the tables give no records and are not cells of a table
    assert not [r for r in extract(text) if r.extractor == "rules"]


def test_a_cell_without_unit_takes_the_one_its_row_writes():
    # a transposed table: categories across, measures down; 0 written bare among 件 and % cells
    text = ("2023年行政复议申请涉及事项情况\n"
            "申请事项 | 举报投诉处理 | 政府信息公开 | 行政处罚 | 行政补偿 | 行政强制 |\n"
            "数量 | 75件 | 16件 | 40件 | 0 | 0件 |\n"
            "占新受理数比例 | 57.25% | 12.21% | 30.53% | 0 | 0 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[3] == ("数量行政补偿", 0, "件", "case") and got[8] == ("占新受理数比例行政补偿", 0, "%", "percentage")
    # the row says %, four cells to one: the 件 above does not win
    assert got[9] == ("占新受理数比例行政强制", 0, "%", "percentage")
    # matters about 政府信息公开 in a table of 行政复议 are cases
    assert got[0] == ("数量举报投诉处理", 75, "件", "case") and got[1] == ("数量政府信息公开", 16, "件", "case")


def test_one_cell_a_line_with_a_bar_after_each_cell_and_a_bar_line_after_each_row():
    text = ("表一：某某县文化市场综合执法大队行政处罚实施情况统计表\n|\n行政处罚实施数量(宗) |\n||||||\n|\n"
            "警告 |\n罚款 |\n行政拘留 |\n合计(宗) |\n罚没金额 (元) |\n|\n3 |\n17 |\n0 |\n20 |\n56000 |\n说明:\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("警告", 3, "宗"), ("罚款", 17, "宗"), ("行政拘留", 0, "宗"), ("行政处罚实施数量合计", 20, "宗"),
                   ("罚没金额", 56000, "元")]


def test_a_table_in_traditional_characters():
    text = "行政處罰實施數量(宗) | ||\n警告 | 罰款 | 罰沒金額(萬元) |\n2 | 15 | 3.2 |\n"
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("警告", 2, "宗"), ("罰款", 15, "宗"), ("罰沒金額", 32000, "元")]


def test_a_header_row_repeated_inside_a_table_and_a_total_row():
    text = ("表3:各区受理行政复议案件情况\n"
            "区 | 数量 | 区 | 数量 |\n"
            "东城区 | 312 | 西城区 | 298 |\n"
            "区 | 数量 | 区 | 数量 |\n"
            "南湖区 | 87 | 北山区 | 45 |\n"
            "总计 | 742 | ||\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("东城区数量", 312, "件"), ("西城区数量", 298, "件"), ("南湖区数量", 87, "件"), ("北山区数量", 45, "件"),
                   ("总计数量", 742, "件")]
    t = recognise(text, RULES)[0]
    assert (t.n_cols, t.header_cols) == (4, 1)


def test_space_rows_under_a_header_written_one_character_a_line():
    text = "审\n计\n项\n目\n财政审计 12 3\n经济责任审计 5 0\n"
    t = recognise(text, RULES)[0]
    assert t.header_rows == 0 and [c.text for c in t.cells if c.col == 0] == ["财政审计", "经济责任审计"]


def test_a_pdf_table_drawn_in_aligned_columns():
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 10)
    c.drawString(40, 800, "全年共完成审计项目15个。")
    rows = [["执法类别", "数量（件）", "罚没金额（万元）"], ["行政处罚", "6", "12.5"], ["行政检查", "48", "0"]]
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            c.drawString(40 + j * 150, 770 - i * 20, cell)
    c.drawString(40, 700, "二、存在的问题")
    c.drawString(290, 60, "3")   # the page number
    c.showPage()
    c.save()
    clean, tables, recs = run(buf.getvalue())
    # the bare figures inside the page are cells, not page numbers; the one at the foot is
    assert "\n48\n" in clean and not clean.endswith("3")
    assert cells(recs) == [("行政处罚数量", 6, "件", "case", "6"), ("行政处罚罚没金额", 125000, "元", "amount", "12.5"),
                           ("行政检查数量", 48, "件", "case", "48"), ("行政检查罚没金额", 0, "元", "amount", "0")]


# -- header rows that lost their spans, stacked tables, headers written downwards ----------------------

def _padded(cells: list[str], width: int) -> str:
    """A row as a page's export writes it: the cells with text, then one bar for each cell that a span
    covered (the row is always as wide as the table)."""
    return " | ".join(cells) + " | " + "|" * (width - len(cells))


def test_three_levels_of_headers_that_lost_their_spans():
    # a county bureau's enforcement table: 单位名称 spans the three header rows, 行政处罚实施情况 and
    # 被复议应诉数量 are groups, 行政处罚案件数量 groups the kinds of penalty under it
    w = 12
    text = "\n".join([
        "（二）2022年度行政处罚情况",
        _padded(["单位名称", "行政处罚实施情况", "被复议应诉数量", "移送司法机关数量"], w),
        _padded(["立案数量", "结案数量", "行政处罚案件数量", "罚没金额（万元）", "被行政复议数量", "被行政诉讼数量"], w),
        _padded(["警告", "罚款", "没收违法所得", "责令停产停业", "其他行政处罚"], w),
        "某某县市场监督管理局 | 36 | 35 | 4 | 28 | 2 | 1 | 0 | 12.65 | 1 | 0 | 2 |",
        "合计 | 36 | 35 | 4 | 28 | 2 | 1 | 0 | 12.65 | 1 | 0 | 2 |",
        "填表说明：统计范围为2022年1月1日至12月31日。",
    ])
    recs = [r for r in extract(text) if r.extractor == "table"]
    first = [r for r in recs if r.subject.startswith("某某县")]
    leaves = ["立案数量", "结案数量", "警告", "罚款", "没收违法所得", "责令停产停业", "其他行政处罚", "罚没金额",
              "被行政复议数量", "被行政诉讼数量", "移送司法机关数量"]
    # each figure under its own leaf; the groups over the leaves (行政处罚案件数量) are headings, not names
    assert [r.subject for r in first] == ["某某县市场监督管理局" + leaf for leaf in leaves]
    t = recognise(text, RULES)[0]
    over_warning = [c.text for c in t.cells if c.header and c.col <= first[2].cell.col < c.col + c.colspan]
    assert over_warning == ["行政处罚实施情况", "行政处罚案件数量", "警告"]
    # the 万元 column is the one holding 12.65; the table counts 案件, so its bare counts are cases in 件
    assert [(r.value, r.unit, r.type) for r in first] == (
        [(36, "件", "case"), (35, "件", "case"), (4, "件", "case"), (28, "件", "case"), (2, "件", "case"),
         (1, "件", "case"), (0, "件", "case"), (126500, "元", "amount"), (1, "件", "case"), (0, "件", "case"),
         (2, "件", "case")])
    assert len(recs) == 22 and recs[11].subject.startswith("合计")


def test_two_header_groups_written_without_the_cells_their_spans_covered():
    # 行政许可实施数量 groups four columns, 撤销许可数量 spans both header rows; nothing marks which
    w = 6
    text = "\n".join([
        "（一）2022年度行政许可情况",
        _padded(["单位名称", "行政许可实施数量", "撤销许可数量"], w),
        _padded(["申请数量", "受理数量", "许可数量", "不予许可数量"], w),
        "某某县自然资源局 | 58 | 58 | 55 | 3 | 0 |",
    ])
    got = [(r.subject, r.value, r.unit) for r in extract(text) if r.extractor == "table"]
    assert got == [("某某县自然资源局申请数量", 58, None), ("某某县自然资源局受理数量", 58, None),
                   ("某某县自然资源局许可数量", 55, None), ("某某县自然资源局不予许可数量", 3, None),
                   ("某某县自然资源局撤销许可数量", 0, None)]
    t = recognise(text, RULES)[0]
    assert [(c.text, c.col, c.colspan) for c in t.cells if c.row == 0] == [
        ("单位名称", 0, 1), ("行政许可实施数量", 1, 4), ("撤销许可数量", 5, 1)]


DISCLOSURE_STACKED = [
    ["第二十条第（一）项"],
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "0", "0", "1"],
    ["行政规范性文件", "3", "1", "12"],
    ["第二十条第（五）项"],
    ["信息内容", "本年处理决定数量"],
    ["行政许可", "215"],
    ["第二十条第（八）项"],
    ["信息内容", "本年收费金额（单位：万元）"],
    ["行政事业性收费", "4.2"],
]
DISCLOSURE_INTRO = ("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议"
                    "和行政诉讼情况、存在的主要问题及改进情况组成。\n二、主动公开政府信息情况\n")


def test_disclosure_tables_stacked_in_one_block_of_padded_rows():
    text = DISCLOSURE_INTRO + "\n".join(_padded(r, 4) for r in DISCLOSURE_STACKED) + "\n三、收到和处理政府信息公开申请情况\n"
    tables = recognise(text, RULES)
    assert [t.caption for t in tables] == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（八）项"]
    got = [(r.subject, r.value, r.unit, r.type) for r in extract(text) if r.extractor == "table"]
    # documents counted in 件 are counts; the paragraph above naming 行政复议 does not make them cases
    assert got == [("规章本年制发件数", 0, "件", "count"), ("规章本年废止件数", 0, "件", "count"),
                   ("规章现行有效件数", 1, "件", "count"), ("行政规范性文件本年制发件数", 3, "件", "count"),
                   ("行政规范性文件本年废止件数", 1, "件", "count"), ("行政规范性文件现行有效件数", 12, "件", "count"),
                   ("行政许可本年处理决定数量", 215, None, "count"), ("行政事业性收费本年收费金额", 42000, "元", "amount")]


def test_disclosure_tables_one_cell_a_line_with_bar_lines_for_the_spans():
    # the same export with a line break after every cell: a line of bars ends a row that spans shortened
    lines = []
    for r in DISCLOSURE_STACKED:
        lines += [f"{c} |" for c in r]
        if len(r) < 4:
            lines.append("|" * (4 - len(r)))
    text = DISCLOSURE_INTRO + "\n".join(lines) + "\n三、收到和处理政府信息公开申请情况\n"
    want = [(r.subject, r.value, r.unit, r.type) for r in extract(
        DISCLOSURE_INTRO + "\n".join(_padded(r, 4) for r in DISCLOSURE_STACKED)) if r.extractor == "table"]
    got = [(r.subject, r.value, r.unit, r.type) for r in extract(text) if r.extractor == "table"]
    assert got == want and len(got) == 8


def test_one_cell_a_line_with_empty_cells_as_lone_bars():
    # the application table: only 总计 filled in; each empty cell is a line with one bar
    text = "\n".join([
        "三、收到和处理政府信息公开申请情况",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |", "申请人情况 |", "|" * 6,
        "自然人 |", "法人或其他组织 |", "总计 |", "|" * 5,
        "商业企业 |", "科研机构 |", "社会公益组织 |", "法律服务机构 |", "其他 |", "|" * 3,
        "一、本年新收政府信息公开申请数量 |", *["|"] * 6, "4 |", "|",
        "二、上年结转政府信息公开申请数量 |", *["|"] * 6, "0 |", "|",
        "四、政府信息公开行政复议、行政诉讼情况",
    ])
    got = [(r.subject, r.value, r.unit) for r in extract(text) if r.extractor == "table"]
    assert got == [("本年新收政府信息公开申请数量总计", 4, None), ("上年结转政府信息公开申请数量总计", 0, None)]


def test_a_question_mark_left_for_a_lost_character_before_a_figure():
    # an export wrote a character it could not encode as ?: ``? 0 |`` is the cell 0, not a sentence
    text = ("第二十条第（一）项 | |||\n信息内容 |\n本年制发件数 |\n本年废止件数 |\n现行有效件数 |\n"
            "规章 |\n0 |\n? 0 |\n2 |\n行政规范性文件 |\n3 |\n？1 |\n14 |\n")
    got = [(s, v, t) for s, v, _, _, t in cells(extract(text))]
    assert got == [("规章本年制发件数", 0, "0"), ("规章本年废止件数", 0, "0"), ("规章现行有效件数", 2, "2"),
                   ("行政规范性文件本年制发件数", 3, "3"), ("行政规范性文件本年废止件数", 1, "1"),
                   ("行政规范性文件现行有效件数", 14, "14")]



def test_a_footnote_mark_after_a_figure_is_no_part_of_it():
    text = "信息内容 | 本年制发件数 | 现行有效件数 |\n规范性文件 | 4 | 27① |\n其他文件 | 2* | 9 |\n注：①含部门文件。\n"
    got = [(s, v, t) for s, v, _, _, t in cells(extract(text))]
    assert got == [("规范性文件本年制发件数", 4, "4"), ("规范性文件现行有效件数", 27, "27"),
                   ("其他文件本年制发件数", 2, "2"), ("其他文件现行有效件数", 9, "9")]

def test_a_text_cut_off_after_the_last_figure_of_a_barred_table():
    # an excerpt ends inside the table: the last figure lost its bar with the rest of the page
    lines = ["行政处罚 |", "12 |", "行政强制 |", "3 |", "行政许可 |", "40"]
    got = [(s, v) for s, v, *_ in cells(extract("信息内容 |\n本年处理决定数量 |\n" + "\n".join(lines)))]
    assert got[-1] == ("行政许可本年处理决定数量", 40) and len(got) == 3
    # a heading after the table is no cell of it, cut off or not
    text = "信息内容 |\n本年处理决定数量 |\n" + "\n".join(lines[:4]) + "\n三、收到和处理政府信息公开申请情况"
    assert [v for _, v, *_ in cells(extract(text))] == [12, 3]


def test_a_table_without_units_takes_the_one_the_text_writes_its_figures_in():
    # no header row, no unit anywhere in the table: the text around it gives 1260 and 385 in 件
    text = ("全年审查各类合同1645件，其中采购合同1260件，租赁合同385件。\n各季度审查情况表\n"
            "一季度\n\n402\n\n95\n\n二季度\n\n318\n\n101\n\n合计\n\n1260\n\n385\n")
    got = {(s, v, u, ty) for s, v, u, ty, _ in cells(extract(text))}
    assert ("一季度", 402, "件", "case") in got and ("合计", 385, "件", "case") in got and len(got) == 6
    # one figure echoed is a coincidence, not a unit
    once = text.replace("租赁合同385件", "租赁合同若干")
    assert {u for _, _, u, *_ in cells(extract(once))} == {None}
    # two units echoed: each column takes its own
    mixed = {(s, u) for s, _, u, *_ in cells(extract(text.replace("租赁合同385件", "服务企业385家")))}
    assert mixed == {("一季度", "件"), ("一季度", "家"), ("二季度", "件"), ("二季度", "家"), ("合计", "件"), ("合计", "家")}
    # a column of money takes no other column's unit
    text = ("全年审查合同1260件，其中采购合同385件。\n类别 | 合同数 | 合同经费 |\n采购合同 | 385 | 52.5 |\n"
            "租赁合同 | 875 | 3.2 |\n合计 | 1260 | 55.7 |\n")
    assert {(s, u) for s, _, u, *_ in cells(extract(text))} == {
        ("采购合同合同数", "件"), ("租赁合同合同数", "件"), ("合计合同数", "件"),
        ("采购合同合同经费", None), ("租赁合同合同经费", None), ("合计合同经费", None)}



def test_the_text_may_write_an_echoed_figure_in_tens_of_thousands():
    text = ("全年审查各类合同2.56万件，其中采购合同1.52万件，租赁合同1.04万件。\n"
            "类别 | 上半年 | 下半年 | 全年 |\n采购合同 | 7000 | 8200 | 15200 |\n租赁合同 | 5100 | 5300 | 10400 |\n")
    got = {(s, v, u) for s, v, u, *_ in cells(extract(text))}
    assert ("采购合同全年", 15200, "件") in got and ("租赁合同上半年", 5100, "件") in got and len(got) == 6



def test_one_small_figure_echoed_right_after_its_label_names_the_unit():
    # 行政处罚6项 in the text, the cell 6 in the row of 行政处罚: the table counts in 项
    text = ("本年主动公开行政处罚6项，行政强制2项。\n第二十条第（六）项\n信息内容 | 上一年项目数量 | 本年增/减 |\n"
            "行政处罚 | 6 | 0 |\n行政强制 | 2 | 1 |\n")
    assert {u for _, _, u, *_ in cells(extract(text))} == {"项"}
    # a word between the label and the figure (行政处罚事项6条): another count, no unit for the cell
    other = text.replace("行政处罚6项，行政强制2项", "行政处罚事项6条，行政强制事项2条")
    assert {u for _, _, u, *_ in cells(extract(other))} == {None}


def test_a_column_of_money_in_a_table_of_cases_is_not_counted_in_cases():
    text = "单位 | 案件数 | 罚没款 |\n市场监管局 | 42 | 12.6 |\n城管局 | 17 | 3.5 |\n"
    got = [(s, u, ty) for s, _, u, ty, _ in cells(extract(text))]
    assert got == [("市场监管局案件数", "件", "case"), ("市场监管局罚没款", None, "count"),
                   ("城管局案件数", "件", "case"), ("城管局罚没款", None, "count")]

def test_a_count_in_tens_of_thousands_in_a_header_or_a_cell():
    text = "地区 | 接待群众(万人次) | 受理咨询 |\n东城 | 1.2 | 3.5万件 |\n西城 | 0.8 | 2万件 |\n"
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("东城接待群众", 12000, "人次"), ("东城受理咨询", 35000, "件"),
                   ("西城接待群众", 8000, "人次"), ("西城受理咨询", 20000, "件")]


def test_a_row_label_spaced_out_names_the_matters_the_text_counts():
    # 投  诉 written to the cell's width is 投诉: the report counts its complaints in 件
    text = ("今年以来，中心坚持接诉即办，畅通线上线下各类渠道，全面提升办理质效，群众满意度持续提高，"
            "共受理投诉218件，同比有所上升。\n受理情况表\n投  诉\n\n120\n\n98\n\n举  报\n\n40\n\n37\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("投诉", 120, "件"), ("投诉", 98, "件"), ("举报", 40, "件"), ("举报", 37, "件")]

def test_a_header_group_over_subgroups_with_no_blank_cells_where_spans_were():
    text = "\n".join([
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 |",
        "自然人 | 法人或其他组织 | 总计 |",
        "商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |",
        "一、本年新收政府信息公开申请数量 | 12 | 3 | 0 | 0 | 1 | 0 | 16 |",
        "三、本年度办理结果 | （一）予以公开 | 5 | 2 | 0 | 0 | 0 | 0 | 7 |",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形） | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
    ])
    got = [r.subject for r in extract(text) if r.extractor == "table"]
    assert got[:7] == ["本年新收政府信息公开申请数量" + leaf for leaf in (
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")]
    t = recognise(text, RULES)[0]
    assert [(c.text, c.col, c.colspan) for c in t.cells if c.row == 1] == [
        ("自然人", 2, 1), ("法人或其他组织", 3, 5), ("总计", 8, 1)]
    # a note in brackets is not part of the subject
    assert got[14] == "本年度办理结果部分公开自然人" and got[-1] == "本年度办理结果部分公开总计"


def test_space_rows_under_headers_written_downwards_side_by_side():
    # a PDF page: the leaf headers stand one character a line, two groups of columns at different heights
    text = "\n".join([
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议 行政诉讼",
        "未经复议直接起诉 复议后起诉",
        "结 结 其 尚",
        "结 结 其 尚 结 结 其 尚",
        "果 果 他 未",
        "总计 果 果 他 未 总 果 果 他 未 总",
        "维 纠 结 审",
        "维 纠 结 审 计 维 纠 结 审 计",
        "持 正 果 结",
        "持 正 果 结 持 正 果 结",
        "2 1 0 0 3 1 0 0 0 1 0 0 0 0 0",
        "五、存在的主要问题及改进情况",
    ])
    recs = [r for r in extract(text) if r.extractor == "table"]
    assert [(r.value, r.unit, r.type) for r in recs][:5] == [(2, "件", "case"), (1, "件", "case"), (0, "件", "case"),
                                                             (0, "件", "case"), (3, "件", "case")]
    assert len(recs) == 15 and {r.unit for r in recs} == {"件"}
    # the characters name no column; the groups above them do
    assert [r.subject for r in recs[::5]] == ["行政复议", "行政诉讼未经复议直接起诉", "行政诉讼复议后起诉"]
    assert not any(len(r.subject) < 4 for r in recs)


def test_row_labels_span_the_rows_their_numbering_puts_under_them():
    text = "\n".join([
        "信息内容 | 自然人 | 法人或其他组织 | 总计 |",
        "三、本年度办理结果 | （一）予以公开 | 3 | 1 | 4 |",
        "（二）部分公开 | 2 | 0 | 2 |",
        "（三）不予公开 | 1.属于国家秘密 | 0 | 0 | 0 |",
        "2.属于三类内部事务信息 | 1 | 0 | 1 |",
        "（四）总计 | 6 | 1 | 7 |",
        "四、结转下年度继续办理 | 0 | 1 | 1 |",
    ])
    got = [r.subject for r in extract(text) if r.extractor == "table"][::3]
    assert got == ["本年度办理结果予以公开自然人", "本年度办理结果部分公开自然人", "不予公开属于国家秘密自然人",
                   "不予公开属于三类内部事务信息自然人", "总计自然人", "结转下年度继续办理自然人"]


def test_two_header_rows_with_the_corner_left_empty():
    # the cell over the row labels is empty, so the first header is a group, not the corner
    text = "\n".join([
        "行政复议、行政诉讼案件被申请人情况",
        "| 行政复议 | 行政诉讼 |",
        "| 新收 | 审结 | 新收 | 审结 |",
        "区公安分局 | 3 | 2 | 1 | 0 |",
        "区教育局 | 1 | 1 | 0 | 0 |",
    ])
    got = [(r.subject, r.value, r.unit) for r in extract(text) if r.extractor == "table"]
    assert got[:4] == [("区公安分局行政复议新收", 3, "件"), ("区公安分局行政复议审结", 2, "件"),
                       ("区公安分局行政诉讼新收", 1, "件"), ("区公安分局行政诉讼审结", 0, "件")]


def test_a_total_column_takes_the_title_that_reads_as_one():
    # one cell a line under the page's own lines: the total is 行政处罚实施数量合计, not the page's lines
    text = "\n\n".join(["某某区公安分局2022年度行政执法统计年报", "发布单位: 某某区公安分局", "目 录",
                        "行政处罚实施数量(宗)", "警告", "罚款", "合计(宗)", "罚没金额(万元)", "3", "12", "15", "2.5",
                        "说明:", "1.行政处罚实施数量的统计范围为统计年度1月1日至12月31日期间作出行政处罚决定的数量。"])
    got = [(r.subject, r.value, r.unit) for r in extract(text) if r.extractor == "table"]
    assert got == [("警告", 3, "宗"), ("罚款", 12, "宗"), ("行政处罚实施数量合计", 15, "宗"), ("罚没金额", 25000, "元")]


def test_space_divided_header_lines_of_whole_words_are_a_tree():
    # a PDF page: the header rows keep whole words, but where the spans were is lost
    text = "\n".join([
        "（一）2022年度行政许可情况",
        "单位名称 行政许可实施数量 撤销许可数量",
        "申请数量 受理数量 许可数量 不予许可数量",
        "某某县自然资源局 58 58 55 3 0",
        "合计 58 58 55 3 0",
    ])
    got = [(r.subject, r.value) for r in extract(text) if r.extractor == "table"][:5]
    assert got == [("某某县自然资源局申请数量", 58), ("某某县自然资源局受理数量", 58), ("某某县自然资源局许可数量", 55),
                   ("某某县自然资源局不予许可数量", 3), ("某某县自然资源局撤销许可数量", 0)]


# -- units per column, units from the report's text, shapes of real exports -----------------------

def _lines(*cells: str, bar: bool = True) -> str:
    return "\n".join(c if c == "|" or not bar else f"{c} |" for c in cells) + "\n"


def test_a_column_of_percentages_does_not_make_the_counts_beside_it_percentages():
    text = ("表一：2023年度行政复议案件受理情况统计表\n"
            "单位 | 2022受理量 | 2023受理量 | 占比 | 同比 |\n"
            "公安局 | 12 | 18 | 45.0% | 50.0% |\n"
            "市场监管局 | 9 | 6 | 15.0% | -33.3% |\n"
            "合计 | 30 | 40 | 100.0% | 33.3% |\n")
    got = {(s, v): (u, t) for s, v, u, t, _ in cells(extract(text))}
    # the counts are cases of 行政复议 in 件; the 占比 and 同比 columns keep their % to themselves
    assert got[("公安局2022受理量", 12)] == ("件", "case") and got[("合计2023受理量", 40)] == ("件", "case")
    assert got[("公安局占比", 45)] == ("%", "percentage") and got[("市场监管局同比", -33.3)] == ("%", "percentage")


def test_months_under_a_period_header_are_row_labels():
    text = ("各街道办理的物业工单数量如下:\n"
            "| 月份 |\n东城街道 |\n西城街道 |\n"
            "| 3 |\n41 |\n27 |\n"
            "| 4 |\n38 |\n30 |\n")
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got == [("3东城街道", 41), ("3西城街道", 27), ("4东城街道", 38), ("4西城街道", 30)]


def test_a_table_without_unit_takes_the_one_the_report_counts_its_subject_in():
    text = ("本月热线受理群众诉求5230件,同比下降3.1%。\n"
            "诉求类型 | 数量 | 占比 |\n"
            "咨询 | 3120 | 59.66% |\n"
            "投诉 | 2110 | 40.34% |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[0] == ("咨询数量", 3120, "件", "case") and got[1] == ("咨询占比", 59.66, "%", "percentage")
    # 申请 counted in 条 by the report: the applications' table is in 条 too
    text = ("全年共受理依申请公开信息37条。\n"
            "申请情况 | 自然人 | 总计 |\n"
            "本年新收政府信息公开申请数量 | 37 | 37 |\n"
            "上年结转政府信息公开申请数量 | 2 | 2 |\n")
    assert {(u, t) for _, _, u, t, _ in cells(extract(text))} == {("条", "count")}
    # a table whose subject the text counts in no unit stays a count without one
    text = "全年共受理依申请公开信息若干。\n申请情况 | 自然人 | 总计 |\n本年新收政府信息公开申请数量 | 37 | 37 |\n"
    assert {(u, t) for _, _, u, t, _ in cells(extract(text))} == {(None, "count")}


def test_a_unit_line_naming_a_unit_for_each_kind_of_column():
    text = ("表1 某某市消费投诉举报统计表\n" + _lines("单位:件、万元", "月份", "热线转办", "平台受理", "挽回经济损失",
                                                "1月", "812", "233", "21.5", "2月", "1906", "250", "17.04"))
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[:3] == [("1月热线转办", 812, "件", "case"), ("1月平台受理", 233, "件", "case"),
                       ("1月挽回经济损失", 215000, "元", "amount")]
    # 1906 in the first column of counts is a count, not a year
    assert got[3] == ("2月热线转办", 1906, "件", "case")


def test_lone_bars_after_the_rows_a_spanning_cell_covers():
    # 商品类 spans three rows: the export writes a lone bar after each row it covers in part
    text = ("表2 投诉商品和服务类统计表\n"
            + _lines("大类", "类别", "受理量(件)", "占比", "商品类", "食品", "312", "40.2%", "服装", "120", "15.5%", "|",
                     "家电", "98", "12.6", "|", "服务类", "餐饮", "150", "19.3%", "美容", "96", "12.4%", "|"))
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert len(got) == 10
    assert got[2] == ("商品类服装受理量", 120, "件", "case") and got[5] == ("商品类家电占比", 12.6, "%", "percentage")
    assert got[8] == ("服务类美容受理量", 96, "件", "case")
    t = recognise(text, RULES)[0]
    assert (t.n_cols, t.header_cols) == (4, 2)


def test_parallel_groups_whose_spans_went_to_the_end_of_their_row():
    # the export writes the empty corner as a bar alone, then the two groups, then the cells their spans
    # covered as one line of bars; the same two headers stand under each group
    text = ("2024年，全区共受理群众来信来访71件。\n表3 各街道信访办理情况\n|\n来信 |\n来访 |\n||\n"
            + _lines("件数", "同比增长(±%)", "件数", "同比增长(±%)", "|", "甲街道", "12", "-7.7", "30", "15.4",
                     "乙街道", "8", "14.3", "21", "-4.5", "合计", "20", "0", "51", "6.3"))
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert len(got) == 12
    assert got[:4] == [("甲街道来信件数", 12, "件", "case"), ("甲街道来信同比增长", -7.7, "%", "percentage"),
                       ("甲街道来访件数", 30, "件", "case"), ("甲街道来访同比增长", 15.4, "%", "percentage")]
    assert got[-1] == ("合计来访同比增长", 6.3, "%", "percentage")
    t = recognise(text, RULES)[0]
    assert (t.n_cols, t.header_rows, t.header_cols) == (5, 2, 1)
    assert [(c.text, c.col, c.colspan) for c in t.cells if c.row == 0] == [("来信", 1, 2), ("来访", 3, 2)]


def test_a_row_numbering_the_columns_is_no_row_of_figures():
    # a statistical form numbers its columns under the header (甲 | 乙 | 1 | 2 | 3)
    text = ("表1 行政复议工作统计表\n指标名称 | 计量单位 | 本年 | 上年 | 增减(%) |\n甲 | 乙 | 1 | 2 | 3 |\n"
            "受理行政复议案件 | 件 | 86 | 74 | 16.2 |\n审结行政复议案件 | 件 | 80 | 71 | 12.7 |\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("受理行政复议案件本年", 86, "件"), ("受理行政复议案件上年", 74, "件"), ("受理行政复议案件增减", 16.2, "%"),
                   ("审结行政复议案件本年", 80, "件"), ("审结行政复议案件上年", 71, "件"), ("审结行政复议案件增减", 12.7, "%")]
    # a first row of small figures that do not count up one by one is a row of the table
    text = "单位 | 警告 | 罚款 | 没收 |\n甲局 | 1 | 3 | 2 |\n乙局 | 4 | 6 | 0 |\n"
    assert [v for _, v, *_ in cells(extract(text))] == [1, 3, 2, 4, 6, 0]


def test_cells_between_blank_lines_with_one_blank_line_more_for_an_empty_cell():
    # a vote count one cell a line, a blank line between cells and one more for each empty cell (the last
    # row's too, before the note); the 序号 the header rows lost spans no column of figures
    cells_ = ["2024年区政府十件实事测评结果", "", "序号", "", "实事项目", "", "名称", "", "测评结果", "", "满意", "", "基本满意",
              "", "不满意", "", "1", "", "城区排水改造", "", "31", "", "2", "", "", "2", "", "学校扩容", "", "25", "", "7", "",
              "1", "", "3", "", "菜市场提升", "", "33", "", "", "", "4", "", "社区食堂", "", "30", "", "3", "", "",
              "注：应到委员35人。"]
    got = [(s, v) for s, v, *_ in cells(extract("\n".join(cells_) + "\n"))]
    assert got == [("城区排水改造满意", 31), ("城区排水改造基本满意", 2), ("学校扩容满意", 25), ("学校扩容基本满意", 7),
                   ("学校扩容不满意", 1), ("菜市场提升满意", 33), ("社区食堂满意", 30), ("社区食堂基本满意", 3)]


def test_a_header_row_wrapped_over_lines_of_barred_cells():
    # the export broke the header row after its third cell and wrote the rest one cell a line
    text = ("序号 | 执法领域 | 检查 数量/家次 |\n立案 数量/件 |\n结案率 |\n"
            "1 | 食品安全 | 320 | 12 | 91.7% |\n2 | 特种设备 | 85 | 3 | 100% |\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("食品安全检查数量", 320, "家次"), ("食品安全立案数量", 12, "件"), ("食品安全结案率", 91.7, "%"),
                   ("特种设备检查数量", 85, "家次"), ("特种设备立案数量", 3, "件"), ("特种设备结案率", 100, "%")]
    # lines of one barred cell that are not the rest of the header end the table above them
    text = "单位 | 立案 | 结案 |\n甲局 | 4 | 3 |\n乙局 | 2 | 2 |\n说明 |\n"
    assert [(s, v) for s, v, *_ in cells(extract(text))] == [("甲局立案", 4), ("甲局结案", 3), ("乙局立案", 2),
                                                             ("乙局结案", 2)]


def test_headers_wrapped_one_cell_a_line_over_two_numbered_rows_and_a_total():
    # each measure of the header went to a line of its own under its first word (抽查 / 批次数), and only two
    # rows are numbered before the 合计 row
    cells_ = ["表1 抽查情况", "序号", "抽查区域", "抽查", "批次数", "合格", "批次数", "产品", "合格率(%)",
              "1", "城区", "210", "205", "97.62", "2", "乡镇", "90", "84", "93.33", "合计", "300", "289", "96.33"]
    got = [(s, v, u) for s, v, u, *_ in cells(extract("\n".join(cells_) + "\n"))]
    assert got == [("城区抽查批次数", 210, "批次"), ("城区合格批次数", 205, "批次"), ("城区产品合格率", 97.62, "%"),
                   ("乡镇抽查批次数", 90, "批次"), ("乡镇合格批次数", 84, "批次"), ("乡镇产品合格率", 93.33, "%"),
                   ("合计抽查批次数", 300, "批次"), ("合计合格批次数", 289, "批次"), ("合计产品合格率", 96.33, "%")]


@pytest.mark.parametrize("text", [
    "表1 全区行政复议案件情况\n项目 | 2021 | 2022 | 2023 |\n新收案件 | 45 | 52 | 61 |\n审结案件 | 40 | 50 | 58 |\n",
    "表1 全区行政复议案件情况\n项目  2021  2022  2023\n新收案件  45  52  61\n审结案件  40  50  58\n",
    "表1 全区行政复议案件情况\n项目\n2021\n2022\n2023\n新收案件\n45\n52\n61\n审结案件\n40\n50\n58\n",
], ids=["bars", "spaces", "one a line"])
def test_years_heading_the_columns_are_no_records(text):
    # spec §7: years used as headers are no records; they name the columns
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got == [("新收案件2021", 45), ("新收案件2022", 52), ("新收案件2023", 61),
                   ("审结案件2021", 40), ("审结案件2022", 50), ("审结案件2023", 58)]


def test_a_row_of_counts_that_look_like_years_is_a_row():
    text = "单位 | 受理 | 办结 | 在办 |\n甲局 | 2019 | 2021 | 2024 |\n乙局 | 35 | 30 | 5 |\n"
    assert [v for _, v, *_ in cells(extract(text))] == [2019, 2021, 2024, 35, 30, 5]
    text = "受理 | 2019 | 2021 | 2024 |\n办结 | 35 | 30 | 5 |\n"
    assert [v for _, v, *_ in cells(extract(text))] == [2019, 2021, 2024, 35, 30, 5]


def test_figures_in_a_cell_written_as_a_sentence_are_read_as_prose():
    # a 民生实事 table whose 完成情况 cell is a sentence: its figures are records too, their subjects
    # from the cell, never across the bars of the row
    text = ("表1 2024年区级民生实事完成情况\n序号 | 项目 | 责任单位 | 目标任务 | 完成情况 |\n"
            "1 | 提高城乡低保标准 | 区民政局 | 按时足额发放 | 全年发放低保金1250万元，惠及2300户 |\n"
            "2 | 改造老旧小区 | 区住建局 | 12个 | 12个 |\n")
    recs = extract(text)
    prose = [(r.subject, r.value, r.unit) for r in recs if r.extractor == "rules"]
    assert prose[0] == ("低保金", 12_500_000, "元") and prose[1][1:] == (2300, "户") and len(prose) == 2
    assert len(cells(recs)) == 2     # 12个, 12个: cells as before


def test_pinyin_left_in_traditional_headers_is_dropped():
    text = "行政處罰實施數量(宗) | ||\n警告 | 罰款 | 罰沒(méi)金額(萬(wàn)元) |\n1 | 7 | 2.5 |\n"
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("警告", 1, "宗"), ("罰款", 7, "宗"), ("罰沒金額", 25000, "元")]


def test_a_row_continued_under_headers_of_its_own_one_cell_a_line():
    cells_ = ["（一）2024年行政处罚实施情况统计表", "行政处罚实施数量(宗)", "单位名称", "警告", "罚款", "没收违法所得",
              "某某局", "0", "2", "0",
              "责令停产停业", "行政拘留", "合计", "(宗)", "罚没金额(万元)", "0", "0", "2", "1.2"]
    text = "\n\n".join(cells_) + "\n\n说明:统计范围为全年。\n"
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert [g[0] for g in got[:3]] == ["某某局警告", "某某局罚款", "某某局没收违法所得"]
    assert got[3:] == [("责令停产停业", 0, "宗", "case"), ("行政拘留", 0, "宗", "case"), ("合计", 2, "宗", "case"),
                       ("罚没金额", 12000, "元", "amount")]


def test_cells_a_line_with_the_bars_of_a_rows_covered_cells():
    text = ("二、主动公开政府信息情况\n|\n第二十条第(五)项 | |||\n|\n信息内容 |\n本年处理决定数量 | ||\n|\n"
            "行政许可 |\n3 | ||\n|\n行政处罚 |\n0 | ||\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("行政许可本年处理决定数量", 3, None), ("行政处罚本年处理决定数量", 0, None)]


def test_padded_rows_with_an_empty_remarks_column_and_a_row_of_one_label():
    text = ("某某委2023年第二季度行政处罚实施情况统计表\n"
            "序号 | 单位名称 | 行政处罚实施数量(宗) | 罚没金额(万元) | 备注 | |||\n"
            "警告 | 罚款 | 其他行政处罚 | 合计(宗) | ||||\n"
            "(一)本单位作出的 | |||||||\n"
            "1 | 某某委 | 2 | 5 | 0 | 7 | 1.5 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got == [("某某委警告", 2, "宗", "case"), ("某某委罚款", 5, "宗", "case"), ("某某委其他行政处罚", 0, "宗", "case"),
                   ("某某委合计", 7, "宗", "case"), ("某某委罚没金额", 15000, "元", "amount")]


def test_a_cell_is_located_where_it_stands_alone_not_inside_a_heading():
    text = ("（二）责任单位接诉情况分析\n本月向各单位转派工单812件。\n"
            + _lines("责任单位", "转派工单", "占比", "市直单位", "512", "63.05%", "县区", "300", "36.95%"))
    recs = extract(text)
    assert [(r.value, r.unit) for r in recs if r.extractor == "rules"] == [(812, "件")]
    assert cells(recs)[0] == ("市直单位转派工单", 512, "件", "case", "512")


def test_a_header_ending_in_a_percent_sign():
    text = "类别 | 举报数量 | 占全部举报比重% |\n无照经营 | 45 | 15.2 |\n虚假宣传 | 11 | 3.7 |\n"
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[1] == ("无照经营占全部举报比重%", 15.2, "%", "percentage")


def test_goods_named_in_a_table_of_complaints_are_cases():
    # 家居用品 would make a 件 a count of objects; in a table of 投诉 received it names a matter's goods
    text = ("表2 本月投诉商品类前三位统计表\n"
            "类别 | 受理量(件) | 占比 |\n服装鞋帽 | 84 | 40.0% |\n家居用品 | 67 | 31.9% |\n一般食品 | 59 | 28.1% |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[2] == ("家居用品受理量", 67, "件", "case")


def test_a_column_of_shares_that_dropped_its_percent_signs():
    text = ("本月共受理转办工单600件。\n"
            "工单类型 | 工单数量 | 占比 |\n城市管理类 | 360 | 60.0 |\n物业管理类 | 240 | 40.0 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got == [("城市管理类工单数量", 360, "件", "case"), ("城市管理类占比", 60, "%", "percentage"),
                   ("物业管理类工单数量", 240, "件", "case"), ("物业管理类占比", 40, "%", "percentage")]


def test_a_title_row_naming_a_unit_for_each_kind_of_column():
    text = "单位：件、万元 | | | |\n月份 | 投诉 | 举报 | 挽回损失 |\n1月 | 12 | 5 | 3.2 |\n2月 | 10 | 4 | 1.1 |\n"
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[:3] == [("1月投诉", 12, "件", "case"), ("1月举报", 5, "件", "case"), ("1月挽回损失", 32000, "元", "amount")]


def test_one_column_naming_the_unit_of_matters_gives_it_to_the_columns_of_counts_beside_it():
    # 来件数 names 件; 已办结, 办理中 name none: the table counts its letters in 件 throughout
    text = ("三、各单位来信办理情况\n"
            "承办单位 | 来件数 | 已办结 | 办理中 | 办结率 | 涉及金额 |\n"
            "东湖街道 | 31 | 29 | 2 | 93.5% | 12.5 |\n"
            "西岭镇 | 14 | 14 | 0 | 100% | 0 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[:4] == [("东湖街道来件数", 31, "件", "case"), ("东湖街道已办结", 29, "件", "case"),
                       ("东湖街道办理中", 2, "件", "case"), ("东湖街道办结率", 93.5, "%", "percentage")]
    # a column of money takes no 件 from its neighbours: it is money, in 元 when nothing says otherwise
    assert got[4] == ("东湖街道涉及金额", 12.5, "元", "amount")


def test_stacked_headers_written_to_the_grid_s_width_keep_the_number_and_label_columns_leaves():
    # 序号 and 单位 head the row numbers and labels: the group under 受理总数 (合计, 电话, 网络) is not
    # put under 序号, the first cell of the top row
    text = ("附件：各单位工单办理情况统计表\n"
            + _lines("序号", "单位", "受理总数", "满意数", "满意率") + "||||\n"
            + _lines("合计", "电话", "网络") + "||||||\n"
            + _lines("已办", "未办", "已办", "未办") + "|||||\n"
            + _lines("1", "城建局", "40", "25", "3", "10", "2", "38", "95%",
                     "2", "交通局", "22", "15", "1", "6", "0", "20", "91%"))
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got[:7] == [("城建局受理总数合计", 40), ("城建局受理总数电话已办", 25), ("城建局受理总数电话未办", 3),
                       ("城建局受理总数网络已办", 10), ("城建局受理总数网络未办", 2), ("城建局满意数", 38),
                       ("城建局满意率", 95)]
    assert len(got) == 14


def test_one_cell_a_line_with_a_lone_bar_between_every_two_cells():
    # the bars divide the cells as the line breaks do: they end no row
    text = ("二、主动公开政府信息情况\n第二十条第(一)项\n|\n信息内容\n|\n本年制发件数\n|\n本年废止件数\n|\n现行有效件数\n|\n"
            "规章\n|\n0\n|\n0\n|\n2\n|\n行政规范性文件\n|\n4\n|\n1\n|\n9\n|\n")
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert got == [("规章本年制发件数", 0, "件"), ("规章本年废止件数", 0, "件"), ("规章现行有效件数", 2, "件"),
                   ("行政规范性文件本年制发件数", 4, "件"), ("行政规范性文件本年废止件数", 1, "件"),
                   ("行政规范性文件现行有效件数", 9, "件")]


def _bar_between(*cs: str) -> str:
    return "".join(f"{c}\n|\n" for c in cs)


def test_the_applications_table_written_one_cell_a_line_rebuilds_its_three_header_rows():
    # nothing tells where a header row ends: 申请人情况 over 自然人, 法人或其他组织 and 总计, the five kinds of
    # 法人 under it; 商业 / 企业 is one cell wrapped over two lines (no bar between them)
    text = ("三、收到和处理政府信息公开申请情况\n"
            + _bar_between("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", "申请人情况", "自然人",
                           "法人或其他组织", "总计", "商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他",
                           "一、本年新收政府信息公开申请数量", "5", "1", "0", "0", "0", "0", "6",
                           "二、上年结转政府信息公开申请数量", "0", "2", "0", "0", "0", "0", "2"))
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got[:7] == [("本年新收政府信息公开申请数量自然人", 5), ("本年新收政府信息公开申请数量商业企业", 1),
                       ("本年新收政府信息公开申请数量科研机构", 0), ("本年新收政府信息公开申请数量社会公益组织", 0),
                       ("本年新收政府信息公开申请数量法律服务机构", 0), ("本年新收政府信息公开申请数量其他", 0),
                       ("本年新收政府信息公开申请数量总计", 6)]
    assert got[8] == ("上年结转政府信息公开申请数量商业企业", 2) and len(got) == 14


def test_the_corner_over_the_row_labels_is_in_the_row_of_the_leaf_headers():
    # 信息内容 heads the labels (行政处罚, 行政强制), 本年处理决定数量 the figures
    text = "第二十条第(六)项\n" + _bar_between("信息内容", "本年处理决定数量", "行政处罚", "12", "行政强制", "3")
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got == [("行政处罚本年处理决定数量", 12), ("行政强制本年处理决定数量", 3)]


def test_stacked_disclosure_tables_with_a_bar_after_each_cell_and_a_heading_between():
    # each 第二十条 table starts a new one; the lone bars before the next heading are the empty cells of
    # the last row; a column of 金额 with no unit named is money in 元
    text = ("二、主动公开政府信息情况\n"
            + _lines("第二十条第(一)项", "信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量",
                     "规章", "0", "0", "1", "规范性文件", "2", "0", "5",
                     "第二十条第(六)项", "信息内容", "上一年项目数量", "本年增/减", "处理决定数量",
                     "行政处罚", "21", "0", "7", "行政强制", "2", "0", "0",
                     "第二十条第(九)项", "信息内容", "采购项目数量", "采购总金额", "政府集中采购", "3", "0")
            + "|\n|\n|\n三、收到和处理政府信息公开申请情况\n"
            + _lines("申请人情况", "自然人", "总计", "一、本年新收政府信息公开申请数量", "4", "4",
                     "二、上年结转政府信息公开申请数量", "1", "1"))
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[:3] == [("规章本年新制作数量", 0, None, "count"), ("规章本年新公开数量", 0, None, "count"),
                       ("规章对外公开总数量", 1, None, "count")]
    assert got[6:9] == [("行政处罚上一年项目数量", 21, None, "count"), ("行政处罚本年增/减", 0, None, "count"),
                        ("行政处罚处理决定数量", 7, None, "count")]
    assert got[12:14] == [("政府集中采购采购项目数量", 3, None, "count"), ("政府集中采购采购总金额", 0, "元", "amount")]
    assert got[14:16] == [("本年新收政府信息公开申请数量自然人", 4, None, "count"),
                          ("本年新收政府信息公开申请数量总计", 4, None, "count")] and len(got) == 18


def test_tables_on_one_line_of_a_page_that_lost_its_line_breaks():
    # the report's text, a heading, a caption and the cells of two tables on one line, a bar after each cell
    text = ("某某局2023年度政府信息公开工作年度报告 全年主动公开政府信息12条。 二、主动公开政府信息情况 第二十条第(一)项 | "
            "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 | 规章 | 0 | 0 | 0 | 规范性文件 | 2 | 0 | 7 | "
            "第二十条第(五)项 | 信息内容 | 本年处理决定数量 | 行政许可 | 430 | 其他对外管理服务事项 | 15 | 三、收到")
    recs = extract(text)
    assert [(r.value, r.unit) for r in recs if r.extractor == "rules"] == [(12, "条")]
    got = [(s, v) for s, v, *_ in cells(recs)]
    assert got == [("规章本年制发件数", 0), ("规章本年废止件数", 0), ("规章现行有效件数", 0),
                   ("规范性文件本年制发件数", 2), ("规范性文件本年废止件数", 0), ("规范性文件现行有效件数", 7),
                   ("行政许可本年处理决定数量", 430), ("其他对外管理服务事项本年处理决定数量", 15)]


def test_padded_captions_between_tables_written_one_cell_a_line_with_bars():
    # 第二十条第(五)项 | ||| closes the rows of the table above, as wide as it; a label carries a long note in
    # brackets and is still one cell
    note = "(行政机关制定发布的决定、公告、通告、意见、通知,以及标题采用“规定”“办法”等字样的公文,一般情况下属于规范性文件)"
    text = ("二、主动公开政府信息情况\n第二十条第(一)项 | |||\n"
            + _lines("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量", "规章", "0", "0", "0",
                     "规范性文件" + note, "6", "6", "40")
            + "第二十条第(五)项 | |||\n"
            + _lines("信息内容", "上一年项目数量", "本年增/减", "处理决定数量", "行政许可", "57", "2", "1200"))
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got[3:6] == [("规范性文件本年新制作数量", 6), ("规范性文件本年新公开数量", 6), ("规范性文件对外公开总数量", 40)]
    assert got[6:] == [("行政许可上一年项目数量", 57), ("行政许可本年增/减", 2), ("行政许可处理决定数量", 1200)]


def test_a_bilingual_yearbook_table_names_its_rows_in_chinese():
    # each row label comes with its English gloss, the header lines too: the glosses are not subjects,
    # and the first row keeps both its labels (受理数 is not a column header)
    def blank_between(*cs: str) -> str:
        return "".join(f"{c}\n\n" for c in cs)
    text = ("各地区行政复议案件情况\n单位:件\n"
            + blank_between("项目", "Item", "合 计", "省 级", "市 级", "县 级", "Total", "Province", "City", "County",
                            "受理数", "Cases Accepted", "1520", "212", "630", "678",
                            "审结数", "Cases Closed", "1431", "200", "601", "630",
                            "驳回申请", "Applications Rejected", "87", "9", "40", "38"))
    got = [(s, v, u) for s, v, u, *_ in cells(extract(text))]
    assert len(got) == 12 and {u for *_, u in got} == {"件"}
    assert [s for s, *_ in got] == ["受理数"] * 4 + ["审结数"] * 4 + ["驳回申请"] * 4
    assert [v for _, v, _ in got[:4]] == [1520, 212, 630, 678]


def test_a_row_label_and_its_gloss_before_many_figures_are_no_block_of_headers():
    # after the figures of 结案数, four lines of words then thirteen figures: a row (its name, its gloss, a
    # name wrapped), not the headers of a row continued under headers of its own
    figures = [str(n) for n in range(101, 114)]
    text = ("单位:件\n"
            + _lines("项目", *[f"类{n}" for n in range(1, 14)], bar=False)
            + _lines("案件数", "Cases Accepted", *figures, "结案数", "Cases Settled", *figures,
                     "违法事实", "Illegal Facts", "无证经营", "Trade without Licence", *figures, bar=False))
    got = cells(extract(text))
    assert len(got) == 39 and {r[2] for r in got} == {"件"}


def test_a_header_wrapped_over_two_lines_between_blank_lines():
    # a blank line between every two cells; 本年新 / 制作数量 with none between is one header
    def blank_between(*cs: str) -> str:
        return "".join(f"{c}\n\n" for c in cs)
    text = ("二、主动公开政府信息情况\n\n第二十条第(一)项\n\n信息内容\n\n本年新\n制作数量\n\n本年新\n公开数量\n\n"
            + blank_between("对外公开总数量", "规章", "1", "0", "3", "规范性文件", "15", "15", "88"))
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got == [("规章本年新制作数量", 1), ("规章本年新公开数量", 0), ("规章对外公开总数量", 3),
                   ("规范性文件本年新制作数量", 15), ("规范性文件本年新公开数量", 15), ("规范性文件对外公开总数量", 88)]


def test_a_change_written_with_an_arrow_is_a_figure_with_its_direction():
    # one cell a line; the change column writes an arrow for up or down and its header the %
    text = ("表3 消费投诉热点同比情况\n"
            + _lines("序号", "投诉热点", "本年投诉量(件)", "上年投诉量(件)", "同比(%)",
                     "1", "预付卡", "4120", "3010", "↑36.9", "2", "物业服务", "860", "1102", "↓22.0",
                     "3", "网络购物", "2301", "1850", "↑24.4%"))
    got = [(r.subject, r.value, r.unit, r.type, r.direction, r.text) for r in extract(text) if r.extractor == "table"]
    assert len(got) == 9
    assert got[2] == ("预付卡同比", 36.9, "%", "percentage", "increase", "36.9")
    assert got[5] == ("物业服务同比", 22.0, "%", "percentage", "decrease", "22.0")
    assert got[8][1:5] == (24.4, "%", "percentage", "increase")
    assert got[3][:4] == ("物业服务本年投诉量", 860, "件", "case") and got[3][4] is None
    # the arrow after the number reads the same
    text = text.replace("↑36.9", "36.9↑").replace("↓22.0", "22.0↓")
    got = [(r.value, r.direction, r.text) for r in extract(text) if r.extractor == "table"]
    assert got[2] == (36.9, "increase", "36.9") and got[5] == (22.0, "decrease", "22.0")


def test_scores_take_points_and_ranks_are_not_records():
    # two groups of the same columns side by side, a unit a group; 得分 columns are in points
    text = ("各乡镇热线工单办理考评情况表 | |||||||\n"
            "| 单位 | 工单数 | 得分 | 排名 | 单位 | 工单数 | 得分 | 排名 |\n"
            "| 东关镇 | 512 | 98.62 | 1 | 南河镇 | 307 | 95.10 | 3 |\n"
            "| 西岭镇 | 466 | 97.05 | 2 | 北坪镇 | 129 | 93.48 | 4 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert ("东关镇得分", 98.62, "分", "count") in got and ("北坪镇得分", 93.48, "分", "count") in got
    assert ("南河镇工单数", 307, None, "count") in got
    assert len(got) == 8 and not any(s.endswith("排名") for s, *_ in got)
    # a score in a sentence about scores is read too, in the same unit; a maximum is not
    assert [(r.text, r.unit) for r in extract("本月东关镇考评得分为98.62分（满分为100分）。")] == [("98.62分", "分")]


def test_an_empty_row_of_bars_between_the_header_and_the_rows():
    text = ("二、各类案件办理情况\n"
            "案件类别 | 本月(宗) | 上月(宗) | 结案率(%) |\n"
            "|\n"
            "占道经营 | 210 | 188 | 99.52% |\n"
            "暴露垃圾 | 96 | 120 | 100.00% |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(extract(text))]
    assert got[:3] == [("占道经营本月", 210, "宗", "case"), ("占道经营上月", 188, "宗", "case"),
                       ("占道经营结案率", 99.52, "%", "percentage")]
    assert len(got) == 6


def test_labels_written_together_with_their_figures():
    # a table flattened header cell by header cell, each with its figure: sometimes fused, sometimes
    # after a space, sometimes missing; the unit of the first line's matters goes to the rows
    text = ("行政强制实施数量(件)3\n罚没金额(万元)1.2\n查封场所\n扣押财物 2\n冻结存款 1\n"
            "强制执行\n合计3(件)\n说明:统计范围为本年度作出的决定。\n")
    clean, tables, recs = run(text.encode("utf-8"))
    got = [(s, v, u, t, x) for s, v, u, t, x in cells(recs)]
    assert got == [("行政强制实施数量", 3, "件", "case", "3"), ("罚没金额", 12000, "元", "amount", "1.2"),
                   ("扣押财物", 2, "件", "case", "2"), ("冻结存款", 1, "件", "case", "1"),
                   ("合计", 3, "件", "case", "3")]
    for r in recs:
        assert clean[r.start:r.end] == r.text


def test_the_reports_unit_for_the_tables_subject_read_past_a_multiplier():
    # the text counts 诉求 in 万件 (with a gloss after 萬 on a converted page): the table's 件 all the same
    for prose in ("本月热线受理群众诉求1.52万件。\n", "本月熱線受理群眾訴求1.52萬(wàn)件。\n"):
        text = prose + "诉求类型 | 数量 |\n咨询 | 9120 |\n投诉 | 6080 |\n"
        assert {(u, t) for _, _, u, t, _ in cells(extract(text))} == {("件", "case")}


def test_a_header_naming_a_measure_for_another_period_is_a_leaf_not_a_group():
    # 上月完成数 sits between two groups over the sub-headers; it is the 完成数 of last month, a column
    text = ("各所采集任务完成情况表\n"
            "单位 | 本月完成情况 | 上月完成数 | 增/减 |\n"
            "任务数 | 完成数 | 完成率 | (件) | 幅度 |\n"
            "城东所 | 300 | 312 | 104.00% | 290 | 22 | 7.59% |\n"
            "城西所 | 260 | 251 | 96.54% | 270 | -19 | -7.04% |\n")
    got = [(s, v) for s, v, *_ in cells(extract(text))]
    assert got[:6] == [("城东所任务数", 300), ("城东所完成数", 312), ("城东所完成率", 104.0),
                       ("城东所上月完成数", 290), ("城东所增/减", 22), ("城东所增/减幅度", 7.59)]


def test_shares_echoed_in_the_text_stay_in_their_column():
    # the text after the table writes the change column's figures with % (预付卡(增长41.6%)); the
    # counts beside them, with no unit anywhere, stay unitless counts: a share is its own column's
    rows = ["序号", "投诉热点", "本年投诉量 (登记数)", "上年投诉量 (登记数)", "同比(%)",
            "1", "预付卡", "2637", "1862", "↑41.6", "2", "物业服务", "1956", "1317", "↑48.5",
            "3", "网络购物", "859", "1169", "↓26.5"]
    text = ("投诉热点及同比分析\n" + "".join(f"{x} |\n" for x in rows)
            + "\n同比变化较大的有预付卡(增长41.6%)、物业服务(增长48.5%)、网络购物(下降26.5%)。\n")
    got = [(r.subject, r.value, r.unit, r.type) for r in extract(text) if r.extractor == "table"]
    assert ("预付卡本年投诉量", 2637, None, "count") in got and ("网络购物上年投诉量", 1169, None, "count") in got
    assert ("物业服务同比", 48.5, "%", "percentage") in got


def test_a_papers_table_of_matters_one_cell_a_line_under_an_english_and_a_chinese_caption():
    # Table 2. / 表2. over 事项 (the corner) / the matters / 数量 and its figures / 占比 and its shares:
    # the corner heads the row labels, the captions are no header rows, and the cases of
    # 行政复议 that the caption names are counted in 件
    text = ("三、复议案件的构成\nTable 2. Matters of the cases in 2016\n表2. 2016年行政复议案件涉及事项\n"
            + "".join(f"{x} |\n" for x in ("事项", "行政 处罚", "行政 许可", "总计",
                                           "数量", "1,204", "388", "1,592", "占比", "75.63%", "24.37%", "100%"))
            + "以上数据表明，处罚类案件占比最高。\n")
    got = [(r.subject, r.value, r.type, r.unit) for r in extract(text) if r.cell]
    assert got == [("数量行政处罚", 1204, "case", "件"), ("数量行政许可", 388, "case", "件"),
                   ("数量总计", 1592, "case", "件"), ("占比行政处罚", 75.63, "percentage", "%"),
                   ("占比行政许可", 24.37, "percentage", "%"), ("占比总计", 100, "percentage", "%")]


def _hotline_rows(corner: str, rows: list[tuple[str, int, str, int]]) -> str:
    head = [corner, "办件数量", "按期办结率", "延期次数"]
    body = [c for r in rows for c in (r[0], str(r[1]), r[2], str(r[3]))]
    return "".join(f"{c} |\n" for c in head + body)


# a hotline's monthly report: the bureaus' table, then the towns' table under the same columns, each
# header written again with its own corner word, one cell a line
TWO_TABLES = ("本月受理工单1800余件，按期办结率100%。\n工单量排名前五的市直单位\n"
              + _hotline_rows("单位", [("市监局", 322, "100.00%", 3), ("城管局", 132, "98.50%", 0),
                                      ("住建局", 91, "100.00%", 1)])
              + _hotline_rows("乡镇(街道)", [("城东街道", 99, "100.00%", 1), ("河口镇", 32, "96.88%", 0),
                                          ("石桥镇", 30, "100.00%", 2)])
              + "工单量排名前五的乡镇(街道)\n三、下步工作\n持续提升办理质量。")


def test_one_cell_a_line_tables_back_to_back_with_their_header_written_again():
    tables = recognise(TWO_TABLES, RULES)
    assert [(t.n_cols, sum(1 for c in t.cells if not c.header)) for t in tables] == [(4, 9), (4, 9)]
    got = {(r.subject, r.value, r.unit, r.type) for r in extract(TWO_TABLES) if r.extractor == "table"}
    # 办件数量 counts in 件 (办件数 + 量), 延期次数 in 次; each town under its own table's header
    assert ("城东街道办件数量", 99, "件", "case") in got
    assert ("石桥镇延期次数", 2, "次", "count") in got
    assert ("市监局办件数量", 322, "件", "case") in got
    assert not any("单位" in s or "乡镇(街道)" in s for s, *_ in got)



@pytest.mark.parametrize("bar", [False, True])
def test_thousands_set_apart_by_a_space_are_one_figure(bar):
    # a table of a Hong Kong department, one cell a line, years as column headers, its thousands
    # written with a space (7 253) or a thin space; then the same written as rows divided by spaces
    text = ("表二 每年檢控數字\n" + _lines("類別", "2022年", "2023年", "2024年",
                                         "空氣污染", "1 056", "1\u2009124", "998",
                                         "廢物處置", "7 253", "6 980", "7 012", bar=bar))
    got = [(s, v, t) for s, v, u, ty, t in cells(extract(text))]
    assert got == [("空氣污染2022年", 1056, "1 056"), ("空氣污染2023年", 1124, "1\u2009124"), ("空氣污染2024年", 998, "998"),
                   ("廢物處置2022年", 7253, "7 253"), ("廢物處置2023年", 6980, "6 980"), ("廢物處置2024年", 7012, "7 012")]
    rows = ("法例            檢控宗數      罰款總額（港元）\n"
            "噪音管制條例    57            412 000\n"
            "廢物處置條例    342           3 080 500\n")
    got = [(s, v, u, t) for s, v, u, ty, t in cells(extract(rows))]
    assert got == [("噪音管制條例檢控宗數", 57, "宗", "57"), ("噪音管制條例罰款總額", 412000, "港元", "412 000"),
                   ("廢物處置條例檢控宗數", 342, "宗", "342"), ("廢物處置條例罰款總額", 3080500, "港元", "3 080 500")]
    # two groups that are not of three digits are never read as one figure
    got = cells(extract(_lines("项目", "本年", "上年", "受理", "12 35", "40", bar=bar)))
    assert not any(v == 1235 for _, v, *_ in got)


@pytest.mark.parametrize("bar", [False, True])
def test_a_budget_table_with_two_header_rows_one_cell_a_line(bar):
    # a department's budget table: two budget columns span both header rows, 比上年增减 spans the
    # two columns under it (金额 and %); written one cell a line, the rows' ends lost
    text = ("表1 2025年部门收支预算总表\n单位：万元\n"
            + _lines("项目", "2025年预算数", "2024年预算数", "比上年增减", "金额", "%",
                     "一般公共预算拨款", "1,256.30", "1,100.00", "156.30", "14.2",
                     "政府性基金", "80.00", "120.00", "-40.00", "-33.3", bar=bar))
    got = [(s, v, u) for s, v, u, ty, t in cells(extract(text))]
    assert [(v, u) for s, v, u in got] == [(12563000, "元"), (11000000, "元"), (1563000, "元"), (14.2, "%"),
                                          (800000, "元"), (1200000, "元"), (-400000, "元"), (-33.3, "%")]
    assert [s for s, v, u in got[:2]] == ["一般公共预算拨款2025年预算数", "一般公共预算拨款2024年预算数"]
    assert "比上年增减" in got[3][0] and got[7][0].startswith("政府性基金")


def test_a_page_s_metadata_rows_before_a_caption_are_not_the_tables_header():
    # a page that writes its metadata as rows of a table, then the caption, a unit line and a
    # header of two rows: the measures of the second row (金额, 占调整预算%, 比上年增长%) stand
    # under the last header of the first, which spans them; every row written to the grid's width
    text = ("标题: | 某某乡2023年预算执行情况 | ||\n"
            "---|---|---|---|\n"
            "发文日期: | 2024-08-20 09:12:00 | 发布机构: | 某某乡人民政府 |\n"
            "表2 | |||||\n"
            "2023年某某乡一般公共预算支出执行情况表 | |||||\n"
            "单位:万元 | |||||\n"
            "项 目 | 2022年决算数 | 2023年预算调整数 | 2023年执行数 | ||\n"
            "金额 | 占调整预算% | 比上年增长% | |||\n"
            "一般公共服务支出 | 812 | 905 | 905 | 100 | 11.45 |\n"
            "农林水支出 | 1310 | 1188 | 1176 | 98.99 | -10.23 |\n"
            "卫生健康支出 | |||||\n")
    got = [(s, v, u) for s, v, u, ty, t in cells(extract(text))]
    assert [(v, u) for s, v, u in got] == [(8120000, "元"), (9050000, "元"), (9050000, "元"), (100, "%"), (11.45, "%"),
                                          (13100000, "元"), (11880000, "元"), (11760000, "元"), (98.99, "%"), (-10.23, "%")]
    assert [s for s, v, u in got[:2]] == ["一般公共服务支出2022年决算数", "一般公共服务支出2023年预算调整数"]
    assert "占调整预算" in got[3][0] and "比上年增长" in got[4][0]
    assert not any("发文日期" in s or "发布机构" in s for s, v, u in got)
    # a caption-like group row between the header and the rows, with no fields above it, keeps the header
    text = "项目 | 2023年 | 2024年 |\n一、行政许可办理情况 | | |\n受理 | 3 | 4 |\n办结 | 3 | 4 |\n"
    assert [s for s, v, u, ty, t in cells(extract(text))] == ["受理2023年", "受理2024年", "办结2023年", "办结2024年"]


@pytest.mark.parametrize("caption", ["二、各区考评情况\n| 各区承办工单数量、考评得分及排名表 | |||||||\n",
                                     "二、各区考评情况\n各区承办工单数量、考评得分及排名表\n", "二、各区考评情况\n",
                                     "各区承办工单数量、考评得分及排名表 |\n"])
def test_a_header_written_twice_for_two_units_a_row_one_cell_a_line(caption):
    # a hotline's monthly review: two units side by side in each row, the header written once per
    # unit, one cell a line with a bar after each; an odd number of units leaves the last row
    # short, closed by a line of bars; the caption above written as a bar row, a line, or not at all
    text = (caption
            + _lines("单位", "工单数", "得分", "排名", "单位", "工单数", "得分", "排名",
                     "东城区", "2210", "97.85", "1", "南湖区", "1893", "95.02", "3",
                     "西岭区", "1547", "96.40", "2")
            + "||||\n三、存在问题\n个别单位答复不规范。\n")
    got = [(s, v, u) for s, v, u, ty, t in cells(extract(text))]
    assert got == [("东城区工单数", 2210, None), ("东城区得分", 97.85, "分"), ("南湖区工单数", 1893, None),
                   ("南湖区得分", 95.02, "分"), ("西岭区工单数", 1547, None), ("西岭区得分", 96.40, "分")]


def test_a_cell_holding_only_a_character_the_export_lost_is_empty():
    # a bureau's 三公 budget table divided by bars; the unit line's first cell is a lost character
    text = ("2024年某某区司法局“三公”经费预算情况统计表 | ||\n"
            "? | 单位:万元 | |\n"
            "项 目 | 本年预算数 | 其中:财政拨款 |\n"
            "合 计 | 12.80 | 12.80 |\n"
            "1.公务接待费 | 2.30 | 2.30 |\n")
    got = [(s, v, u) for s, v, u, ty, t in cells(extract(text))]
    assert got == [("合计本年预算数", 128000, "元"), ("合计其中:财政拨款", 128000, "元"),
                   ("公务接待费本年预算数", 23000, "元"), ("公务接待费其中:财政拨款", 23000, "元")]


def test_a_figure_with_a_remark_in_brackets_and_a_bound_written_as_a_rule():
    # a county bureau's plan of random inspections divided by bars: the count of a row may carry a
    # remark in brackets; the frequency column writes bounds (=1, >=1), no figures and no labels
    text = ("序号 | 检查主体 | 检查内容 | 股室 | 抽查比例 | 抽查频次 | 抽查数量 |\n"
            "1 | 某某县市场监督管理局 | 对电梯使用单位的行政检查 | 特种设备股 | 5% | =1 | 2户(以联合抽查数为准) |\n"
            "2 | 某某县市场监督管理局 | 对药品零售企业的行政检查 | 药品股 | 3% | >=1 | 4户 |\n")
    got = [(s, v, u, t) for s, v, u, ty, t in cells(extract(text))]
    assert got == [("特种设备股抽查比例", 5, "%", "5%"), ("特种设备股抽查数量", 2, "户", "2户"),
                   ("药品股抽查比例", 3, "%", "3%"), ("药品股抽查数量", 4, "户", "4户")]
    # a remark with a figure in it is still a remark; a unit in brackets is none (the cell is not read
    # as a bare figure with its unit dropped)
    assert [t for *_, t in cells(extract("项目 | 数量 |\n受理 | 3(含2起移送) |\n办结 | 5 |\n"))] == ["3", "5"]
    assert not any(v == 12 and u is None for _, v, u, *_ in cells(extract("项目 | 罚款 |\n东区 | 12(万元) |\n西区 | 8 |\n")))


def test_a_header_that_gives_its_unit_after_a_slash():
    # a sampling table: each header names its measure, then its unit after a slash (数量/批次)
    text = ("2024年各类食品监督抽检结果汇总表\n"
            "| 食品种类 | 抽检数量/批次 | 不合格数量/批次 | 抽检金额/万元 | 不合格率 |\n"
            "| 粮食加工品 | 1834 | 17 | 12.5 | 0.9% |\n"
            "| 乳制品 | 496 | 1 | 3.2 | 0.2% |\n")
    got = [(v, u) for s, v, u, ty, t in cells(extract(text))]
    assert got == [(1834, "批次"), (17, "批次"), (125000, "元"), (0.9, "%"),
                   (496, "批次"), (1, "批次"), (32000, "元"), (0.2, "%")]
    # a slash between two words is no unit, and the header's own end still gives one
    assert [u for s, v, u, ty, t in cells(extract("| 项目 | 上升/下降 |\n| 受理 | 3 |\n| 办结 | 5 |\n"))] == [None, None]
    assert [u for s, v, u, ty, t in cells(extract("| 项目 | 受理/办结件数 |\n| 复议 | 3 |\n| 诉讼 | 5 |\n"))] == ["件", "件"]
    # a header ending in a classifier of its own (抽检样品批次, 检查企业家次) names it as the unit
    text = "| 食品大类 | 抽检样品批次 | 检查企业家次 |\n| 肉制品 | 955 | 120 |\n| 饮料 | 94 | 37 |\n"
    assert [(v, u) for s, v, u, ty, t in cells(extract(text))] == [(955, "批次"), (120, "家次"), (94, "批次"), (37, "家次")]


def test_a_label_ending_in_a_figure_of_its_own_still_leads_a_row_divided_by_spaces():
    # rows divided by runs of spaces whose labels carry a figure (客车7座): a table, not prose
    text = "车型      检查数   不合格数\n客车7座   120      3\n货车10吨  85       2\n"
    assert [(s, v) for s, v, u, ty, t in cells(extract(text))] == [("客车7座检查数", 120), ("客车7座不合格数", 3),
                                                                   ("货车10吨检查数", 85), ("货车10吨不合格数", 2)]


def test_rows_led_by_their_numbers_under_a_header_that_names_no_number_column():
    # a sampling summary one cell a line with a bar on a line of its own between cells; each row
    # starts with its number though the header has no 序号; a 合计 row with no number ends it
    cells_ = ["食品种类", "抽检数量/批次", "不合格数量/批次", "不合格率",
              "1", "粮食加工品", "1834", "17", "0.9%",
              "2", "乳制品", "496", "1", "0.2%",
              "3", "饮料", "1192", "23", "1.9%",
              "合计", "3522", "41", "1.2%"]
    text = "2024年各类食品监督抽检结果汇总表\n" + "".join(c + "\n|\n" for c in cells_)
    got = [(s, v, u) for s, v, u, ty, t in cells(extract(text))]
    assert [(v, u) for s, v, u in got] == [(1834, "批次"), (17, "批次"), (0.9, "%"), (496, "批次"), (1, "批次"), (0.2, "%"),
                                          (1192, "批次"), (23, "批次"), (1.9, "%"), (3522, "批次"), (41, "批次"), (1.2, "%")]
    assert got[0][0].startswith("粮食加工品") and got[3][0].startswith("乳制品") and got[9][0].startswith("合计")


# -- yearbook tables: rows led by years --------------------------------------------------------------

def test_a_yearbook_table_whose_years_lost_their_space_to_the_first_figure():
    # rows set out with single spaces, each year run into the first figure (2015 | 48210 written
    # 201548210); the headers wrapped over lines, each closed by its unit; the years are the rows' labels
    text = ("表5 历年行政执法收支情况\n年 份罚没收入\n(万元)\n执法经费\n支出(万元)\n罚没收入占\n经费的比重(%)\n"
            "201548210 96420 50.0\n201651030 97100 52.5\n201762900 104833 60.0\n2018105880 117644 90.0\n"
            "注:2018年起含乡镇综合执法数据。\n").encode("utf-8")
    _, tables, records = run(text)
    got = [(s, v, u, t) for s, v, u, t, _ in cells(records)]
    assert len(got) == 12
    assert got[:3] == [("2015罚没收入", 482100000, "元", "amount"), ("2015执法经费支出", 964200000, "元", "amount"),
                       ("2015罚没收入占经费的比重", 50.0, "%", "percentage")]
    assert got[9] == ("2018罚没收入", 1058800000, "元", "amount")
    assert not any(v in (2015, 2016, 2017, 2018) for _, v, *_ in got)     # no year is a figure
    t = tables[0]
    assert t.n_cols == 4 and t.header_cols == 1 and t.n_rows == 5


def test_a_glued_year_needs_a_year_column_and_rising_years():
    # the same rows under a header that names no year column are figures as written: nothing is split
    text = ("单位:元\n罚款 没收 退还\n201548210 96000 5000\n201651030 97000 5200\n201762900 104000 6000\n").encode("utf-8")
    got = [v for _, v, *_ in cells(run(text)[2])]
    assert 201548210 in got and 2015 not in got


def test_a_yearbook_table_one_cell_a_line_with_year_and_period_rows():
    # one cell a line, a blank line between cells and a space for an empty cell; rows led by a year or
    # a span of years, every row closed by an empty cell; one header wrapped (罚没 / 财物收入)
    def blank_between(*cs: str) -> str:
        return "".join(f"{c}\n\n" for c in cs)
    rows = [("2011-2015", "5120.40", "3010.20", " ", "2110.20"), ("2011", "900.10", "600.00", " ", "300.10"),
            ("2012", "1010.30", "640.20", " ", "370.10"), ("2016-2020", "7400.90", "4100.50", "120.00", "3180.40"),
            ("2016", "1320.00", "800.00", "20.00", "500.00")]     # 万元
    text = ("3-2 全省行政执法收入\n\n \n\n单位:万元\n\n"
            + blank_between("年份", "收入合计", "罚款收入", "罚没", "财物收入", "其他收入", *[" "] * 6)
            + "".join(blank_between(*r, " ") for r in rows) + "2").encode("utf-8")
    got = [(s, v, u) for s, v, u, *_ in cells(run(text)[2])]
    assert len(got) == 17 and {u for *_, u in got} == {"元"}   # 20 cells, three of them empty
    assert got[:3] == [("2011-2015收入合计", 51204000, "元"), ("2011-2015罚款收入", 30102000, "元"),
                       ("2011-2015其他收入", 21102000, "元")]
    assert ("2016-2020罚没财物收入", 1200000, "元") in got and ("2016罚没财物收入", 200000, "元") in got
    assert not any(v in (2011, 2012, 2016, 2) for _, v, _ in got)   # years and the cut-off last line


def test_a_pipe_table_headed_by_years_over_a_row_of_units_and_grouped_rows():
    # 援助类别 | 2021 | 2022 | 2023, a row of units under it, then groups: a lone label over rows whose
    # labels repeat in each group (城区, 乡镇, 小计); thousands divided by a space
    text = ("表2:按类别划分的法律援助案件\n"
            "援助类别 | 2021 | 2022 | 2023 |\n"
            "(件) | (件) | (件) | |\n"
            "刑事案件 | |||\n"
            "城区 | 1 204 | 1 310 | 998 |\n"
            "乡镇 | 356 | 402 | 377 |\n"
            "小计 | 1 560 | 1 712 | 1 375 |\n"
            "民事案件 | |||\n"
            "城区 | 2 015 | 2 230 | 2 118 |\n"
            "乡镇 | 870 | 915 | 1 002 |\n"
            "小计 | 2 885 | 3 145 | 3 120 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(run(text.encode("utf-8"))[2])]
    assert len(got) == 18 and {u for _, _, u, _ in got} == {"件"}
    assert got[:3] == [("刑事案件城区2021", 1204, "件", "case"), ("刑事案件城区2022", 1310, "件", "case"),
                       ("刑事案件城区2023", 998, "件", "case")]
    assert ("民事案件小计2023", 3120, "件", "case") in got
    assert not any(v in (2021, 2022, 2023) for _, v, _, _ in got)



def test_cells_one_a_line_each_after_a_bar_rows_between_lone_bars():
    # every cell but a row's first is led by a bar, a line of a lone bar closes the row; the corner
    # wrapped over two lines; two header rows (groups, then 合计 / 市级 / 县级 under each); the units
    # from the notice's own text (执法机构 …家, 执法人员 …人); a column the text never counts: no unit
    def row(*cs: str) -> str:
        return cs[0] + "\n" + "".join(f"| {c}\n" for c in cs[1:]) + "|\n"
    text = ("全市共有执法机构21家，执法人员640人。\n附件:执法力量汇总表\n|\n"
            + row("地区/", "执法机构", "执法人员", "窗口").replace("地区/\n", "地区/\n单位\n", 1)
            + row("合计", "市级", "县级", "合计", "市级", "县级", "合计", "市级", "县级")
            + row("东城", "5", "1", "4", "150", "30", "120", "3", "1", "2")
            + row("西城", "7", "1", "6", "210", "40", "170", "4", "1", "3")
            + row("南城", "9", "2", "7", "280", "60", "220", "2", "0", "2"))
    got = [(s, v, u) for s, v, u, *_ in cells(run(text.encode("utf-8"))[2])]
    assert len(got) == 27
    assert got[:4] == [("东城执法机构合计", 5, "家"), ("东城执法机构市级", 1, "家"), ("东城执法机构县级", 4, "家"),
                       ("东城执法人员合计", 150, "人")]
    assert ("南城窗口县级", 2, None) in got


def test_a_header_whose_unit_the_copy_left_empty():
    # 检查户数() and 合格率(% : the brackets lost their unit or their end; the header still names it
    text = ("项目 | 检查户数() | 合格率(% |\n"
            "餐饮 | 1200 | 96.5 |\n"
            "住宿 | 340 | 98.2 |\n")
    got = [(s, v, u) for s, v, u, *_ in cells(run(text.encode("utf-8"))[2])]
    assert [(v, u) for _, v, u in got] == [(1200, "户"), (96.5, "%"), (340, "户"), (98.2, "%")]


def _fixed_width(cells: list[tuple[int, str]]) -> str:
    """A line with each text starting at its column (a wide character taking two), as a page set in a
    fixed-width layout writes it."""
    def width(x: str) -> int:
        return sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in x)
    out = ""
    for col, s in cells:
        out += " " * max(col - width(out), 1 if out else 0) + s
    return out


def test_a_fixed_width_table_whose_empty_cells_are_only_spaces():
    # a gazetteer's 行政诉讼 table: groups 收案 / 结案 over their columns, the corner 年份 on a line of its
    # own, rows in groups of years with a blank line between, a cell left empty by spaces alone; the
    # outcomes (维持, 撤销, 撤诉) make the unitless cells cases, in 件
    cols = [10, 18, 25, 32, 40, 47, 54]
    def row(*cs: str) -> str:
        return _fixed_width([(c, s) for c, s in zip(cols, cs) if s])
    text = "\n".join([
        _fixed_width([(60, "续表")]),
        _fixed_width([(24, "收案"), (48, "结案")]),
        _fixed_width([(10, "年份")]),
        _fixed_width([(17, "总计"), (24, "行政"), (31, "民事"), (39, "总计"), (46, "维持"), (53, "撤销")]),
        "",
        row("2001", "12", "9", "3", "11", "8", "3"),
        row("2002", "15", "15", "", "14", "", "2"),
        "",
        row("2003", "9", "6", "3", "9", "7", "2"),
        row("2004", "20", "18", "2", "", "", ""),
        row("2005", "7", "", "7", "6", "6", ""),
        ""]) + "注:2004年结案数据缺。\n"
    got = [(s, v, u) for s, v, u, *_ in cells(run(text.encode("utf-8"))[2])]
    assert len(got) == 23 and {u for *_, u in got} == {"件"}
    assert got[:3] == [("2001收案总计", 12, "件"), ("2001收案行政", 9, "件"), ("2001收案民事", 3, "件")]
    assert ("2002结案撤销", 2, "件") in got and not any(s == "2002结案维持" for s, *_ in got)
    assert ("2005收案民事", 7, "件") in got and ("2005结案维持", 6, "件") in got
    assert not any(s.startswith("2004结案") for s, *_ in got)


def test_numbered_rows_whose_last_row_the_text_cut_after_its_number():
    # one cell a line, blank lines between; the page ends on the next row's number alone: no figure,
    # and the row before keeps all its cells (a total that looks like a year, 2024, is a figure)
    def blank_between(*cs: str) -> str:
        return "".join(f"{c}\n\n" for c in cs)
    text = ("各地区投诉举报情况(单位:件)\n\n"
            + blank_between("序号", "单位", "投诉", "举报", "小计",
                            "1", "东区市场监管局", "1500", "320", "1820",
                            "2", "西区市场监管局", "980", "210", "1190",
                            "3", "北区市场监管局", "1700", "324", "2024")
            + "4")
    got = [(s, v) for s, v, *_ in cells(run(text.encode("utf-8"))[2])]
    assert len(got) == 9 and got[-1] == ("北区市场监管局小计", 2024)
    assert 4 not in [v for _, v in got]


def test_a_header_wrapped_one_cell_a_line_is_found_again_in_the_clean_text():
    # 抽查 / 批次数 and 合格 / 批次数 are one header each: joined, they are still located in the text where
    # the line break divides them, so the table's records reach the lake (the stages' path)
    text = ("表1 抽查情况\n序号\n区域\n抽查\n批次数\n合格\n批次数\n合格率(%)\n"
            "1\n城区\n120\n114\n95.00\n2\n乡镇\n80\n72\n90.00\n合计\n200\n186\n93.00\n")
    clean, tables, recs = run(text.encode("utf-8"))
    assert len(tables) == 1
    got = [(s, v, u) for s, v, u, *_ in cells(recs)]
    assert len(got) == 9
    assert got[:3] == [("城区抽查批次数", 120, "批次"), ("城区合格批次数", 114, "批次"), ("城区合格率", 95.0, "%")]


def test_accidents_counted_in_a_table_are_events_not_cases():
    # 事故起数 counts events: count 起; a table of disputes over accidents counts matters: case 起
    text = ("地区 | 事故起数 | 死亡人数 |\n东区 | 4 | 1 |\n西区 | 2 | 0 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(run(text.encode("utf-8"))[2])]
    assert got[0] == ("东区事故起数", 4, "起", "count") and got[1] == ("东区死亡人数", 1, "人", "count")
    text = ("地区 | 受理交通事故纠纷起数 |\n东区 | 14 |\n西区 | 9 |\n")
    assert {t for *_, t, _ in cells(run(text.encode("utf-8"))[2])} == {"case"}


def test_cells_between_lone_bars_with_a_doubled_bar_between_rows():
    # one cell a line, a lone bar after each cell and a second one closing each row; the last row cut
    def row(*cs: str) -> str:
        return "".join(f"{c}\n|\n" for c in cs) + "|\n"
    text = ("|\n" + row("序号", "类别", "抽检批次", "不合格批次", "不合格率(%)")
            + row("1", "粮食制品", "420", "3", "0.71") + row("2", "乳制品", "150", "0", "0")
            + row("3", "饮料", "260", "2", "0.77") + "4\n|\n酒类\n|\n133")
    got = [(s, v, u) for s, v, u, *_ in cells(run(text.encode("utf-8"))[2])]
    assert got[:3] == [("粮食制品抽检批次", 420, "批次"), ("粮食制品不合格批次", 3, "批次"), ("粮食制品不合格率", 0.71, "%")]
    assert ("酒类抽检批次", 133, "批次") in got and len(got) == 10


def test_a_unit_line_of_two_units_gives_investment_columns_the_money():
    # 单位:个、亿元 over a count of projects and two columns of investment
    text = ("表1 重点项目投资完成情况\n单位:个、亿元\n"
            "地区 | 项目个数 | 年投资计划 | 完成投资额 |\n东城 | 12 | 30.5 | 21.2 |\n西城 | 8 | 18.0 | 9.6 |\n")
    got = [(s, v, u, t) for s, v, u, t, _ in cells(run(text.encode("utf-8"))[2])]
    assert got[:3] == [("东城项目个数", 12, "个", "count"), ("东城年投资计划", 3050000000, "元", "amount"),
                       ("东城完成投资额", 2120000000, "元", "amount")]


def test_markdown_tables_with_a_period_header_and_a_row_of_bracketed_measures():
    # |---| rules under each header; the header names one period (2022-23年度), not a column of years;
    # a row of measures in brackets under the dates, (人数), gives the unit
    text = ("社区矫正\n| 项目 | 2022-23年度 |\n|---|---|\n| 在册人数 | 1 320 |\n| 解除矫正人数 | 415 |\n\n"
            "表2 在册人员\n| 类别 | 以2022年12月31日计算 | 以2023年12月31日计算 |\n|---|---|---|\n"
            "| | (人数) | (人数) |\n| 缓刑 | 980 | 1012 |\n| 假释 | 120 | 131 |\n")
    got = [(s, v, u) for s, v, u, *_ in cells(run(text.encode("utf-8"))[2])]
    assert got[:2] == [("在册人数2022-23年度", 1320, "人"), ("解除矫正人数2022-23年度", 415, "人")]
    assert [(v, u) for s, v, u in got if s.startswith(("缓刑", "假释"))] == [(980, "人"), (1012, "人"), (120, "人"), (131, "人")]
    assert got[2][0] == "缓刑以2022年12月31日计算"
