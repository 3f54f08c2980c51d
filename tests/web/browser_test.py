#!/usr/bin/env python3
"""The web page in a real headless Chromium (through chromium-driver and
Selenium), chatting with a user on a raw TCP socket through a real server.

Run by tests/web/browser_test.cc with the server's ports; prints what it
checked and exits non-zero on the first failure. Every wait is bounded.
"""
import argparse
import os
import socket
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

TIMEOUT = 10


class RawUser:
    """A user on the plain port, reading lines with a deadline."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), TIMEOUT)
        self.buffer = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def read_line(self, deadline):
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("raw user: no line in time")
            self.sock.settimeout(left)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise AssertionError("raw user: connection closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def expect(self, wanted):
        deadline = time.monotonic() + TIMEOUT
        seen = []
        while True:
            line = self.read_line(deadline)
            if line == wanted:
                return
            seen.append(line)
            if len(seen) > 100:
                raise AssertionError("raw user: never got %r" % wanted)


def start_browser(download_dir=None):
    """Headless Chromium through chromium-driver (root needs --no-sandbox);
    with `download_dir`, downloads go there without asking."""
    options = webdriver.ChromeOptions()
    if download_dir:
        options.add_experimental_option("prefs", {
            "download.default_directory": download_dir,
            "download.prompt_for_download": False})
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--window-size=1000,700",
                 "--no-first-run", "--disable-extensions"):
        options.add_argument(flag)
    service = Service(executable_path="/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def script_main(run, passed, add_arguments=None, download_dir=None):
    """What every browser script does around its `run(driver, args)`: the
    ports from the command line (and what `add_arguments` adds), a browser
    (downloading to `download_dir(args)` if given), "FAILED: ..." and exit
    status 1 on the first failed check, else the `passed` line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--web-port", type=int, required=True)
    parser.add_argument("--plain-port", type=int, required=True)
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    try:
        driver = start_browser(download_dir(args) if download_dir else None)
        try:
            run(driver, args)
        finally:
            driver.quit()
    except AssertionError as failure:
        print("FAILED:", failure)
        sys.exit(1)
    print(passed)


def wait_for(driver, what, condition):
    try:
        return WebDriverWait(driver, TIMEOUT).until(lambda d: condition())
    except WebDriverException as error:
        raise AssertionError("browser: timed out waiting for " + what) from error


def log_texts(driver):
    # Read in one script: the page may replace the lines between two calls.
    return driver.execute_script(
        "return [...document.querySelectorAll('#log li')]"
        ".map((li) => li.textContent);")


def run(driver, args):
    url = "http://127.0.0.1:%d/" % args.web_port
    driver.get(url)
    print("opened", url)

    # The name form.
    name = driver.find_element(By.ID, "name")
    name.send_keys("alice" + Keys.ENTER)
    wait_for(driver, "the chat view",
             lambda: driver.find_element(By.ID, "chat").is_displayed())
    wait_for(driver, "Connected as alice", lambda: "Connected as alice" in
             driver.find_element(By.ID, "status").text)
    print("browser user joined")

    bob = RawUser(args.plain_port)
    hello = bob.read_line(time.monotonic() + TIMEOUT)
    assert hello.startswith("HELLO "), hello
    bob.send("JOIN bob")
    bob.expect("OK JOIN bob")

    # The online list shows both, and the join notice.
    wait_for(driver, "bob in the online list", lambda: "bob" in
             driver.find_element(By.ID, "online").text)
    wait_for(driver, "the join notice",
             lambda: any("bob joined." in t for t in log_texts(driver)))
    print("online list and join notice shown")

    # Broadcast from the browser (keyboard only: Enter sends).
    text = driver.find_element(By.ID, "text")
    text.send_keys("hello <b>everyone</b>" + Keys.ENTER)
    bob.expect("BCST alice hello <b>everyone</b>")
    print("browser broadcast reached the raw user")

    # Broadcast from the raw socket, with HTML that must stay text.
    bob.send("BCST <img src=x onerror=alert(1)> hi alice")
    bob.expect("OK BCST 1")
    wait_for(driver, "bob's broadcast", lambda: any(
        "<img src=x onerror=alert(1)> hi alice" in t for t in log_texts(driver)))
    assert not driver.find_elements(By.CSS_SELECTOR, "#log img"), \
        "network text was inserted as HTML"
    print("raw broadcast shown as text")

    # Private messages both ways.
    bob.send("MESG alice psst, private")
    bob.expect("OK MESG alice")
    wait_for(driver, "an unread marker", lambda:
             driver.find_elements(By.CSS_SELECTOR, "#conversations .unread"))
    conversation = [b for b in driver.find_elements(
        By.CSS_SELECTOR, "#conversations button") if "bob" in b.text]
    assert conversation, "no private conversation with bob"
    conversation[0].click()
    wait_for(driver, "the private message", lambda: any(
        "psst, private" in t for t in log_texts(driver)))
    assert "Private conversation with bob" in \
        driver.find_element(By.ID, "title").text
    text = driver.find_element(By.ID, "text")
    text.send_keys("secret reply" + Keys.ENTER)
    bob.expect("MESG alice secret reply")
    print("private messages both ways")

    # A protocol line typed as in the console client.
    text.send_keys("/msg bob typed command" + Keys.ENTER)
    bob.expect("MESG alice typed command")

    # LEFT: the raw user quits.
    bob.send("QUIT")
    bob.expect("OK QUIT")
    everyone = [b for b in driver.find_elements(
        By.CSS_SELECTOR, "#conversations button") if "Everyone" in b.text]
    everyone[0].click()
    wait_for(driver, "the leave notice",
             lambda: any("bob left." in t for t in log_texts(driver)))
    wait_for(driver, "bob gone from the online list", lambda: "bob" not in
             driver.find_element(By.ID, "online").text)
    print("LEFT shown")

    os.makedirs(os.path.dirname(args.screenshot) or ".", exist_ok=True)
    bob2 = RawUser(args.plain_port)
    bob2.read_line(time.monotonic() + TIMEOUT)
    bob2.send("JOIN carol")
    bob2.expect("OK JOIN carol")
    bob2.send("BCST Welcome back, everyone!")
    wait_for(driver, "carol's line", lambda: any(
        "Welcome back" in t for t in log_texts(driver)))
    driver.save_screenshot(args.screenshot)
    print("screenshot saved to", args.screenshot)

    # A narrow (phone) screen still shows the conversation and composer.
    driver.set_window_size(380, 700)
    assert driver.find_element(By.ID, "text").is_displayed()
    assert driver.find_element(By.ID, "toggle-side").is_displayed()
    print("narrow screen usable")


if __name__ == "__main__":
    script_main(run, "browser test passed", lambda parser: parser.add_argument(
        "--screenshot", required=True))
