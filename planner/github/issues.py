"""The sticky drift issue: one open issue per plan key while live AWS differs from the configs.

A scheduled ``plan --github-issue`` opens the issue when the plan has changes, updates the same
issue (found again by the hidden marker ``<!-- ecsplan:drift:KEY -->`` on its body's first
line) on every later drift, and closes it, with a comment saying so, on the first plan that
has none. The body holds the plan's first Markdown part; a plan too large for one body goes
on in the issue's comments, kept in step by the same code as the PR comments. Only open
issues carrying this key's marker are touched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from planner.github.client import GitHubClient, GitHubError
from planner.github.comments import (
    Target,
    check_size,
    client_from_env,
    comment_key,
    default_key,
    repo_from_env,
    sync_comments,
)

_MARKER_RE = re.compile(r"<!-- ecsplan:drift:(?P<key>\S+) -->")


def drift_marker(key: str) -> str:
    return f"<!-- ecsplan:drift:{key} -->"


def parse_drift_marker(body: str) -> str | None:
    """The key when the issue body's first line is an ecsplan drift marker, else None."""
    m = _MARKER_RE.fullmatch(body.split("\n", 1)[0].strip())
    return m.group("key") if m else None


def run_url_from_env(env: Mapping[str, str]) -> str | None:
    """The link to this workflow run (GitHub Actions sets the three variables), or None."""
    server = env.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
    repo = env.get("GITHUB_REPOSITORY", "").strip()
    run_id = env.get("GITHUB_RUN_ID", "").strip()
    if server and repo and run_id.isdigit():
        return f"{server}/{repo}/actions/runs/{run_id}"
    return None


def _url(issue: Mapping[str, Any]) -> str:
    return str(issue.get("html_url") or issue.get("url") or issue.get("number"))


def open_drift_issues(client: GitHubClient, repo: str, key: str) -> list[Mapping[str, Any]]:
    """The repository's open issues carrying ``key``'s marker, oldest first (pull requests,
    which the issues endpoint lists too, are skipped)."""
    found = []
    for issue in client.paginate(f"/repos/{repo}/issues?state=open&sort=created&direction=asc"):
        if not isinstance(issue, dict) or issue.get("pull_request"):
            continue
        if parse_drift_marker(str(issue.get("body") or "")) == key:
            found.append(issue)
    return sorted(found, key=lambda i: int(i.get("number") or 0))


def report_drift(
    client: GitHubClient, repo: str, key: str, title: str, parts: Sequence[str]
) -> list[str]:
    """Open or update the drift issue so it shows ``parts`` (part 1 in the body, the rest as
    its comments); close duplicates a race left. One line per thing done, for stderr."""
    body = f"{drift_marker(key)}\n{parts[0]}"
    check_size(body, 1)
    issues = open_drift_issues(client, repo, key)
    out: list[str] = []
    if issues:
        issue = issues[0]
        if issue.get("body") == body and issue.get("title") == title:
            out.append(f"github: unchanged drift issue #{issue['number']}: {_url(issue)}")
        else:
            path = f"/repos/{repo}/issues/{issue['number']}"
            client.request("PATCH", path, {"title": title, "body": body})
            out.append(f"github: updated drift issue #{issue['number']}: {_url(issue)}")
    else:
        issue, _ = client.request("POST", f"/repos/{repo}/issues", {"title": title, "body": body})
        if not isinstance(issue, dict) or not isinstance(issue.get("number"), int):
            raise GitHubError(f"GitHub API POST /repos/{repo}/issues: no issue number answered")
        out.append(f"github: opened drift issue #{issue['number']}: {_url(issue)}")
    target = Target(repo, int(issue["number"]), noun="issue")
    out.extend(sync_comments(client, target, key, parts[1:], first=2).lines(target, len(parts)))
    for extra in issues[1:]:
        out.append(_close(client, repo, extra, None, "not_planned"))
    return out


def close_drift(client: GitHubClient, repo: str, key: str, note: str) -> list[str]:
    """Close every open drift issue of ``key`` with ``note`` as its last comment."""
    out: list[str] = []
    for issue in open_drift_issues(client, repo, key):
        out.append(_close(client, repo, issue, note, "completed"))
    if not out:
        out.append(f"github: no open drift issue for {key} in {repo}, nothing to close")
    return out


def _close(
    client: GitHubClient, repo: str, issue: Mapping[str, Any], note: str | None, reason: str
) -> str:
    """Close one issue (``reason``: completed, or not_planned for a duplicate)."""
    path = f"/repos/{repo}/issues/{issue['number']}"
    if note:
        client.request("POST", f"{path}/comments", {"body": note})
    client.request("PATCH", path, {"state": "closed", "state_reason": reason})
    return f"github: closed drift issue #{issue['number']}: {_url(issue)}"


class DriftIssue:
    """The drift issue of one plan key in the repository of the environment.

    Made before planning, so that a missing token or repository fails before any AWS read."""

    def __init__(
        self,
        workspace: str | None,
        configs: Sequence[str],
        key: str | None = None,
        env: Mapping[str, str] | None = None,
        targets: Sequence[str] = (),
    ) -> None:
        env = os.environ if env is None else env
        self.client = client_from_env(env)
        self.repo = repo_from_env(env)
        self.key = comment_key(key) if key else default_key(workspace, configs, targets)
        self.run_url = run_url_from_env(env)

    def report(self, title: str, parts: Sequence[str]) -> list[str]:
        """Open or update the issue with the plan's Markdown parts."""
        try:
            return report_drift(self.client, self.repo, self.key, title, parts)
        except GitHubError as e:
            raise GitHubError(f"reporting drift in {self.repo}: {e.message}") from None

    def close(self, note: str) -> list[str]:
        """Close the issue (if one is open): live matches the configuration again."""
        try:
            return close_drift(self.client, self.repo, self.key, note)
        except GitHubError as e:
            raise GitHubError(f"closing the drift issue in {self.repo}: {e.message}") from None
