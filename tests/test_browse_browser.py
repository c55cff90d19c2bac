"""``fazhi browse`` in a real browser: datasette on 127.0.0.1 over the lake's snapshot, driven by
Selenium in Debian's headless Chromium. A SQL query and a facet give the lake's own numbers, and a
record's link opens its highlight on the review page."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter

import pytest

from fazhi.lake.store import Lake

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else shutil.which("chromedriver")

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are required in CI (apt-get install -y chromium "
                    "chromium-driver fonts-noto-cjk)", pytrace=False)
    pytest.skip("chromium / chromedriver not installed (CI installs them)", allow_module_level=True)


@pytest.fixture(scope="module")
def sample_lake(sample_run):
    """The samples' lake (conftest: built without Prefect); tests do not write to it."""
    return sample_run[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(sample_lake, tmp_path_factory):
    port = _free_port()
    review = tmp_path_factory.mktemp("review")
    proc = subprocess.Popen([sys.executable, "-m", "fazhi.cli", "browse", "--lake", str(sample_lake),
                             "--port", str(port), "--review", str(review)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"fazhi browse did not start: {out}\n{err}")
        time.sleep(0.2)
    yield Lake(sample_lake), base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1400,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_it_listens_on_127_0_0_1_only(site):
    _, base = site
    assert base.startswith("http://127.0.0.1:")


def test_a_sql_query_in_the_browser(site, browser):
    from urllib.parse import quote

    lake, base = site
    sql = "select type, count(*) as n from records group by type order by type"
    browser.get(f"{base}/lake?sql={quote(sql)}")
    cells = browser.execute_script("""
        return Array.from(document.querySelectorAll('table.rows-and-columns tbody tr'))
          .map(tr => Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim()));""")
    expected = Counter(lake.read("records").column("type").to_pylist())
    assert {t: int(n) for t, n in cells} == dict(expected)


def test_a_write_is_refused(site):
    from urllib.parse import quote

    _, base = site
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{base}/lake.json?sql={quote('delete from records')}", timeout=10)


def test_a_facet_and_its_filter_in_the_browser(site, browser):
    from selenium.webdriver.common.by import By

    lake, base = site
    browser.get(f"{base}/lake/records")
    facets = browser.execute_script("""
        const out = {};
        document.querySelectorAll('.facet-info[data-column="type"] li').forEach(li => {
          const a = li.querySelector('a');
          if (a) out[a.textContent.trim()] = parseInt(li.textContent.slice(a.textContent.length).replace(/[^0-9]/g, ''));
        });
        return out;""")
    expected = Counter(lake.read("records").column("type").to_pylist())
    assert facets == dict(expected)
    categories = browser.execute_script(
        "return document.querySelectorAll('.facet-info[data-column=\"category\"] li a').length")
    assert categories >= 3
    browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="type"] li a[href*="type=amount"]').click()
    count = browser.execute_script("return document.querySelector('h3').textContent")
    assert f"{expected['amount']} row" in count
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('td.col-type')).map(td => td.textContent.trim())")
    assert shown and set(shown) == {"amount"}


def test_a_record_links_to_its_highlight_on_the_review_page(site, browser):
    from selenium.webdriver.common.by import By

    lake, base = site
    browser.get(f"{base}/lake/records?type=amount&_sort=record_id")
    text = browser.find_element(By.CSS_SELECTOR, "td.col-text").text
    browser.find_element(By.CSS_SELECTOR, "td.col-review a.review-link").click()
    assert "/review/" in browser.current_url and "#r-" in browser.current_url
    anchor = browser.current_url.split("#", 1)[1]
    marked = browser.execute_script("return document.getElementById(arguments[0]).textContent", anchor)
    assert marked == text


def test_the_snapshot_has_the_current_tables_and_the_dictionary(site):
    lake, base = site
    with urllib.request.urlopen(f"{base}/lake/documents.json?_shape=array&_size=max", timeout=10) as r:
        docs = json.loads(r.read())
    assert sorted(d["name"] for d in docs) == sorted(d["name"] for d in lake.read("documents").to_pylist())
    with urllib.request.urlopen(f"{base}/-/metadata.json", timeout=10) as r:
        meta = json.loads(r.read())
    cols = meta["databases"]["lake"]["tables"]["records"]["columns"]
    assert cols["display"].startswith("The value in the report's own scale")
