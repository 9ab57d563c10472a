"""`plan --github-comment` and `comment FILE...` against a fake GitHub REST API (issue 13).

The fake (fake_github.py, the ``github`` fixture of conftest.py) is a real HTTP server on
127.0.0.1 that keeps issue comments in memory, serves list (paginated with Link headers, a few
per page), create, update and delete, checks the token, and records every request. The plans
come from the sandbox. Tests check what a user sees on the pull request (which comments exist,
with which bodies) and on the terminal (exit code, one error line, never the token).
"""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fake_github import BOT, PR, REPO, TOKEN, FakeGitHub
from helpers_cli import Result, copy_example, requests, run_inproc

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration


@pytest.fixture
def cfg(sandbox: Sandbox, tmp_path: Path) -> Path:
    """A copy of examples/single-service (not deployed yet: the plan creates it)."""
    path = copy_example("single-service", tmp_path)
    sandbox.prepare([path])
    return path


@pytest.fixture
def event(tmp_path: Path) -> Path:
    """The event file of a pull_request run, as GitHub Actions writes it."""
    path = tmp_path / "event.json"
    path.write_text(
        json.dumps({"action": "synchronize", "number": PR, "pull_request": {"number": PR}})
    )
    return path


def gh_env(github: FakeGitHub, event: Path | None, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "GITHUB_TOKEN": TOKEN,
        "GH_TOKEN": None,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_PATH": str(event) if event else None,
        "GITHUB_API_URL": github.url,
    }
    env.update(extra)
    return env


def plan(
    cfg: Path, tmp_path: Path, env: dict[str, str | None], *flags: str, tag: str = "1.28"
) -> Result:
    return run_inproc(
        [cfg],
        tmp_path / "state",
        "plan",
        "--out",
        str(tmp_path / "plan.json"),
        "--github-comment",
        *flags,
        env={"IMAGE_TAG": tag, **env},
    )


def marker_of(body: str) -> str:
    return body.split("\n", 1)[0]


def error_lines(r: Result) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.startswith("Error:")]


def assert_token_hidden(r: Result, github: FakeGitHub) -> None:
    assert TOKEN not in r.output
    for c in github.comments.get(PR, []):
        assert TOKEN not in c["body"]


# --- the sticky comment -----------------------------------------------------------------------


def test_first_push_creates_one_comment_with_the_plan(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    r = plan(cfg, tmp_path, gh_env(github, event), "--detailed-exitcode")
    assert r.code == 2, r  # changes: --detailed-exitcode still says so
    (body,) = github.bodies()
    assert re.fullmatch(r"<!-- ecsplan:plan:\S+:part1 -->", marker_of(body))
    assert "## ecsplan plan" in body
    assert "nginx:1.28" in body
    assert "myservice" in body
    assert f"created PR #{PR} comment (part 1 of 1)" in r.stderr
    assert len(github.calls("POST")) == 1
    assert_token_hidden(r, github)


def test_second_push_updates_the_same_comment(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    first = plan(cfg, tmp_path, gh_env(github, event), tag="1.28")
    assert first.code == 0, first
    (c1,) = github.comments[PR]
    first_id = c1["id"]

    second = plan(cfg, tmp_path, gh_env(github, event), tag="1.29")
    assert second.code == 0, second
    (c2,) = github.comments[PR]
    assert c2["id"] == first_id
    assert "nginx:1.29" in c2["body"] and "nginx:1.28" not in c2["body"]
    assert len(github.calls("POST")) == 1
    assert [r.path for r in github.calls("PATCH")] == [f"/repos/{REPO}/issues/comments/{first_id}"]
    assert f"updated PR #{PR} comment (part 1 of 1)" in second.stderr


def test_same_plan_again_leaves_the_comment_as_it_is(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    assert plan(cfg, tmp_path, gh_env(github, event)).code == 0
    again = plan(cfg, tmp_path, gh_env(github, event))
    assert again.code == 0, again
    assert len(github.bodies()) == 1
    assert not github.calls("PATCH") and len(github.calls("POST")) == 1
    assert "unchanged PR #7 comment" in again.stderr


def _many_env_vars(cfg: Path, n: int) -> None:
    td = cfg.parent / "ecs-task-def.json"
    doc = json.loads(td.read_text())
    doc["containerDefinitions"][0]["environment"] = [
        {"name": f"SETTING_{i:05d}", "value": f"value-{i:05d}-" + "x" * 40} for i in range(n)
    ]
    td.write_text(json.dumps(doc, indent=2))


def test_plan_shrinking_to_one_part_deletes_the_stale_parts(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    _many_env_vars(cfg, 700)  # a task definition too large for one comment (< ECS 64 KiB)
    big = plan(cfg, tmp_path, gh_env(github, event))
    assert big.code == 0, big
    parts = github.comments[PR]
    assert len(parts) >= 2
    assert [marker_of(c["body"]).rsplit(":", 1)[1] for c in parts] == [
        f"part{i} -->" for i in range(1, len(parts) + 1)
    ]
    assert all(len(c["body"]) <= 65_536 for c in parts)
    assert "(part 1 of" in parts[0]["body"]
    ids = [c["id"] for c in parts]

    _many_env_vars(cfg, 1)
    small = plan(cfg, tmp_path, gh_env(github, event))
    assert small.code == 0, small
    (left,) = github.comments[PR]
    assert left["id"] == ids[0]
    assert marker_of(left["body"]).endswith(":part1 -->")
    assert "(part 1 of" not in left["body"]
    assert sorted(r.path for r in github.calls("DELETE")) == sorted(
        f"/repos/{REPO}/issues/comments/{i}" for i in ids[1:]
    )
    assert "deleted PR #7 comment (stale part 2)" in small.stderr


def test_comments_of_other_tools_users_and_plans_are_left_alone(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    others = [
        github.add(PR, "LGTM, but check the desired count", user="alice"),
        github.add(PR, "<!-- tfcmt:plan -->\n## Terraform plan\nNo changes.", user="tfcmt[bot]"),
        github.add(PR, "<!-- ecsplan:plan:other/workspace.yml:part1 -->\n## ecsplan plan"),
        github.add(PR, "> quoting the bot\n<!-- ecsplan:plan:x:part1 -->", user="bob"),
        github.add(PR + 1, "a comment on another pull request"),
    ]
    before = {c["id"]: c["body"] for c in others}
    # Our own comment from an earlier push, on the third page of the listing.
    key_probe = plan(cfg, tmp_path, gh_env(github, event))
    assert key_probe.code == 0, key_probe
    ours = [c for c in github.comments[PR] if c["id"] not in before]
    assert len(ours) == 1
    for _ in range(4):
        github.add(PR, "more discussion", user="carol")
    github.requests.clear()

    r = plan(cfg, tmp_path, gh_env(github, event), tag="1.29")
    assert r.code == 0, r
    mine = [c for c in github.comments[PR] if c["id"] not in before and c["user"]["login"] == BOT]
    assert [c["id"] for c in mine] == [ours[0]["id"]]  # found on a later page, not duplicated
    assert len(github.calls("GET")) >= 3  # followed the Link header page by page
    for cid, body in before.items():
        found = github.find(cid)
        assert found is not None and found[1]["body"] == body
    touched = {
        r.path.rsplit("/", 1)[-1] for r in github.requests if r.method in ("PATCH", "DELETE")
    }
    assert touched == {str(ours[0]["id"])}


def test_every_request_carries_the_token_and_no_output_shows_it(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    r = plan(cfg, tmp_path, gh_env(github, event))
    assert r.code == 0, r
    assert github.requests
    for req in github.requests:
        assert req.headers["Authorization"] == f"Bearer {TOKEN}"
        assert req.headers["Accept"] == "application/vnd.github+json"
    assert_token_hidden(r, github)


def test_pr_number_from_the_option_and_key_tells_plans_apart(
    cfg: Path, tmp_path: Path, github: FakeGitHub
) -> None:
    env = gh_env(github, None)
    a = plan(cfg, tmp_path, env, "--pr", "12", "--comment-key", "staging")
    b = plan(cfg, tmp_path, env, "--pr", "12", "--comment-key", "production")
    assert a.code == 0 and b.code == 0, (a, b)
    markers = sorted(marker_of(body) for body in github.bodies(12))
    assert markers == [
        "<!-- ecsplan:plan:production:part1 -->",
        "<!-- ecsplan:plan:staging:part1 -->",
    ]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env_change", "cause"),
    [
        ({"GITHUB_TOKEN": None}, "GITHUB_TOKEN is not set"),
        ({"GITHUB_REPOSITORY": None}, "GITHUB_REPOSITORY is not set"),
        ({"GITHUB_REPOSITORY": "not a repo"}, "GITHUB_REPOSITORY must be owner/repo"),
        ({"GITHUB_EVENT_PATH": None}, "no pull request number: GITHUB_EVENT_PATH is not set"),
    ],
)
def test_missing_inputs_fail_in_one_line_before_planning(
    cfg: Path,
    tmp_path: Path,
    github: FakeGitHub,
    event: Path,
    sandbox: Sandbox,
    env_change: dict[str, str | None],
    cause: str,
) -> None:
    before = requests(sandbox)
    r = plan(cfg, tmp_path, {**gh_env(github, event), **env_change})
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert cause in line
    assert r.stdout == ""  # no plan printed: it failed before reading AWS
    assert requests(sandbox) == before
    assert not github.requests
    assert TOKEN not in r.output


def test_event_without_a_pull_request_says_so(
    cfg: Path, tmp_path: Path, github: FakeGitHub
) -> None:
    push_event = tmp_path / "push.json"
    push_event.write_text(json.dumps({"ref": "refs/heads/main", "after": "abc"}))
    r = plan(cfg, tmp_path, gh_env(github, push_event))
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert "has no pull_request.number; pass --pr N" in line


@pytest.mark.parametrize(
    ("method", "status", "message", "expected"),
    [
        (
            "POST",
            403,
            "Resource not accessible by integration",
            "HTTP 403 Forbidden: Resource not accessible by integration",
        ),
        ("GET", 500, "Server Error", "HTTP 500 Internal Server Error: Server Error"),
        ("GET", 404, "Not Found", "HTTP 404 Not Found"),
    ],
)
def test_http_errors_fail_in_one_line(
    cfg: Path,
    tmp_path: Path,
    github: FakeGitHub,
    event: Path,
    method: str,
    status: int,
    message: str,
    expected: str,
) -> None:
    github.fail_next(method, status, f"{message} (token {TOKEN})")  # an echo must not leak it
    r = plan(cfg, tmp_path, gh_env(github, event), "--detailed-exitcode")
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert line.startswith(f"Error: posting the plan to {REPO}#{PR}: GitHub API {method} ")
    assert expected in line
    assert TOKEN not in r.output
    assert (tmp_path / "plan.json").exists()  # the plan itself was saved before posting


def test_wrong_token_is_refused_in_one_line(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    r = plan(cfg, tmp_path, gh_env(github, event, GITHUB_TOKEN="ghs_wrong_one"))
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert (
        "HTTP 401 Unauthorized: Bad credentials (the token is missing, expired or invalid)" in line
    )
    assert "ghs_wrong_one" not in r.output


def test_unreachable_api_fails_in_one_line(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{closed.server_address[1]}"
    closed.server_close()  # nothing listens there any more
    r = plan(cfg, tmp_path, gh_env(github, event, GITHUB_API_URL=url))
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert f"GitHub API unreachable at {url}" in line
    assert TOKEN not in r.output


# --- `ecsplan comment FILE...` ----------------------------------------------------------------


def test_comment_command_posts_rendered_files_with_the_same_sticky_logic(
    cfg: Path, tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    """A plan job writes plan.md; another job posts it; a later push updates that comment."""
    md = tmp_path / "plan.md"
    r = run_inproc(
        [cfg], tmp_path / "state", "plan", "--comment-file", str(md), env={"IMAGE_TAG": "1.28"}
    )
    assert r.code == 0, r
    posted = run_inproc([cfg], None, "comment", str(md), env=gh_env(github, event))
    assert posted.code == 0, posted
    (c,) = github.comments[PR]
    assert c["body"].split("\n", 1)[1] == md.read_text()

    # The next push posts with `plan --github-comment`: the same comment is updated.
    again = plan(cfg, tmp_path, gh_env(github, event), tag="1.29")
    assert again.code == 0, again
    (c2,) = github.comments[PR]
    assert c2["id"] == c["id"] and "nginx:1.29" in c2["body"]


def test_comment_command_orders_parts_and_deletes_extra_ones(
    tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    files = {"plan.md": "## part one\n", "plan.part2.md": "## two\n", "plan.part10.md": "## ten\n"}
    for i in range(3, 10):
        files[f"plan.part{i}.md"] = f"## {i}\n"
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    glob_order = sorted(str(tmp_path / n) for n in files)  # what `plan.md plan.part*.md` gives
    env = gh_env(github, event)
    r = run_inproc(["svc.yml"], None, "comment", *glob_order, env=env)
    assert r.code == 0, r
    heads = [c["body"].split("\n")[1] for c in github.comments[PR]]
    assert heads == ["## part one", "## two", *(f"## {i}" for i in range(3, 10)), "## ten"]

    r2 = run_inproc(["svc.yml"], None, "comment", str(tmp_path / "plan.md"), env=env)
    assert r2.code == 0, r2
    assert [c["body"] for c in github.comments[PR]] == [
        "<!-- ecsplan:plan:svc.yml:part1 -->\n## part one\n"
    ]
    assert len(github.calls("DELETE")) == 9


def test_comment_command_errors_in_one_line(
    tmp_path: Path, github: FakeGitHub, event: Path
) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("\n")
    r = run_inproc([], None, "comment", str(empty), env=gh_env(github, event))
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert "empty.md: empty file, nothing to post" in line

    big = tmp_path / "big.md"
    big.write_text("x" * 70_000)
    r = run_inproc([], None, "comment", str(big), env=gh_env(github, event))
    assert r.code == 1, r
    (line,) = error_lines(r)
    assert "more than GitHub's 65536" in line
    assert not github.calls("POST")
