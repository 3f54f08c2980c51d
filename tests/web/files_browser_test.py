#!/usr/bin/env python3
"""File transfer on the web page, in a real headless Chromium, against a user
on a raw TCP socket through a real server: one file each way, both bigger
than the 256 KiB window, checked byte for byte on both sides.

Run by tests/web/browser_test.cc with the server's ports; prints what it
checked and exits non-zero on the first failure. Every wait is bounded.
"""
import base64
import hashlib
import os
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_test import RawUser, TIMEOUT, script_main, wait_for


def join_page_and_raw_user(driver, args, page_name, raw_name):
    driver.get("http://127.0.0.1:%d/" % args.web_port)
    driver.find_element(By.ID, "name").send_keys(page_name + Keys.ENTER)
    wait_for(driver, "Connected as " + page_name, lambda: "Connected as " +
             page_name in driver.find_element(By.ID, "status").text)
    raw = RawUser(args.plain_port)
    assert raw.read_line(time.monotonic() + TIMEOUT).startswith("HELLO ")
    raw.send("JOIN " + raw_name)
    raw.expect("OK JOIN " + raw_name)
    wait_for(driver, raw_name + " in the online list", lambda: raw_name in
             driver.find_element(By.ID, "online").text)
    return raw


def read_until(raw, prefix):
    deadline = time.monotonic() + TIMEOUT
    for _ in range(1000):
        line = raw.read_line(deadline)
        if line.startswith(prefix):
            return line
    raise AssertionError("raw user: never got " + prefix)


def files_text(driver):
    return driver.find_element(By.ID, "files").text


def run(driver, args):
    """One file each way between the page and a raw-socket user, bigger
    than the 256 KiB window so that ACKs pace both senders."""
    raw = join_page_and_raw_user(driver, args, "alice", "bob")

    # The page's own SHA-256 (used where crypto.subtle is missing: pages
    # served over plain http from another machine) gives the right digest.
    sample = os.urandom(100000)
    digest = driver.execute_script(
        "const h = new Sha256();"
        "h.update(Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0)));"
        "return h.hex();", base64.b64encode(sample).decode())
    assert digest == hashlib.sha256(sample).hexdigest(), digest
    print("the page's SHA-256 fallback matches")

    # Page to raw user: the file picker of the private conversation.
    content = os.urandom(700 * 1024 + 17)
    path = os.path.join(args.temp_dir, "from page.bin")
    with open(path, "wb") as out:
        out.write(content)
    [button] = [b for b in driver.find_elements(By.CSS_SELECTOR, "#online button")
                if b.text == "bob"]
    button.click()
    wait_for(driver, "the conversation with bob", lambda: "bob" in
             driver.find_element(By.ID, "title").text)
    picker = driver.find_element(By.ID, "file-input")
    driver.execute_script("arguments[0].classList.remove('hidden')", picker)
    picker.send_keys(path)
    driver.execute_script("arguments[0].classList.add('hidden')", picker)
    offer = read_until(raw, "FILE OFFER alice ").split(" ")
    file_id = offer[3]
    assert offer[4:] == [str(len(content)), hashlib.sha256(content).hexdigest(),
                         "from", "page.bin"], offer
    raw.send("FILE ACCEPT " + file_id)
    raw.expect("OK FILE ACCEPT " + file_id)
    received = b""
    while True:
        line = read_until(raw, "FILE ")
        words = line.split(" ")
        if words[1] == "END":
            break
        assert words[1] == "DATA" and words[2] == file_id, line
        chunk = base64.b64decode(words[3], validate=True)
        assert 1 <= len(chunk) <= 3000
        received += chunk
        raw.send("FILE ACK %s %d" % (file_id, len(received)))
    assert received == content, "the raw user got other bytes"
    wait_for(driver, "the page to say sent", lambda: "sent" in
             files_text(driver))
    print("a file went from the page to the raw user byte for byte")

    # Raw user to page: Accept, then the download link of a checked Blob.
    content = os.urandom(400 * 1024 + 5)
    raw.send("FILE OFFER alice %d %s photo.jpg" %
             (len(content), hashlib.sha256(content).hexdigest()))
    file_id = read_until(raw, "OK FILE OFFER ").split(" ")[3]
    wait_for(driver, "the Accept button", lambda: [
        b for b in driver.find_elements(By.CSS_SELECTOR, "#files button")
        if b.text == "Accept"])
    [accept] = [b for b in driver.find_elements(By.CSS_SELECTOR, "#files button")
                if b.text == "Accept"]
    accept.click()
    read_until(raw, "FILE ACCEPT " + file_id)
    sent = acked = 0
    while sent < len(content):
        while sent - acked + 3000 > 256 * 1024:
            acked = int(read_until(raw, "FILE ACK " + file_id).split(" ")[3])
        chunk = content[sent:sent + 3000]
        raw.send("FILE DATA %s %s" % (file_id, base64.b64encode(chunk).decode()))
        sent += len(chunk)
    raw.send("FILE END " + file_id)
    raw.expect("OK FILE END " + file_id)
    wait_for(driver, "the download link", lambda: driver.find_elements(
        By.CSS_SELECTOR, "#files a[download]"))
    link = driver.find_element(By.CSS_SELECTOR, "#files a[download]")
    assert link.get_attribute("download") == "photo.jpg"
    assert "SHA-256 checked" in files_text(driver), files_text(driver)
    # Save: the browser downloads the Blob.
    saved = os.path.join(args.temp_dir, "downloads", "photo.jpg")
    link.click()
    wait_for(driver, "the download of photo.jpg", lambda: os.path.exists(saved)
             and os.path.getsize(saved) == len(content))
    with open(saved, "rb") as got:
        assert got.read() == content, "the download holds other bytes"
    print("a file went from the raw user to the page byte for byte")
    if args.screenshot:
        driver.save_screenshot(args.screenshot)
        print("screenshot saved to", args.screenshot)
    raw.send("QUIT")


def download_dir(args):
    path = os.path.join(args.temp_dir, "downloads")
    os.makedirs(path)
    return path


def add_arguments(parser):
    parser.add_argument("--temp-dir", required=True)
    parser.add_argument("--screenshot")


if __name__ == "__main__":
    script_main(run, "files browser test passed", add_arguments, download_dir)
