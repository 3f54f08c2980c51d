#!/usr/bin/env python3
"""Rooms and private-chat requests on the web page, in a real headless
Chromium, against a user on a raw TCP socket through a real server: every
step is done with the page's buttons and forms, and checked on both sides.

Run by tests/web/rooms_browser_test.cc with the server's ports; prints what
it checked and exits non-zero on the first failure. Every wait is bounded.
"""
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser_test import RawUser, TIMEOUT, log_texts, script_main, wait_for


def click(driver, element_id):
    button = driver.find_element(By.ID, element_id)
    wait_for(driver, element_id + " shown", button.is_displayed)
    button.click()


def side_button(driver, selector, label):
    def find():
        found = [b for b in driver.find_elements(By.CSS_SELECTOR, selector)
                 if label in b.text]
        return found[0] if found else None
    return wait_for(driver, "a button " + repr(label), find)


def shown(driver, what, fragment):
    wait_for(driver, what, lambda: any(fragment in t for t in log_texts(driver)))


def joined(port, name):
    user = RawUser(port)
    hello = user.read_line(time.monotonic() + TIMEOUT)
    assert hello.startswith("HELLO "), hello
    user.send("JOIN " + name)
    user.expect("OK JOIN " + name)
    return user


def run(driver, args):
    driver.get("http://127.0.0.1:%d/" % args.web_port)
    driver.find_element(By.ID, "name").send_keys("alice" + Keys.ENTER)
    wait_for(driver, "Connected as alice", lambda: "Connected as alice" in
             driver.find_element(By.ID, "status").text)
    bob = joined(args.plain_port, "bob")
    bob.send("JOIN #Lobby-1")
    bob.expect("OK JOIN #Lobby-1")

    # Rooms: browse, enter by clicking, talk both ways, members, leave.
    click(driver, "browse-rooms")
    side_button(driver, "#room-list button", "#Lobby-1 (1)").click()
    wait_for(driver, "the room's title", lambda: "Room #Lobby-1" in
             driver.find_element(By.ID, "title").text)
    bob.expect("JOINED #Lobby-1 alice")
    print("entered a room from the list of rooms")
    driver.find_element(By.ID, "text").send_keys("hello room" + Keys.ENTER)
    bob.expect("MESG #Lobby-1 alice hello room")
    bob.send("MESG #Lobby-1 hi <i>alice</i>")
    shown(driver, "bob's room message", "hi <i>alice</i>")
    assert not driver.find_elements(By.CSS_SELECTOR, "#log i")
    click(driver, "members")
    shown(driver, "the members", "In #Lobby-1: bob, alice")
    print("room messages both ways; members listed")

    # A room typed in the side form is created.
    room = driver.find_element(By.ID, "room-name")
    room.send_keys("quiet" + Keys.ENTER)
    wait_for(driver, "the new room", lambda: "Room #quiet" in
             driver.find_element(By.ID, "title").text)
    bob.send("ROOMS")
    bob.expect("ROOMS #Lobby-1:2,#quiet:1")
    print("a room created from the form")

    # Back to #Lobby-1 and out of it with the button.
    side_button(driver, "#conversations button", "#Lobby-1").click()
    click(driver, "part-room")
    bob.expect("LEFT #Lobby-1 alice")
    shown(driver, "the part notice", "You left #Lobby-1.")
    print("left a room with its button")

    # Requests: bob takes private messages only from people he accepted.
    bob.send("PRIVACY ask")
    bob.expect("OK PRIVACY ask")
    side_button(driver, "#online button", "bob").click()
    driver.find_element(By.ID, "text").send_keys("psst" + Keys.ENTER)
    shown(driver, "the refusal", "Ask to chat privately")
    click(driver, "invite")
    bob.expect("INVITE alice")
    bob.send("ACCEPT alice")
    bob.expect("OK ACCEPT alice")
    shown(driver, "the acceptance", "bob accepted")
    driver.find_element(By.ID, "text").send_keys("now private" + Keys.ENTER)
    bob.expect("MESG alice now private")
    click(driver, "end-chat")
    bob.expect("ENDED alice")
    print("invited, accepted, wrote, ended with the buttons")

    # An invitation to the page, accepted with its button.
    bob.send("INVITE alice")
    bob.expect("OK INVITE alice")
    side_button(driver, "#invitations button", "Accept").click()
    bob.expect("ACCEPTED alice")
    wait_for(driver, "the invitation gone", lambda: not driver.find_elements(
        By.CSS_SELECTOR, "#invitations li"))
    print("an invitation accepted with its button")

    # The privacy setting: a stranger is refused, bob (accepted) is not.
    driver.find_element(By.ID, "privacy").click()
    carol = joined(args.plain_port, "carol")
    deadline = time.monotonic() + TIMEOUT
    while True:
        carol.send("MESG alice hello")
        answer = carol.read_line(time.monotonic() + TIMEOUT)
        if answer == "ERR Not Accepted: alice":
            break
        assert answer == "OK MESG alice", answer
        assert time.monotonic() < deadline, "the setting never took effect"
    bob.send("MESG alice still fine")
    bob.expect("OK MESG alice")
    print("privacy setting from the checkbox")


if __name__ == "__main__":
    script_main(run, "rooms browser test passed")
