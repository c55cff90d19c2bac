"""What is not a record (spec §3): each sentence must yield no record for the
quoted number, while any real statistic next to it still comes out."""
import pytest

from extractors import extract


@pytest.mark.parametrize("text, not_a_record", [
    ("2024年,静观镇围绕工作要点推进工作。", "2024年"),                    # date
    ("于2019年12月2日成立调解室。", "2日"),
    ("同时设立24小时自助服务区。", "24小时"),                            # duration
    ("一、推进法治政府建设的主要举措", "一、"),                          # section marker
    ("一是强化党内法规学习。", "一是"),
    ("履行推进法治建设第一责任人职责,第3次会议召开。", "3次"),          # ordinal
    ("宣传《宪法》《民法典》等,制定了《桥头镇2019年依法治镇工作要点》。", "2019"),  # in a title
    ("深入开展法律“八进”活动。", "八进"),                                # programme name
    ("依托141基层自治平台开展服务。", "141"),                             # name
    ("持续完善阳光热线、12345政府服务热线等信访渠道建设。", "12345"),    # hotline
    ("实行“1+5”团队服务模式。", "1+5"),
    ("梳理公布企业和群众“最多跑一次”清单。", "一次"),
    ("综合运用“法律明白人”“一庭两所”、法治联盟等平台载体。", "两所"),
    ("推进预防、受理、办理、维护秩序、监督问责信访五个法治化建设。", "五个"),  # restates a list
    ("内的事项，坚持做到“三个清楚”。", "三个"),
    ("镇政府每季召开一次专题会议。", "一次"),                             # frequency
    ("截至目前,今年实现每万条工单线索隐患发现数提升。", "万条"),          # denominator
    ("将法治政府建设作为一项重要的政治任务。", "一项"),                   # rhetoric
    ("为桥头基层治理探索了一条新路子。", "一条"),
    ("落实缴罚分离和收支两条线管理制度。", "两条"),
    ("健全镇、村两级人民调解员制度。", "两级"),                          # structure
    ("辖区内没有发生一起违法乱纪事件。", "一起"),                         # negation
    ("增强“四个意识”、坚定“四个自信”、做到“两个维护”。", "四个"),
    ("实施新一轮千亿斤粮食产能提升行动。", "千亿斤"),                     # programme name
    ("万人诉讼率同比下降。", "万人"),
    ("更好利用国内国际两个市场两种资源。", "两个"),
    ("设置法制办和执法局法规科两个法律部门。", "两个"),
    ("合同期限为3个月。", "3个"),
    ("办理时限压缩至5个工作日。", "5个"),
    ("我国是近14亿人口的发展中大国。", "14亿"),                              # rhetoric
    ("依据国发〔2010〕33号文件。", "33号"),
])
def test_not_a_record(text, not_a_record):
    got = [r.text for r in extract(text)]
    assert not any(not_a_record in t or t in not_a_record for t in got), got


def test_counts_in_a_list_of_counts_are_kept():
    # 犯罪集团2个 looks like a two-item list but its items carry numbers
    recs = extract("打掉涉恶犯罪团伙12个、犯罪集团2个;立涉恶类案件49宗。")
    assert [r.text for r in recs] == ["12个", "2个", "49宗"]


def test_a_quoted_name_next_to_a_count():
    recs = extract("开展日常巡查32次,“综合查一次”4次,发现问题62个。")
    assert [r.text for r in recs] == ["32次", "4次", "62个"]
