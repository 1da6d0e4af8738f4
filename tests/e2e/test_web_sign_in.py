"""Signing in to the web UI of `akta-embedded run` with a browser's cookie jar: the form in
three languages, one message for wrong credentials, a server-side session behind an HttpOnly
cookie that authenticates API calls (changes only with the CSRF header), and sign-out."""

import httpx

from tests.e2e.browser import page_csrf_token, submit_sign_in
from tests.support.processes import Processes, base_environment, free_port


def test_web_sign_in_embedded(tmp_path):
    port = free_port()
    processes = Processes(tmp_path)
    try:
        processes.start("embedded", ["akta-embedded", "run", "--port", str(port)],
                        base_environment(AKTA_DATA_DIR=str(tmp_path / "var")))
        base_url = f"http://127.0.0.1:{port}"
        processes.wait_ready(f"{base_url}/api/cases/readyz")
        browser = httpx.Client(base_url=base_url)

        danish = browser.get("/login")
        assert danish.status_code == 200 and '<html lang="da">' in danish.text
        assert "Log ind" in danish.text and "Brugernavn" in danish.text and "Adgangskode" in danish.text
        english = browser.get("/login?lang=en")
        assert '<html lang="en">' in english.text and "User name" in english.text and "Password" in english.text

        wrong = submit_sign_in(browser, "demo-skole", "demo", "not-the-password")
        assert wrong.status_code == 401
        assert "Organisation, brugernavn eller adgangskode er forkert." in wrong.text
        assert "akta_session" not in browser.cookies

        signed_in = submit_sign_in(browser, "demo-skole", "demo", "demo-demo")
        assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/"
        cookie = next(value for value in signed_in.headers.get_list("set-cookie") if value.startswith("akta_session="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        session_id = browser.cookies["akta_session"]

        home = browser.get("/")
        assert "Du er logget ind som Demo Sagsbehandler." in home.text
        csrf_token = page_csrf_token(home.text)

        cases = browser.get("/api/cases/cases")
        assert cases.status_code == 200, cases.text
        titles = {case["title"] for case in cases.json()["items"]}
        assert {"Skolebestyrelsesmøde november", "Indkøb af nye tavler"} <= titles
        sample = next(case for case in cases.json()["items"] if case["access_group_id"])
        new_case = {
            "title": "Oprettet fra browseren",
            "template_id": sample["template_id"],
            "access_group_id": sample["access_group_id"],
        }
        forged = browser.post("/api/cases/cases", json=new_case)
        assert forged.status_code == 403 and forged.headers["content-type"] == "application/problem+json"
        created = browser.post("/api/cases/cases", json=new_case, headers={"X-CSRF-Token": csrf_token})
        assert created.status_code == 201, created.text

        signed_out = browser.post("/logout", data={"csrf_token": csrf_token})
        assert signed_out.status_code == 303
        assert "akta_session" not in browser.cookies
        stale = httpx.get(f"{base_url}/api/cases/cases", cookies={"akta_session": session_id})
        assert stale.status_code == 401
    finally:
        processes.stop_all()
