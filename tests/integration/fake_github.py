"""A fake GitHub REST API for the PR comment and drift issue tests (issues 13 and 21).

A real HTTP server on 127.0.0.1 (port 0, own thread) that keeps one repository's issues and
issue comments in memory and serves what ecsplan calls, shaped like api.github.com: issue
comments (list paginated with Link headers, a few per page; create, update, delete), issues
(list open ones, pull requests included as GitHub does; create; update title, body, state).
It checks the token, records every request and can fail the next call of a method.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "ghs_FAKEtoken0123456789abcdef"
REPO = "acme/deploys"
PR = 7
BOT = "github-actions[bot]"

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    """Issue comments and issues of one repository, served like api.github.com does."""

    page_size: int = 3
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    failures: list[tuple[str, int, str]] = field(default_factory=list)
    next_id: int = 1000
    next_number: int = 100
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, pr: int, body: str, user: str = BOT) -> dict[str, Any]:
        self.next_id += 1
        c = {
            "id": self.next_id,
            "body": body,
            "user": {"login": user},
            "html_url": f"https://github.com/{REPO}/pull/{pr}#issuecomment-{self.next_id}",
            "url": f"{self.url}/repos/{REPO}/issues/comments/{self.next_id}",
        }
        self.comments.setdefault(pr, []).append(c)
        return c

    def add_issue(
        self, title: str, body: str, user: str = BOT, *, pull_request: bool = False
    ) -> dict[str, Any]:
        """An open issue (or a pull request, which the issues endpoint lists too)."""
        self.next_number += 1
        n = self.next_number
        kind = "pull" if pull_request else "issues"
        issue: dict[str, Any] = {
            "number": n,
            "title": title,
            "body": body,
            "state": "open",
            "state_reason": None,
            "user": {"login": user},
            "html_url": f"https://github.com/{REPO}/{kind}/{n}",
            "url": f"{self.url}/repos/{REPO}/issues/{n}",
        }
        if pull_request:
            issue["pull_request"] = {"url": f"{self.url}/repos/{REPO}/pulls/{n}"}
        self.issues[n] = issue
        return issue

    def fail_next(self, method: str, status: int, message: str) -> None:
        """The next ``method`` request answers ``status`` with GitHub's error shape."""
        self.failures.append((method, status, message))

    def bodies(self, pr: int = PR) -> list[str]:
        return [c["body"] for c in self.comments.get(pr, [])]

    def open_issues(self) -> list[dict[str, Any]]:
        return [i for i in self.issues.values() if i["state"] == "open" and "pull_request" not in i]

    def find(self, comment_id: int) -> tuple[int, dict[str, Any]] | None:
        for pr, cs in self.comments.items():
            for c in cs:
                if c["id"] == comment_id:
                    return pr, c
        return None

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method]

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        parsed = urllib.parse.urlsplit(h.path)
        with self.lock:
            self.requests.append(Recorded(h.command, parsed.path, dict(h.headers.items()), body))
            status, doc, headers = self._route(h.command, parsed.path, parsed.query, body, h)
        data = b"" if doc is None else json.dumps(doc).encode()
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _route(
        self, method: str, path: str, query: str, body: Any, h: BaseHTTPRequestHandler
    ) -> Answer:
        if h.headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}, {}
        for i, (m, status, message) in enumerate(self.failures):
            if m == method:
                del self.failures[i]
                return status, {"message": message}, {}
        q = urllib.parse.parse_qs(query)
        if path == f"/repos/{REPO}/issues":
            return self._issues(method, path, q, body)
        prefix = f"/repos/{REPO}/issues/"
        if not path.startswith(prefix):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(prefix) :].split("/")
        if len(rest) == 1 and rest[0].isdigit():
            return self._issue(method, int(rest[0]), body)
        if len(rest) == 2 and rest[1] == "comments" and rest[0].isdigit():
            pr = int(rest[0])
            if method == "GET":
                return self._list(self.comments.get(pr, []), path, q)
            if method == "POST":
                return 201, self.add(pr, body["body"]), {}
        if len(rest) == 2 and rest[0] == "comments" and rest[1].isdigit():
            return self._comment(method, int(rest[1]), body)
        return 404, {"message": "Not Found"}, {}

    def _issues(self, method: str, path: str, q: dict[str, list[str]], body: Any) -> Answer:
        if method == "GET":
            state = q.get("state", ["open"])[0]
            items = [i for i in self.issues.values() if state == "all" or i["state"] == state]
            return self._list(items, path, q)
        if method == "POST":
            return 201, self.add_issue(body["title"], body.get("body") or ""), {}
        return 404, {"message": "Not Found"}, {}

    def _issue(self, method: str, number: int, body: Any) -> Answer:
        issue = self.issues.get(number)
        if issue is None:
            return 404, {"message": "Not Found"}, {}
        if method == "GET":
            return 200, issue, {}
        if method == "PATCH":
            for k in ("title", "body", "state", "state_reason"):
                if k in body:
                    issue[k] = body[k]
            return 200, issue, {}
        return 404, {"message": "Not Found"}, {}

    def _comment(self, method: str, comment_id: int, body: Any) -> Answer:
        found = self.find(comment_id)
        if found is None:
            return 404, {"message": "Not Found"}, {}
        pr, c = found
        if method == "PATCH":
            c["body"] = body["body"]
            return 200, c, {}
        if method == "DELETE":
            self.comments[pr].remove(c)
            return 204, None, {}
        return 404, {"message": "Not Found"}, {}

    def _list(self, items: list[dict[str, Any]], path: str, q: dict[str, list[str]]) -> Answer:
        per_page = min(int(q.get("per_page", ["30"])[0]), self.page_size)
        page = int(q.get("page", ["1"])[0])
        last = max(1, -(-len(items) // per_page))
        keep = {k: v[0] for k, v in q.items() if k not in ("page", "per_page")}
        links = []

        def link(n: int, rel: str) -> str:
            query = urllib.parse.urlencode({**keep, "per_page": per_page, "page": n})
            return f'<{self.url}{path}?{query}>; rel="{rel}"'

        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        headers = {"Link": ", ".join(links)} if links else {}
        return 200, items[(page - 1) * per_page : page * per_page], headers


def serve() -> Iterator[FakeGitHub]:
    """Run a FakeGitHub until the generator is closed (the ``github`` fixture)."""
    fake = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.handle(self)

        do_POST = do_PATCH = do_DELETE = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
