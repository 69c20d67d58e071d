"""Probe a running site as an attacker would, with CSRF on, and print one table row per probe.

Usage (the demo database, gunicorn behind an imagined nginx, so X-Forwarded-For is believed):

    export DATABASE_URL=sqlite:////tmp/h4/subsidy.db SUBSIDY_MATERIALS=/tmp/h4/materials TRUSTED_PROXIES=1
    subsidy demo --reset && subsidy serve --port 8140 &
    .venv/bin/python tests/security/probe.py http://127.0.0.1:8140 [--json out.json]

Each probe counts the requests it sent, the 5xx answers, and the findings (an answer that shows the weakness:
a redirect off-site, an upload refused by size under 5 MB, an unmasked ID number, a token that outlives its
logout …). Exit 1 when any probe has a finding or a 5xx. Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from web.bureau.samplepdf import flate_pdf, minimal_pdf  # noqa: E402
from web.masking import EMAIL_TEXT, ID_TEXT, PHONE_TEXT, _is_id_number  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ACCOUNTS = {"applicant": "applicant-demo", "reviewer": "reviewer-demo", "auditor": "auditor-demo",
            "admin": "admin-demo"}


@dataclass
class Probe:
    name: str
    sent: int = 0
    errors: int = 0  # 5xx
    findings: list[str] = field(default_factory=list)


class Client:
    """A browser-like session that counts what it sends into the current probe."""

    def __init__(self, base: str, probe: Probe, address: str = "198.51.100.10"):
        self.base, self.probe, self.session = base, probe, requests.Session()
        self.session.headers["X-Forwarded-For"] = address

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 60)
        response = self.session.request(method, self.base + path, **kwargs)
        self.probe.sent += 1
        if response.status_code >= 500:
            self.probe.errors += 1
            self.probe.findings.append(f"{method} {path[:60]} → {response.status_code}")
        return response

    def token(self, path: str) -> str:
        found = TOKEN.search(self.request("GET", path).text)
        return found.group(1) if found else ""

    def login(self, username: str, password: str | None = None, next_: str | None = None) -> requests.Response:
        page = "/login" + (f"?next={requests.utils.quote(next_, safe='')}" if next_ else "")
        data = {"username": username, "password": password or ACCOUNTS.get(username, ""), "csrf_token": self.token(page)}
        if next_ is not None:
            data["next"] = next_
        return self.request("POST", page, data=data)


def redirects(base: str, probe: Probe) -> None:
    for target in ("/\t/evil.example/phish", "//evil.example", "/\\evil.example", "https://evil.example/",
                   "/\r\n/evil.example", "\x00//evil.example", "/\x0b/evil.example", "/%09/evil.example",
                   "http:evil.example", "/ /evil.example"):
        client = Client(base, probe, "198.51.100.11")
        response = client.login("reviewer", next_=target)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or location.startswith("//") or "evil.example" in location.split("?")[0][:24] \
                and not location.startswith("/%"):
            probe.findings.append(f"next={target!r} → {response.status_code} {location!r}")


def csrf(base: str, probe: Probe) -> None:
    client = Client(base, probe, "198.51.100.12")
    for path, data in (("/login", {"username": "reviewer", "password": "reviewer-demo"}),
                       ("/selfcheck/reset", {}), ("/logout", {}), ("/selfcheck/upload", {})):
        response = client.request("POST", path, data=data)
        if response.status_code < 400:
            probe.findings.append(f"POST {path} without a token → {response.status_code}")


def _png(size: int) -> bytes:
    from PIL import Image

    side = int((size / 3) ** 0.5) + 8
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def uploads(base: str, probe: Probe) -> None:
    client = Client(base, probe, "198.51.100.13")
    client.login("applicant")
    sample = sorted((ROOT / "sample_applicants").glob("*.yaml"))[0].read_bytes()
    client.request("POST", "/selfcheck/upload", data={"csrf_token": client.token("/selfcheck/upload")},
                   files={"profile": ("profile.yaml", sample)})
    calls = re.findall(r'href="/applications/new\?call=(\d+)"', client.request("GET", "/applications/new").text)
    if not calls:
        probe.findings.append("no open call to apply under")
        return
    page = f"/applications/new?call={calls[0]}"
    html = client.request("GET", page).text
    items = re.findall(r'name="file-([^"]+)"', html) or ["form"]
    pdf = minimal_pdf(["probe"])
    bomb = flate_pdf(zlib.compress(b"\0" * (150 * 1024 * 1024), 9))
    cases = [("4 MB scan", _png(4 * 1024 * 1024), "scan.png", "accepted"),
             ("5 MB + 1", _png(5 * 1024 * 1024 + 1), "toolarge.png", "5MB"),
             ("polyglot", pdf.replace(b"%%EOF", b"<html><script>alert(1)</script></html>\n%%EOF"), "poly.pdf", "多格式伪装"),
             ("svg in png", _png(2000)[:-12] + b"<svg onload=alert(1)>" + _png(1)[-12:], "svg.png", "多格式伪装"),
             ("bomb", bomb, "bomb.pdf", "压缩炸弹"), ("zip as pdf", b"PK\x03\x04" + os.urandom(300), "a.pdf", "ZIP")]
    for label, blob, name, expect in cases:
        data = {"call": calls[0], "confirm": "y", "contact_name": "王工", "contact_phone": "13800001234",
                "contact_email": "wang@example.cn", "csrf_token": TOKEN.search(html).group(1) if TOKEN.search(html) else ""}
        response = client.request("POST", "/applications/new", data=data, files={f"file-{items[0]}": (name, blob)})
        body = response.text
        if response.status_code == 413:
            probe.findings.append(f"{label}: 413 (refused by size before the form was read)")
        elif expect == "accepted":
            if name not in body or "文件超过" in body:
                probe.findings.append(f"{label}: not kept ({response.status_code})")
        elif expect not in body or name not in body:
            probe.findings.append(f"{label}: not refused by name ({response.status_code})")
        if response.status_code != 413 and 'value="wang@example.cn"' not in body and response.status_code != 302:
            probe.findings.append(f"{label}: the rest of the form was lost")


def hostile_yaml(base: str, probe: Probe) -> None:
    sample = (ROOT / "sample_applicants" / "hnte_boundary_leap_year.yaml").read_text("utf-8")
    edits = [("registered_on: 2024-02-29", "registered_on: 2024-02-30"), ("total: 30,", "total: 1:20:30,"),
             ("resident_enterprise: true", "resident_enterprise: yes"), ("total: 30,", "total: 017,"),
             ("total: 30,", "total: " + "9" * 4300 + ","), ("sales: 900万元", "sales: " + "9" * 40 + "万元"),
             ("kind: enterprise", "kind: &a enterprise\nx: *a"), ("total: 30,", "total: 1_000,")]
    client = Client(base, probe, "198.51.100.14")
    for old, new in edits:
        response = client.request("POST", "/selfcheck/upload", data={"csrf_token": client.token("/selfcheck/upload")},
                                  files={"profile": ("p.yaml", sample.replace(old, new, 1).encode())})
        if response.status_code != 400:
            probe.findings.append(f"{new[:30]!r} → {response.status_code}")
    api = Client(base, probe, "198.51.100.15")
    bodies = [{"profile": {"kind": "enterprise", "registered_on": "2024-02-30"}},
              {"profile": {"kind": "enterprise", "staff": {"total": 10 ** 4299}}}]
    for body in bodies:
        response = api.request("POST", "/api/v1/evaluate", data=json.dumps(body),
                               headers={"Content-Type": "application/json"})
        if not 400 <= response.status_code < 500:
            probe.findings.append(f"API {json.dumps(body)[:40]} → {response.status_code}")


def _api_token(base: str, probe: Probe, username: str, address: str) -> Client:
    api = Client(base, probe, address)
    response = api.request("POST", "/api/v1/tokens", json={"username": username, "password": ACCOUNTS[username]})
    api.session.headers["Authorization"] = f"Bearer {response.json().get('access_token', '')}"
    return api


def _personal_application(base: str, probe: Probe) -> None:
    """The demo applicant files an application whose stored profile carries a phone and an e-mail in free text."""
    import yaml

    api = _api_token(base, probe, "applicant", "198.51.100.19")
    path = sorted((ROOT / "sample_applicants").glob("*.yaml"))[0]
    profile = json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))  # dates as text
    profile["name"] = f"{profile['name']}（联系电话13912345678，probe.person@example.cn）"
    kind = profile.get("kind", "enterprise")
    measures = [m["id"] for m in api.request("GET", f"/api/v1/measures?applicant={kind}").json()["measures"]]
    for measure in measures[:8]:  # the first measure no open call covers (those go through their call)
        response = api.request("POST", "/api/v1/applications", json={"profile": profile, "as_of": "2025-06-30",
                                                                       "measures": [measure]})
        if response.status_code == 201:
            break
    if response.status_code != 201:
        probe.findings.append(f"could not file the probe application: {response.status_code} {response.text[:200]}")


def privacy(base: str, probe: Probe) -> None:
    """Every API response for every role: no full ID number, phone or e-mail where the role may not see it."""
    from web.masking import sees

    _personal_application(base, probe)

    for n, (username, role) in enumerate((("reviewer", "reviewer"), ("auditor", "auditor"), ("admin", "admin"))):
        api = _api_token(base, probe, username, f"198.51.100.{20 + n}")
        for i in range(1, 40):
            for method, path in (("GET", f"/api/v1/applications/{i}"), ("GET", f"/api/v1/decisions/{i}"),
                                 ("POST", f"/api/v1/decisions/{i}/replay")):
                response = api.request(method, path, json={} if method == "POST" else None)
                text = response.text
                leaks = [m for m in ID_TEXT.findall(text) if _is_id_number(m)] if not sees(role, "id") else []
                leaks += PHONE_TEXT.findall(text) if not sees(role, "phone") else []
                leaks += [m for m in EMAIL_TEXT.findall(text) if not m.endswith("example.org")] \
                    if not sees(role, "email") else []
                if leaks:
                    probe.findings.append(f"{username} {path}: {leaks[:2]}")


def tokens(base: str, probe: Probe) -> None:
    api = _api_token(base, probe, "auditor", "198.51.100.30")
    if api.request("GET", "/api/v1/decisions/1").status_code != 200:
        probe.findings.append("a fresh token does not work")
    browser = Client(base, probe, "198.51.100.30")
    browser.login("auditor")
    browser.request("POST", "/logout", data={"csrf_token": browser.token("/audit/")})
    if api.request("GET", "/api/v1/decisions/1").status_code != 401:
        probe.findings.append("the token outlived its user's logout")


def lockout(base: str, probe: Probe) -> None:
    for i in range(10):
        Client(base, probe, f"192.0.2.{i}").login("reviewer", "not-the-password")
    poller = Client(base, probe, "203.0.113.9")
    codes = [poller.login("reviewer", "not-the-password").status_code for _ in range(20)]
    if codes.count(429) < 15:
        probe.findings.append(f"the poller was answered {codes.count(200)} times")
    owner = Client(base, probe, "198.51.100.99")
    response = owner.login("reviewer")
    if response.status_code != 302:
        probe.findings.append(f"the owner on a new address got {response.status_code}")


def xss_and_headers(base: str, probe: Probe) -> None:
    client = Client(base, probe, "198.51.100.40")
    payload = "<script>alert(19)</script>"
    for path in ("/selfcheck/", "/calls/", "/login", "/selfcheck/upload", "/api/v1/docs", "/nope"):
        response = client.request("GET", path, params={"q": payload, "next": payload, "lang": payload})
        if payload in response.text:
            probe.findings.append(f"{path}: the payload is reflected raw")
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
            if header not in response.headers:
                probe.findings.append(f"{path}: no {header}")


def exports(base: str, probe: Probe) -> None:
    client = Client(base, probe, "198.51.100.50")
    for call in re.findall(r'href="/calls/(\d+)"', client.request("GET", "/calls/").text)[:5]:
        response = client.request("GET", f"/calls/{call}/notice.csv")
        if response.status_code == 200:
            for line in response.content.decode("utf-8-sig").splitlines()[1:]:
                cells = line.split(",")
                if any(c[:1] in ("=", "+", "@", "\t") or (c[:1] == "-" and not c[1:].isdigit()) for c in cells):
                    probe.findings.append(f"call {call}: a formula cell")


PROBES: dict[str, Callable[[str, Probe], None]] = {
    "open redirect via next (10 targets)": redirects, "CSRF: posts without a token": csrf,
    "uploads with CSRF on: 4 MB scan, 5 MB+1, polyglots, bomb, zip": uploads,
    "hostile YAML / JSON (upload and API)": hostile_yaml, "API privacy: 3 staff roles × 39 ids × 3 endpoints": privacy,
    "API token after logout": tokens, "lock-out: poller vs owner on a new address": lockout,
    "reflected XSS and security headers": xss_and_headers, "公示 CSV formula cells": exports,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    for name, run in PROBES.items():
        probe = Probe(name)
        try:
            run(args.base.rstrip("/"), probe)
        except requests.RequestException as exc:
            probe.findings.append(f"request failed: {exc}")
        results.append(probe)
    print("| probe | requests | 5xx | findings open |")
    print("|---|---:|---:|---:|")
    for p in results:
        print(f"| {p.name} | {p.sent} | {p.errors} | {len(p.findings)} |")
    total = Probe("total", sum(p.sent for p in results), sum(p.errors for p in results),
                  [f for p in results for f in p.findings])
    print(f"| **total** | **{total.sent}** | **{total.errors}** | **{len(total.findings)}** |")
    for p in results:
        for finding in p.findings:
            print(f"  {p.name}: {finding}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps([p.__dict__ for p in results], ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if total.findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
