"""What every simulated person of the capacity run (bench/locustfile.py) and of the drill
(bench/drill_locustfile.py) does the same way: an address of their own, sent as
X-Forwarded-For (the bench's gunicorn trusts one proxy, as production behind its proxy, so the
per-address rate limits count each person, not the crowd), and their cookies kept by hand (the
production settings mark them Secure, __Host-, and the bench speaks plain HTTP over loopback)."""

from __future__ import annotations

import itertools

from locust import FastHttpUser

_people = itertools.count(1)


class CookiePerson(FastHttpUser):
    abstract = True
    session_key: str | None = None
    cookie_name = ""  # the session cookie's name: each locustfile sets it from its set-up

    def arrive(self) -> None:
        """Take the next address and start with the session (if any) as the only cookie."""
        n = next(_people)
        # 10.0.0.0/8: private addresses, never routed: only a header value here.
        self.address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        self.cookies: dict[str, str] = {}
        if self.session_key:
            self.cookies[self.cookie_name] = self.session_key
        # Cookies by hand: the client's own jar sends none of them.
        self.client.cookiejar.clear()

    def headers(self, *, form: bool = False) -> dict[str, str]:
        headers = {"Accept-Language": "ja", "X-Forwarded-For": self.address}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep_cookies(self, response) -> None:
        for line in response.headers.getlist("set-cookie") if response.headers else ():
            name, _, value = line.split(";", 1)[0].partition("=")
            if "expires=Thu, 01 Jan 1970" in line or "Max-Age=0" in line:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip('"')
        self.client.cookiejar.clear()
