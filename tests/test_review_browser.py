"""``fazhi review`` in a real browser: headless Chromium (Debian's chromium and
chromium-driver) driven by Selenium, with a fresh profile and no network.

Skipped only when Chromium is missing and ``CI`` is unset; in CI a missing
browser is a failure (``.ci/run`` installs it).
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from fazhi.lake.store import Lake
from fazhi.review import build, page_file
from fazhi.settings import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else shutil.which("chromedriver")
ARTIFACTS = PROJECT_ROOT / "build" / "test-artifacts"  # build/ is git-ignored
SEED = "000_32e74e8d8d829c3b.txt"

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are required in CI (apt-get install -y chromium "
                    "chromium-driver fonts-noto-cjk)", pytrace=False)
    pytest.skip("chromium / chromedriver not installed (CI installs them)", allow_module_level=True)


@pytest.fixture(autouse=True)
def _hand_made_tables(monkeypatch):
    """The diff page's lake gets tables written beside the Lake: no checksums to verify them by."""
    monkeypatch.setenv("FAZHI_VERIFY", "off")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,900", "--lang=zh-CN",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def review_site(sample_run, tmp_path_factory):
    lake = Lake(sample_run[0])
    out = tmp_path_factory.mktemp("review")
    result = build(lake.root, out)
    return lake, result


def _seed(lake):
    return next(d for d in lake.read("documents").to_pylist() if d["name"] == SEED)


def _screenshot(driver, tmp_path, name):
    path = tmp_path / name
    driver.save_screenshot(str(path))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, ARTIFACTS / name)
    print(f"screenshot: {path} (copy: {ARTIFACTS / name})")
    return path


def test_a_cjk_font_is_installed():
    if not shutil.which("fc-list"):
        pytest.skip("no fontconfig")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no CJK font: install fonts-noto-cjk (or fonts-wqy-zenhei)"


def test_seed_page_highlights_every_record(browser, review_site, tmp_path):
    lake, result = review_site
    doc = _seed(lake)
    records = [r for r in lake.read("records").to_pylist() if r["doc_id"] == doc["doc_id"]]
    assert records, "the seed has records"
    browser.get(result.pages[doc["doc_id"]].as_uri())
    # one record, one highlight (a record split by an overlap has fragments with the same data-i)
    ids = browser.execute_script(
        "return Array.from(new Set(Array.from(document.querySelectorAll('mark.rec')).map(m => m.dataset.i)))")
    assert len(ids) == len(records)
    assert browser.find_element("id", "n-records").text == str(len(records))
    # every highlight covers exactly its record's text, and the spans are the lake's spans
    shown = browser.execute_script("""
        const D = JSON.parse(document.getElementById('review-data').textContent);
        const out = [];
        D.records.forEach((r, i) => {
          const txt = Array.from(document.querySelectorAll('mark[data-i="' + i + '"]')).map(m => m.textContent).join('');
          out.push([r.start, r.end, r.type, r.subject, txt]);
        });
        return out;""")
    assert sorted((s, e, t, subj, txt) for s, e, t, subj, txt in shown) == sorted(
        (r["start"], r["end"], r["type"], r["subject"], r["text"]) for r in records)
    # the whole page came from disk: no request left the machine
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith("file:") for u in urls), urls
    # the text is laid out in a CJK font, not as boxes: 法 is as wide as a full-width character
    widths = browser.execute_script("""
        const c = document.createElement('canvas').getContext('2d');
        c.font = '16px ' + getComputedStyle(document.body).fontFamily;
        return [c.measureText('法').width, c.measureText('法治政府建设').width];""")
    assert widths[0] > 12 and abs(widths[1] - 6 * widths[0]) < 1
    _screenshot(browser, tmp_path, "review-seed-000.png")


def test_click_hover_link_sort_and_filter(browser, review_site, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import Select

    lake, result = review_site
    doc = _seed(lake)
    records = [r for r in lake.read("records").to_pylist() if r["doc_id"] == doc["doc_id"]]
    browser.get(result.pages[doc["doc_id"]].as_uri())
    i = browser.execute_script("""
        const D = JSON.parse(document.getElementById('review-data').textContent);
        return D.records.findIndex(r => r.subject === '办结率');""")
    assert i >= 0
    rec = next(r for r in records if r["subject"] == "办结率")
    mark = browser.find_element("id", f"r-{i}")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)

    ActionChains(browser).move_to_element(mark).perform()
    tip = browser.find_element("id", "tip")
    assert tip.is_displayed() and "办结率" in tip.text

    mark.click()
    detail = browser.find_element("id", "detail").text
    for expected in ("办结率", rec["category"], "percentage", "%", rec["qualifier"], rec["rule"],
                     rec["ruleset"], "100"):
        assert expected in detail, (expected, detail)
    assert "sel" in browser.find_element("id", f"row-{i}").get_attribute("class")
    _screenshot(browser, tmp_path, "review-seed-000-clicked.png")

    # a table row links to its place in the text
    other = browser.execute_script("return document.querySelector('#row-0 a').getAttribute('href')")
    assert other == "#r-0"
    browser.find_element("css selector", "#row-0 a").click()
    assert browser.execute_script("return location.hash") == "#r-0"
    assert "sel" in browser.find_element("id", "r-0").get_attribute("class")
    assert browser.execute_script(
        "const r = document.getElementById('r-0').getBoundingClientRect(); "
        "const t = document.getElementById('text').getBoundingClientRect(); "
        "return r.top >= t.top && r.bottom <= t.bottom")

    # sort by value (numeric), then by value again (descending); the table renders the rows in view
    rendered = """
        const D = JSON.parse(document.getElementById('review-data').textContent);
        return Array.from(document.querySelectorAll('table.recs tbody tr[id^="row-"]'))
                    .map(r => D.records[+r.id.slice(4)]);"""
    header = browser.find_elements("css selector", "table.recs th")[2]
    header.click()
    values = [r["value"] for r in browser.execute_script(rendered)]
    assert values and values == sorted(r["value"] for r in records)[:len(values)]
    header.click()
    values = [r["value"] for r in browser.execute_script(rendered)]
    assert values and values == sorted((r["value"] for r in records), reverse=True)[:len(values)]

    # filters by type and category: the table keeps the matching rows, the text greys out the others
    dimmed = """return Array.from(document.querySelectorAll('mark.rec'))
                .filter(m => getComputedStyle(m).backgroundColor === 'rgb(238, 238, 238)').length"""
    assert browser.execute_script(dimmed) == 0
    Select(browser.find_element("id", "f-type")).select_by_value("percentage")
    expected = [r for r in records if r["type"] == "percentage"]
    assert browser.find_element("id", "shown").text == str(len(expected))
    assert {r["type"] for r in browser.execute_script(rendered)} == {"percentage"}
    Select(browser.find_element("id", "f-cat")).select_by_value(rec["category"])
    expected = [r for r in expected if r["category"] == rec["category"]]
    shown = browser.execute_script(rendered)
    assert browser.find_element("id", "shown").text == str(len(expected)) == str(len(shown))
    assert browser.execute_script(dimmed) == len(records) - len(expected)
    _screenshot(browser, tmp_path, "review-seed-000-filtered.png")


def test_index_page(browser, review_site, tmp_path):
    lake, result = review_site
    browser.get(result.index.as_uri())
    docs = lake.read("documents").to_pylist()
    rows = browser.find_elements("css selector", "#docs tbody tr")
    assert len(rows) == len(docs)
    assert browser.execute_script("return document.querySelectorAll('svg.plot').length") >= 2
    assert browser.execute_script("return document.querySelectorAll('svg.plot circle').length") > 0
    seed = _seed(lake)
    link = browser.find_element("css selector", f'#docs a[href="{page_file(seed)}"]')
    _screenshot(browser, tmp_path, "review-index.png")
    link.click()
    assert browser.current_url.endswith(page_file(seed))


def test_diff_page_shows_the_rule_change(browser, tmp_path):
    from test_review import _small_lake

    lake = _small_lake(tmp_path / "lake", "tables")
    result = build(lake.root, tmp_path / "review", diff=True)
    browser.get(next(iter(result.pages.values())).as_uri())
    classes = browser.execute_script(
        "return Array.from(document.querySelectorAll('#text mark')).map(m => [m.className, m.textContent])")
    assert sorted(classes) == sorted([["rec t-case", "87件"], ["rec t-percentage changed", "94.88%"],
                                      ["rec t-case added", "800余件"], ["gone", "3000份"]])
    browser.find_element("css selector", "mark.changed").click()
    detail = browser.find_element("id", "detail").text
    assert "changed" in detail and "信访办结率" in detail and "before" in detail and "办结率 政务服务" in detail
    browser.find_element("css selector", "mark.gone").click()
    assert "removed by the rule change" in browser.find_element("id", "detail").text
    assert browser.find_element("id", "shown").text == "4"
    _screenshot(browser, tmp_path, "review-diff.png")


def test_tables_drawn_as_tables_with_their_records(browser, tmp_path):
    from test_review import table_lake

    lake = table_lake(tmp_path / "lake", tmp_path)
    result = build(lake.root, tmp_path / "review")
    doc = next(d for d in lake.read("documents").to_pylist() if d["name"] == "district.html")
    text = next(t["clean_text"] for t in lake.read("texts").to_pylist() if t["doc_id"] == doc["doc_id"])
    browser.get(result.pages[doc["doc_id"]].as_uri())
    # the page's text is the clean text; the separators between cells are there but not shown
    assert browser.execute_script("return document.getElementById('text').textContent") == text
    assert browser.execute_script("return document.getElementById('text').innerText").count(" | ") == 0
    grid = browser.execute_script("""
        return Array.from(document.querySelectorAll('table.doctable tr')).map(tr =>
            Array.from(tr.children).map(c => [c.tagName, c.rowSpan, c.colSpan, c.innerText.trim()]));""")
    assert grid == [[["TH", 2, 1, "被申请人"], ["TH", 1, 2, "行政复议（件）"]],
                    [["TH", 1, 1, "新收"], ["TH", 1, 1, "纠错"]],
                    [["TH", 1, 1, "区公安分局"], ["TD", 1, 1, "42"], ["TD", 1, 1, "3"]],
                    [["TH", 1, 1, "区教育局"], ["TD", 1, 1, ""], ["TD", 1, 1, "0"]]]
    # a figure in a cell is highlighted like one in the text, and its card says where it stands
    mark = browser.find_element("css selector", "table.doctable td mark.rec")
    assert mark.text == "42"
    mark.click()
    detail = browser.find_element("id", "detail").text
    assert "区公安分局行政复议新收" in detail and "table 1, row 2, column 1" in detail and "table" in detail
    _screenshot(browser, tmp_path, "review-table.png")
