"""The web page in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by selenium decides a GO! duration case through the form
generated from the decision's facts schema, and an auditor looks the decision up."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait
from serving import Running
from test_server import AUDITOR, AUTH

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--lang=nl-BE", "--window-size=1280,2200"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert chromium and driver_path, "install chromium and chromium-driver (apt; see .ci/run)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Running(tmp_path_factory.mktemp("serve-page"), "--auth", str(AUTH)) as running:
        yield running


def wait(driver, condition, timeout: float = 20):
    return WebDriverWait(driver, timeout).until(condition)


def type_into(driver, name: str, text: str) -> None:
    field = wait(driver, ready.element_to_be_clickable((By.NAME, name)))
    field.clear()
    if field.get_attribute("type") == "date":
        # a date field takes the date as the browser's locale writes it; set the ISO value
        # the way a date picker does, then tell the page it changed
        driver.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('change'))", field, text)
        assert field.get_attribute("value") == text
    else:
        field.send_keys(text)


def test_the_page_decides_a_go_duration_case_and_an_auditor_looks_it_up(browser, server,
                                                                          tmp_path):
    browser.get(server.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    wait(browser, ready.presence_of_element_located((By.CSS_SELECTOR, "[data-ruleset]")))
    browser.find_element(By.CSS_SELECTOR, "[data-ruleset='go.jobtraining']").click()
    frame = wait(browser, ready.visibility_of_element_located((By.ID, "docs")))
    assert "/api/rulesets/go.jobtraining/docs" in frame.get_attribute("src")
    browser.switch_to.frame(frame)
    heading = wait(browser, ready.visibility_of_element_located((By.TAG_NAME, "h1")))
    assert "Jobtraining" in heading.text
    assert "duur_maanden" in browser.find_element(By.TAG_NAME, "body").text
    browser.switch_to.default_content()

    browser.save_screenshot(str(Path(os.environ.get("REGELWERK_SCREENSHOTS") or tmp_path)
                                / "regelsets.png"))
    browser.find_element(By.ID, "tab-beslissen").click()
    type_into(browser, "peildatum", "2026-11-22")
    wait(browser, ready.presence_of_element_located(
        (By.CSS_SELECTOR, "#beslissing option[value='go.jobtraining.duur']")))
    Select(browser.find_element(By.ID, "beslissing")).select_by_value("go.jobtraining.duur")
    wait(browser, ready.presence_of_element_located((By.ID, "add-aanstellingen")))
    type_into(browser, "vormingsattest.datum", "2025-06-01")
    browser.find_element(By.ID, "add-aanstellingen").click()
    type_into(browser, "aanstellingen.0.van", "2025-09-01")
    Select(browser.find_element(By.NAME, "aanstellingen.0.soort")).select_by_visible_text(
        "proeftijd")
    browser.find_element(By.ID, "add-aanstellingen").click()  # a row added, then removed
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows-aanstellingen tbody tr")
    assert len(rows) == 2
    rows[1].find_element(By.TAG_NAME, "button").click()
    browser.find_element(By.ID, "beslis").click()

    outcome = wait(browser, ready.visibility_of_element_located((By.ID, "resultaat")))
    text = outcome.text
    # each outcome by its Dutch label from the rule file (einddatum's)
    assert "Dag waarop de jobtraining voltooid is" in text and "2026-06-30" in text
    assert "303" in text
    assert "toegelaten tot de proeftijd: telt mee" in text
    trail = browser.find_element(By.ID, "spoor").text
    assert "Duur van de jobtraining in effectief gepresteerde dienst" in trail
    assert "004_818087524ef516da.txt §4.2" in trail
    log_id = browser.find_element(By.ID, "log-id-result").text
    shots = Path(os.environ.get("REGELWERK_SCREENSHOTS") or tmp_path)
    browser.save_screenshot(str(shots / "beslissen.png"))

    browser.find_element(By.ID, "tab-logboek").click()
    type_into(browser, "log-id", log_id)
    browser.find_element(By.ID, "log-zoek").click()
    refused = wait(browser, ready.visibility_of_element_located((By.CSS_SELECTOR,
                                                                 "#log-uitkomst .error")))
    assert "toegangssleutel nodig (401)" in refused.text
    type_into(browser, "token", AUDITOR)
    browser.find_element(By.ID, "log-zoek").click()
    entry = wait(browser, ready.visibility_of_element_located((By.ID, "log-entry")))
    assert log_id in entry.text and "2026-06-30" in entry.text
    wait(browser, ready.visibility_of_element_located((By.CSS_SELECTOR, "#log-uitkomst #spoor")))
    browser.save_screenshot(str(shots / "logboek.png"))
    assert not browser.get_log("browser") or all(
        e["level"] != "SEVERE" for e in browser.get_log("browser"))
