#!/usr/bin/env python3
"""Drives the admin UI in headless Chromium over the DevTools protocol (--remote-debugging-pipe, standard library only).

Signs in, opens Configuration > Synchronisation, creates a token, adds the location the users sync, and checks what
each page shows; saves a screenshot of each page (desktop, and the Synchronisation page phone-sized) to the artefacts
folder. Prints one JSON object with what it saw; exits 1 on the first check that fails. Loopback only.

usage: admin_browser_check.py CHROMIUM BASE_URL LOGIN PASSWORD LOCATION ARTIFACTS_DIR
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, profile):
        read_cmd, write_cmd = os.pipe()   # we write commands, Chromium reads fd 3
        read_evt, write_evt = os.pipe()   # Chromium writes events to fd 4
        # Chromium takes the pipe on fds 3 and 4 exactly; the shell puts them there and execs it.
        self.process = subprocess.Popen(
            ["sh", "-c", f'exec "$0" "$@" 3<&{read_cmd} 4>&{write_evt}', chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--disable-sync", "--hide-scrollbars",
             "--user-data-dir=" + profile, "--window-size=1280,900", "about:blank"],
            pass_fds=(read_cmd, write_evt), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(read_cmd)
        os.close(write_evt)
        self.out = os.fdopen(write_cmd, "wb", buffering=0)
        self.inp = os.fdopen(read_evt, "rb", buffering=0)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = self.inp.read(65536)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=True, timeout=20):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.out.write(json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open(self):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass  # the page is navigating
            time.sleep(0.1)
        raise TimeoutError(f"waited in vain for: {expression}")

    def _mark(self):
        """Marks the current document, so a wait can tell when a new one has loaded."""
        return self.evaluate("window.__klaxonMarker = Math.random(); window.__klaxonMarker")

    def _wait_for_new_page(self, marker, url_part=""):
        self.wait_for(f"window.__klaxonMarker !== {marker} && document.readyState === 'complete' && location.pathname.includes({json.dumps(url_part)})")

    def navigate(self, url):
        marker = self._mark()
        self.send("Page.navigate", {"url": url})
        self._wait_for_new_page(marker)

    def click_and_wait(self, selector, url_part):
        marker = self._mark()
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self._wait_for_new_page(marker, url_part)

    def screenshot(self, path, width=1280, height=900, mobile=False, full_page=True):
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        time.sleep(0.2)
        content = self.evaluate("Math.ceil(document.documentElement.scrollHeight)") if full_page else height
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": max(height, content), "deviceScaleFactor": 1, "mobile": mobile})
        time.sleep(0.2)
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full_page})["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
        self.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def text(browser, selector):
    return browser.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")


def check(condition, message, seen):
    if not condition:
        seen["failure"] = message
        print(json.dumps(seen))
        sys.exit(1)


def main():
    chromium, base, login, password, location, artifacts = sys.argv[1:7]
    os.makedirs(artifacts, exist_ok=True)
    seen = {}
    with tempfile.TemporaryDirectory() as profile:
        browser = Browser(chromium, profile)
        try:
            browser.open()
            browser.navigate(base + "/admin/synchronisation")
            check(browser.evaluate("location.pathname") == "/admin/sign-in", "signed-out visitors go to the sign-in page", seen)
            browser.screenshot(os.path.join(artifacts, "admin-sign-in.png"), 800, 700)
            browser.evaluate(f"document.querySelector('#login').value = {json.dumps(login)}; document.querySelector('#password').value = {json.dumps(password)}")
            browser.click_and_wait("form.stacked button[type=submit]", "/admin/synchronisation")
            seen["heading"] = text(browser, "h1")
            check(seen["heading"] == "Synchronisation", "signing in opens Synchronisation", seen)
            seen["endpoint"] = browser.evaluate("document.querySelector('#endpoint').value")
            check(seen["endpoint"].startswith(base + "/scim/v2/"), "the Endpoint URL is shown", seen)

            browser.evaluate("document.querySelector('#token-label').value = 'Entra ID production'")
            browser.click_and_wait("form[action='/admin/synchronisation/tokens'] button", "/admin/synchronisation")
            seen["token"] = browser.evaluate("(document.querySelector('#new-token-value') || {}).value || ''")
            check(seen["token"].startswith("klx_"), "a new token is shown", seen)
            seen["focused"] = browser.evaluate("document.activeElement && document.activeElement.id")
            check(seen["focused"] == "new-token-value", "the new token has the focus", seen)
            browser.evaluate("document.querySelector('button[data-copy=endpoint]').focus()")
            browser.screenshot(os.path.join(artifacts, "admin-synchronisation.png"))
            browser.screenshot(os.path.join(artifacts, "admin-synchronisation-phone.png"), 390, 844, mobile=True, full_page=False)
            seen["tokenRows"] = browser.evaluate("document.querySelectorAll('#tokens-heading ~ .table-wrap tbody tr').length")

            browser.navigate(base + "/admin/synchronisation")
            seen["tokenAfterReload"] = browser.evaluate("!!document.querySelector('#new-token-value') || document.body.innerText.includes(%s)" % json.dumps(seen["token"]))
            check(not seen["tokenAfterReload"], "the token is not shown again", seen)

            browser.navigate(base + "/admin/locations")
            seen["unmatchedBefore"] = text(browser, ".unmatched tbody")
            check(location in seen["unmatchedBefore"], "the unmatched synced location is listed", seen)
            browser.screenshot(os.path.join(artifacts, "admin-locations-unmatched.png"))
            browser.evaluate(f"document.querySelector('#new-location').value = {json.dumps(location)}")
            browser.click_and_wait("form:has(#new-location) button", "/admin/locations")
            seen["notice"] = text(browser, ".notice")
            seen["locations"] = browser.evaluate("[...document.querySelectorAll('table.locations tbody strong')].map(e => e.textContent)")
            seen["unmatchedAfter"] = browser.evaluate("!!document.querySelector('.unmatched')")
            check(location in seen["locations"], "the new location is listed", seen)
            check("moved to it" in seen["notice"], "the page says the users moved", seen)
            check(not seen["unmatchedAfter"], "no unmatched location is left", seen)
            browser.screenshot(os.path.join(artifacts, "admin-locations.png"))

            browser.navigate(base + "/admin/users")
            seen["users"] = browser.evaluate("document.querySelectorAll('main tbody tr').length")
            browser.screenshot(os.path.join(artifacts, "admin-users.png"))
            browser.click_and_wait("main tbody a", "/admin/users/")
            seen["userLocation"] = text(browser, ".pairs strong")
            check(seen["userLocation"] == location, "the user's page shows the new location", seen)
            browser.screenshot(os.path.join(artifacts, "admin-user.png"))
            browser.navigate(base + "/admin/activity")
            browser.screenshot(os.path.join(artifacts, "admin-activity.png"))
        finally:
            browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
