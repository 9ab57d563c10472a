"""Sticky pull-request comments: one comment per plan part, found again by a hidden marker.

Each comment body starts with ``<!-- ecsplan:plan:KEY:partN -->`` (invisible on GitHub). On
every push the comments of the pull request are listed, the one carrying the marker of each
part is updated in place (or created when missing), and parts beyond the new plan's count,
left by an earlier and longer plan, are deleted. Only comments whose first line is ecsplan's
marker for this KEY are touched: other tools', users' and other plans' comments stay as they
are. KEY tells apart several plans posted to the same pull request (workspaces, configs).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planner.errors import EcsplanError
from planner.github.client import DEFAULT_API_URL, GitHubClient, GitHubError

GITHUB_COMMENT_MAX = 65_536  # characters GitHub accepts in one comment body
KEY_MAX = 80
_MARKER_RE = re.compile(r"<!-- ecsplan:plan:(?P<key>\S+):part(?P<part>[1-9][0-9]*) -->")
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def comment_key(raw: str) -> str:
    """``raw`` made safe inside an HTML comment (no spaces, ``--`` or ``>``), at most 80 chars.

    Long keys keep a readable head and end with a digest of the whole, so they stay distinct."""
    key = re.sub(r"[^A-Za-z0-9._/,:@+=-]", "_", raw.strip()) or "default"
    key = re.sub(r"-{2,}", "-", key)
    if len(key) > KEY_MAX:
        digest = hashlib.sha256(raw.encode()).hexdigest()[:12]
        key = f"{key[: KEY_MAX - 13]}~{digest}"
    return key


def default_key(workspace: str | None, configs: Sequence[str], targets: Sequence[str] = ()) -> str:
    """The key of a plan made with ``-w workspace`` or ``-c config...`` (paths as given); a
    ``--target`` plan has its own, so it never replaces (or closes) the whole plan's."""
    key = workspace if workspace else ",".join(configs)
    if targets:
        key += ":target=" + ",".join(sorted(set(targets)))
    return comment_key(key)


def marker(key: str, part: int) -> str:
    return f"<!-- ecsplan:plan:{key}:part{part} -->"


def with_marker(body: str, key: str, part: int) -> str:
    """The comment body GitHub stores: the marker line, then the rendered Markdown."""
    return f"{marker(key, part)}\n{body}"


def parse_marker(body: str) -> tuple[str, int] | None:
    """(key, part) when the comment's first line is an ecsplan marker, else None."""
    first = body.split("\n", 1)[0].strip()
    m = _MARKER_RE.fullmatch(first)
    return (m.group("key"), int(m.group("part"))) if m else None


@dataclass(frozen=True)
class Target:
    """Where the comments go: ``owner/repo`` and the pull request (or issue) number."""

    repo: str
    pr: int
    noun: str = "PR"  # how messages name it: "PR #7", "issue #12"


def _pr_from_event(path: str) -> int | None:
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise EcsplanError(
            f"cannot read the GitHub event file {path} (GITHUB_EVENT_PATH): {e}"
        ) from None
    if not isinstance(event, dict):
        return None
    pr = event.get("pull_request")
    if isinstance(pr, dict) and isinstance(pr.get("number"), int):
        return int(pr["number"])
    issue = event.get("issue")  # issue_comment on a pull request
    if (
        isinstance(issue, dict)
        and issue.get("pull_request")
        and isinstance(issue.get("number"), int)
    ):
        return int(issue["number"])
    return None


def repo_from_env(env: Mapping[str, str]) -> str:
    """``owner/repo`` from GITHUB_REPOSITORY (set by GitHub Actions)."""
    repo = env.get("GITHUB_REPOSITORY", "").strip()
    if not repo:
        raise EcsplanError("GITHUB_REPOSITORY is not set (expected owner/repo)")
    if not _REPO_RE.match(repo):
        raise EcsplanError(f"GITHUB_REPOSITORY must be owner/repo, got {repo!r}")
    return repo


def target_from_env(env: Mapping[str, str], pr: int | None = None) -> Target:
    """The repository from GITHUB_REPOSITORY, the PR from ``pr`` or the event file."""
    repo = repo_from_env(env)
    if pr is None:
        event_path = env.get("GITHUB_EVENT_PATH", "").strip()
        if not event_path:
            raise EcsplanError("no pull request number: GITHUB_EVENT_PATH is not set; pass --pr N")
        pr = _pr_from_event(event_path)
        if pr is None:
            raise EcsplanError(
                f"no pull request number: the event in {event_path} has no "
                "pull_request.number; pass --pr N"
            )
    return Target(repo, pr)


def token_from_env(env: Mapping[str, str]) -> str:
    token = (env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or "").strip()
    if not token:
        raise EcsplanError(
            "GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ github.token }}`"
        )
    return token


@dataclass
class SyncResult:
    """What happened to each part: lists of (part number, comment URL)."""

    created: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    deleted: list[tuple[int, str]] = field(default_factory=list)

    def lines(self, target: Target, total: int) -> list[str]:
        """One line per comment touched, for stderr."""
        out = []
        for verb, items in (
            ("created", self.created),
            ("updated", self.updated),
            ("unchanged", self.unchanged),
        ):
            out.extend(
                f"github: {verb} {target.noun} #{target.pr} comment (part {n} of {total}): {url}"
                for n, url in items
            )
        out.extend(
            f"github: deleted {target.noun} #{target.pr} comment (stale part {n}): {url}"
            for n, url in self.deleted
        )
        return out


def _url(c: Mapping[str, Any]) -> str:
    return str(c.get("html_url") or c.get("url") or c.get("id"))


def check_size(body: str, part: int) -> None:
    """Refuse a body GitHub would refuse, saying how to get parts that fit."""
    if len(body) > GITHUB_COMMENT_MAX:
        raise EcsplanError(
            f"comment part {part} has {len(body)} characters, more than GitHub's "
            f"{GITHUB_COMMENT_MAX}: render it with `plan --comment-file`, which splits it"
        )


def sync_comments(
    client: GitHubClient, target: Target, key: str, parts: Sequence[str], first: int = 1
) -> SyncResult:
    """Make the PR's ecsplan comments for ``key`` exactly ``parts`` (1 comment per part).

    ``first``: the number of the first part (2 on a drift issue, whose body holds part 1);
    there, no parts is fine and deletes the comments of an earlier, longer plan."""
    if not parts and first == 1:
        raise EcsplanError("nothing to post: no comment parts")
    bodies = [with_marker(p, key, i) for i, p in enumerate(parts, start=first)]
    for i, b in enumerate(bodies, start=first):
        check_size(b, i)
    base = f"/repos/{target.repo}/issues"
    ours: dict[int, list[Mapping[str, Any]]] = {}
    for c in client.paginate(f"{base}/{target.pr}/comments"):
        if not isinstance(c, dict):
            continue
        found = parse_marker(str(c.get("body") or ""))
        if found and found[0] == key:
            ours.setdefault(found[1], []).append(c)
    result = SyncResult()
    stale: list[tuple[int, Mapping[str, Any]]] = []
    for i, body in enumerate(bodies, start=first):
        existing = ours.pop(i, [])
        if existing:
            first = existing[0]
            stale.extend((i, c) for c in existing[1:])  # duplicates (two runs that raced)
            if first.get("body") == body:
                result.unchanged.append((i, _url(first)))
            else:
                path = f"{base}/comments/{first['id']}"
                updated, _ = client.request("PATCH", path, {"body": body})
                result.updated.append((i, _url(updated or first)))
        else:
            created, _ = client.request("POST", f"{base}/{target.pr}/comments", {"body": body})
            result.created.append((i, _url(created or {})))
    stale.extend((n, c) for n in sorted(ours) for c in ours[n])  # parts of a longer plan
    for n, c in stale:
        client.request("DELETE", f"{base}/comments/{c['id']}")
        result.deleted.append((n, _url(c)))
    return result


def client_from_env(env: Mapping[str, str]) -> GitHubClient:
    """A client with GITHUB_TOKEN (or GH_TOKEN) for GITHUB_API_URL (GitHub Enterprise)."""
    token = token_from_env(env)
    api_url = env.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL
    return GitHubClient(token, api_url)


def connect(
    pr: int | None = None, env: Mapping[str, str] | None = None
) -> tuple[GitHubClient, Target]:
    """The client and the pull request named by the environment (as GitHub Actions sets it).

    Called before planning, so a missing token or PR number fails before any AWS read."""
    env = os.environ if env is None else env
    token_from_env(env)  # a missing token is said first
    target = target_from_env(env, pr)
    return client_from_env(env), target


def publish(client: GitHubClient, target: Target, key: str, parts: Sequence[str]) -> SyncResult:
    """``sync_comments`` with the pull request named in its errors."""
    try:
        return sync_comments(client, target, key, parts)
    except GitHubError as e:
        raise GitHubError(f"posting the plan to {target.repo}#{target.pr}: {e.message}") from None


class StickyComment:
    """The sticky comment(s) of one plan on one pull request, as both CLI commands post them.

    Made before planning, so that a missing token or PR number fails before any AWS read."""

    def __init__(
        self,
        workspace: str | None,
        configs: Sequence[str],
        pr: int | None = None,
        key: str | None = None,
        env: Mapping[str, str] | None = None,
        targets: Sequence[str] = (),
    ) -> None:
        self.client, self.target = connect(pr, env)
        self.key = comment_key(key) if key else default_key(workspace, configs, targets)

    def post(self, parts: Sequence[str]) -> list[str]:
        """Create, update or delete comments so the PR shows exactly ``parts``; what was done."""
        result = publish(self.client, self.target, self.key, parts)
        return result.lines(self.target, len(parts))
