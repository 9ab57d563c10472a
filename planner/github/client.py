"""A minimal GitHub REST client: JSON requests with a token, Link pagination, safe errors.

Why not a library: four endpoints (list, create, update, delete issue comments) need nothing
urllib does not do, and the tool must not grow a dependency for them. Every failure is one
``EcsplanError`` line naming the request and the cause; the token never appears in it.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from planner import __version__
from planner.errors import EcsplanError

DEFAULT_API_URL = "https://api.github.com"
TIMEOUT_SECONDS = 30.0
PER_PAGE = 100
_LINK_RE = re.compile(r'<([^>]+)>\s*;\s*rel="([^"]+)"')

# What a user can do about the usual refusals (said once, after GitHub's own message).
_HINTS = {
    401: "the token is missing, expired or invalid",
    403: "the token may lack `pull-requests: write` (or `issues: write`) permission",
    404: "check GITHUB_REPOSITORY and the pull request number, and that the token can see the repository",
}


class GitHubError(EcsplanError):
    """A GitHub API call failed (HTTP status, unreachable API, unexpected answer)."""


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a Link header, or None on the last page."""
    for url, rel in _LINK_RE.findall(header or ""):
        if "next" in rel.split():
            return url
    return None


class _SameApiRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only within the API: urllib would resend the token to any host."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(  # type: ignore[no-untyped-def]
        self, req, fp, code, msg, headers, newurl
    ):
        if not newurl.startswith(self.api_url + "/"):
            raise GitHubError(
                f"GitHub API redirected to {newurl.split('?', 1)[0]}, outside {self.api_url}: "
                "refusing to follow it"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class GitHubClient:
    """Calls ``api_url`` with ``token``; paths are relative (``/repos/o/r/issues/1/comments``)."""

    def __init__(
        self, token: str, api_url: str = DEFAULT_API_URL, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        if not token:
            raise GitHubError("no GitHub token given")
        base = api_url.rstrip("/")
        if not re.match(r"^https?://[^/]", base):
            raise GitHubError(f"GITHUB_API_URL must be an http(s) URL, got {api_url!r}")
        self._token = token
        self.api_url = base
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_SameApiRedirects(base))

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            # A pagination link: follow it only on the same API, so the token goes nowhere else.
            if not path_or_url.startswith(self.api_url + "/"):
                raise GitHubError(
                    f"GitHub API returned a page link outside {self.api_url}: refusing to follow it"
                )
            return path_or_url
        return self.api_url + path_or_url

    def _describe(self, method: str, url: str) -> str:
        shown = url[len(self.api_url) :] if url.startswith(self.api_url) else url
        return f"GitHub API {method} {shown.split('?', 1)[0]}"

    def request(
        self, method: str, path_or_url: str, body: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, str]]:
        """One call; returns the decoded JSON (None when empty) and the response headers."""
        url = self._url(path_or_url)
        what = self._describe(method, url)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self._token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", f"ecsplan/{__version__}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                raw = resp.read()
                headers = {k.lower(): v for k, v in resp.headers.items()}
        except urllib.error.HTTPError as e:
            raise GitHubError(self._redact(self._http_message(what, e))) from None
        except OSError as e:  # URLError, timeouts, refused or reset connections
            reason = getattr(e, "reason", None) or e
            raise GitHubError(
                self._redact(f"{what}: GitHub API unreachable at {self.api_url}: {reason}")
            ) from None
        if not raw.strip():
            return None, headers
        try:
            return json.loads(raw), headers
        except ValueError:
            raise GitHubError(f"{what}: the answer is not JSON") from None

    def _http_message(self, what: str, e: urllib.error.HTTPError) -> str:
        detail = ""
        try:
            doc = json.loads(e.read() or b"{}")
            if isinstance(doc, dict) and doc.get("message"):
                detail = str(doc["message"])
        except (ValueError, OSError):
            pass
        msg = f"{what}: HTTP {e.code} {e.reason}"
        if detail:
            msg += f": {' '.join(detail.split())[:200]}"
        if e.code in _HINTS:
            msg += f" ({_HINTS[e.code]})"
        return msg

    def paginate(self, path: str) -> Iterator[Any]:
        """Every item of a list endpoint, following Link ``rel="next"`` page by page."""
        sep = "&" if "?" in path else "?"
        url: str | None = f"{path}{sep}per_page={PER_PAGE}"
        while url is not None:
            items, headers = self.request("GET", url)
            if not isinstance(items, list):
                raise GitHubError(f"{self._describe('GET', self._url(url))}: expected a list")
            yield from items
            url = next_link(headers.get("link"))
