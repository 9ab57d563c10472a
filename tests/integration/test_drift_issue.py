"""The scheduled drift check, `plan --github-issue`, against the fake GitHub API (issue 21).

examples/microservices runs on the sandbox; someone changes live AWS by hand (a task
definition registered and deployed outside ecsplan, a desired count); the check opens ONE
issue with the plan, updates that same issue on the next drift, and closes it once live
matches the configuration again. What a user sees: the repository's issues (titles, bodies,
state), the exit code, one line per thing done, and never a secret or the token.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fake_github import REPO, TOKEN, FakeGitHub
from helpers_cli import EXAMPLES, Result, client, requests, run_inproc

from ecsplan_sandbox.server import Sandbox
from planner.github.client import GitHubClient
from planner.github.comments import comment_key
from planner.github.issues import drift_marker, report_drift

pytestmark = pytest.mark.integration

CONFIG_PASSWORD = "config-db-pw-7f3a9c"
HAND_PASSWORD = "rotated-by-hand-pw-41d2"


@pytest.fixture
def micro(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/microservices, api given a DB_PASSWORD, applied: live matches the configs."""
    work = tmp_path / "microservices"
    shutil.copytree(EXAMPLES / "microservices", work)
    td = work / "services" / "api" / "ecs-task-def.json"
    doc = json.loads(td.read_text())
    doc["containerDefinitions"][0]["environment"] = [
        {"name": "DB_PASSWORD", "value": "{{ must_env `DB_PASSWORD` }}"}
    ]
    td.write_text(json.dumps(doc, indent=2))
    ws = work / "workspace.yml"
    monkeypatch.setenv("DB_PASSWORD", CONFIG_PASSWORD)  # sandbox.prepare reads the configs
    sandbox.prepare([str(ws)])
    applied = ecsplan(ws, tmp_path, "apply", "--auto-approve", "--timeout", "60s")
    assert applied.code == 0, applied
    return ws


def ecsplan(
    ws: Path, tmp_path: Path, *args: str, env: dict[str, str | None] | None = None
) -> Result:
    full: dict[str, str | None] = {"DB_PASSWORD": CONFIG_PASSWORD, **(env or {})}
    return run_inproc([], tmp_path / "state", "-w", str(ws), *args, env=full)


def gh_env(github: FakeGitHub, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "GITHUB_TOKEN": TOKEN,
        "GH_TOKEN": None,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_EVENT_PATH": None,  # a schedule event has no pull request
    }
    env.update(extra)
    return env


def check(ws: Path, tmp_path: Path, github: FakeGitHub, **extra: str | None) -> Result:
    """What the workflow runs: plan --detailed-exitcode --github-issue."""
    env = gh_env(github, **extra)
    return ecsplan(ws, tmp_path, "plan", "--detailed-exitcode", "--github-issue", env=env)


def deploy_by_hand(sandbox: Sandbox, service: str, image: str, password: str) -> None:
    """A task definition registered and deployed outside ecsplan (the console, a script)."""
    ecs = client(sandbox, "ecs")
    live = ecs.describe_services(cluster="my-cluster", services=[service])["services"][0]
    td = ecs.describe_task_definition(taskDefinition=live["taskDefinition"])["taskDefinition"]
    container = {**td["containerDefinitions"][0], "image": image}
    container["environment"] = [{"name": "DB_PASSWORD", "value": password}]
    keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory")
    new = ecs.register_task_definition(
        **{k: td[k] for k in keep if k in td},
        executionRoleArn=td["executionRoleArn"],
        containerDefinitions=[container],
    )["taskDefinition"]
    ecs.update_service(
        cluster="my-cluster", service=service, taskDefinition=new["taskDefinitionArn"]
    )


def everything_github_holds(github: FakeGitHub) -> str:
    texts = [f"{i['title']}\n{i['body']}" for i in github.issues.values()]
    texts += [c["body"] for cs in github.comments.values() for c in cs]
    return "\n".join(texts)


def assert_nothing_secret(r: Result, github: FakeGitHub) -> None:
    shown = everything_github_holds(github) + r.output
    for secret in (TOKEN, CONFIG_PASSWORD, HAND_PASSWORD):
        assert secret not in shown


def test_opens_updates_and_closes_one_issue(
    micro: Path, tmp_path: Path, github: FakeGitHub, sandbox: Sandbox
) -> None:
    clean = check(micro, tmp_path, github)
    assert clean.code == 0, clean
    assert not github.issues and not github.calls("POST")
    assert "no open drift issue for" in clean.stderr

    deploy_by_hand(sandbox, "api", "public.ecr.aws/docker/library/httpd:2.6", HAND_PASSWORD)
    first = check(micro, tmp_path, github)
    assert first.code == 2, first  # drift: --detailed-exitcode says so
    (issue,) = github.open_issues()
    assert issue["title"] == f"Drift: my-cluster/api differs from {micro}"
    body = issue["body"]
    assert body.split("\n", 1)[0] == drift_marker(comment_key(str(micro)))
    assert "## ecsplan drift check" in body
    assert f"**Live AWS differs from `{micro}`** for `my-cluster/api` (checked at " in body
    assert "by [this run](https://github.com/acme/deploys/actions/runs/4242))." in body
    assert "httpd:2.6" in body and "httpd:2.4" in body  # live, and what apply would restore
    assert "The sensitive value of `web/DB_PASSWORD` changes." in body
    assert "```mermaid" in body and '["~ api (update)"]' in body
    assert f"ecsplan -w {micro} apply" in body
    assert f"opened drift issue #{issue['number']}" in first.stderr
    assert_nothing_secret(first, github)

    ecs = client(sandbox, "ecs")
    ecs.update_service(cluster="my-cluster", service="frontend", desiredCount=5)
    second = check(micro, tmp_path, github, GITHUB_RUN_ID="4243")
    assert second.code == 2, second
    (again,) = github.open_issues()
    assert again["number"] == issue["number"]  # the same issue, updated in place
    assert again["title"] == f"Drift: 2 of 3 services differ from {micro}"
    assert "actions/runs/4243" in again["body"] and "`my-cluster/frontend`" in again["body"]
    assert len([r for r in github.calls("POST") if r.path == f"/repos/{REPO}/issues"]) == 1
    assert f"updated drift issue #{issue['number']}" in second.stderr
    assert_nothing_secret(second, github)

    fixed = ecsplan(micro, tmp_path, "apply", "--auto-approve", "--timeout", "60s")
    assert fixed.code == 0, fixed
    closed = check(micro, tmp_path, github, GITHUB_RUN_ID="4244")
    assert closed.code == 0, closed
    assert not github.open_issues()
    final = github.issues[issue["number"]]
    assert (final["state"], final["state_reason"]) == ("closed", "completed")
    note = github.comments[issue["number"]][-1]["body"]
    assert note.startswith(f"No drift: live AWS matches `{micro}` again")
    assert "actions/runs/4244" in note
    assert f"closed drift issue #{issue['number']}" in closed.stderr

    deploy_by_hand(sandbox, "api", "public.ecr.aws/docker/library/httpd:2.7", HAND_PASSWORD)
    later = check(micro, tmp_path, github, GITHUB_RUN_ID="4245")
    assert later.code == 2, later
    (new,) = github.open_issues()  # a new episode of drift: a new issue
    assert new["number"] != issue["number"] and "httpd:2.7" in new["body"]


def test_other_issues_and_pull_requests_are_left_alone(
    micro: Path, tmp_path: Path, github: FakeGitHub, sandbox: Sandbox
) -> None:
    others = [
        github.add_issue("Bug in the login page", "steps to reproduce ...", user="alice"),
        github.add_issue(
            "deploy api", f"{drift_marker('workspace.yml')}\n(a PR)", pull_request=True
        ),
        github.add_issue("staging drift", f"{drift_marker('staging')}\n## ecsplan drift check"),
        github.add_issue("quoting", f"> see\n{drift_marker(comment_key(str(micro)))}", user="bob"),
    ]
    before = {i["number"]: dict(i) for i in others}
    github.page_size = 2  # the issue listing takes pages, Link header by Link header
    deploy_by_hand(sandbox, "api", "public.ecr.aws/docker/library/httpd:2.6", HAND_PASSWORD)
    r = check(micro, tmp_path, github)
    assert r.code == 2, r
    ours = [i for i in github.issues.values() if i["number"] not in before]
    assert len(ours) == 1
    assert ecsplan(micro, tmp_path, "apply", "--auto-approve", "--timeout", "60s").code == 0
    assert check(micro, tmp_path, github).code == 0
    assert github.issues[ours[0]["number"]]["state"] == "closed"
    for n, was in before.items():
        assert github.issues[n] == was
    written = {r.path for r in github.requests if r.method in ("PATCH", "POST")}
    issues = f"/repos/{REPO}/issues"
    n = ours[0]["number"]
    assert written == {issues, f"{issues}/{n}", f"{issues}/{n}/comments"}


def test_comment_key_tells_drift_checks_apart(
    micro: Path, tmp_path: Path, github: FakeGitHub, sandbox: Sandbox
) -> None:
    deploy_by_hand(sandbox, "api", "public.ecr.aws/docker/library/httpd:2.6", HAND_PASSWORD)
    env = gh_env(github)
    for key in ("production", "staging"):
        r = ecsplan(micro, tmp_path, "plan", "--github-issue", "--comment-key", key, env=env)
        assert r.code == 0, r
    markers = sorted(i["body"].split("\n", 1)[0] for i in github.open_issues())
    assert markers == [drift_marker("production"), drift_marker("staging")]


@pytest.mark.parametrize(
    ("env_change", "cause"),
    [
        ({"GITHUB_TOKEN": None}, "GITHUB_TOKEN is not set"),
        ({"GITHUB_REPOSITORY": None}, "GITHUB_REPOSITORY is not set"),
    ],
)
def test_missing_inputs_fail_in_one_line_before_planning(
    micro: Path,
    tmp_path: Path,
    github: FakeGitHub,
    sandbox: Sandbox,
    env_change: dict[str, str | None],
    cause: str,
) -> None:
    before = requests(sandbox)
    r = check(micro, tmp_path, github, **env_change)
    assert r.code == 1, r
    (line,) = [x for x in r.stderr.splitlines() if x.startswith("Error:")]
    assert cause in line
    assert r.stdout == "" and requests(sandbox) == before and not github.requests


def test_http_error_is_one_line_without_the_token(
    micro: Path, tmp_path: Path, github: FakeGitHub, sandbox: Sandbox
) -> None:
    deploy_by_hand(sandbox, "api", "public.ecr.aws/docker/library/httpd:2.6", HAND_PASSWORD)
    github.fail_next("POST", 403, f"Resource not accessible by integration ({TOKEN})")
    r = check(micro, tmp_path, github)
    assert r.code == 1, r
    (line,) = [x for x in r.stderr.splitlines() if x.startswith("Error:")]
    assert line.startswith(
        f"Error: reporting drift in {REPO}: GitHub API POST /repos/{REPO}/issues"
    )
    assert "HTTP 403 Forbidden" in line and "issues: write" in line
    assert TOKEN not in r.output


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--github-issue", "--pr", "3"], "--pr goes with --github-comment"),
        (["--github-issue", "--github-comment"], "--github-comment (a pull request) and"),
        (["--comment-key", "x"], "--comment-key goes with --github-comment or --github-issue"),
    ],
)
def test_flags_that_do_not_go_together(tmp_path: Path, flags: list[str], message: str) -> None:
    r = run_inproc([], None, "-w", "workspace.yml", "plan", *flags)
    assert r.code == 1 and message in r.stderr, r


# --- a plan larger than one issue body --------------------------------------------------------


def _issue_comments(github: FakeGitHub, number: int) -> list[str]:
    return [c["body"] for c in github.comments.get(number, [])]


def test_long_plan_goes_on_in_the_issues_comments(github: FakeGitHub) -> None:
    gh = GitHubClient(TOKEN, github.url)
    parts = ["## part one\n", "## two\n", "## three\n"]
    lines = report_drift(gh, REPO, "ws.yml", "Drift: 3 of 3 services differ", parts)
    (issue,) = github.open_issues()
    assert issue["body"] == f"{drift_marker('ws.yml')}\n## part one\n"
    assert _issue_comments(github, issue["number"]) == [
        "<!-- ecsplan:plan:ws.yml:part2 -->\n## two\n",
        "<!-- ecsplan:plan:ws.yml:part3 -->\n## three\n",
    ]
    assert f"created issue #{issue['number']} comment (part 3 of 3)" in "\n".join(lines)

    report_drift(gh, REPO, "ws.yml", "Drift: my-cluster/api differs", ["## only one\n"])
    (same,) = github.open_issues()
    assert same["number"] == issue["number"] and same["title"] == "Drift: my-cluster/api differs"
    assert same["body"].endswith("## only one\n")
    assert _issue_comments(github, issue["number"]) == []  # the stale parts are gone


def test_duplicate_issues_from_a_race_are_closed(github: FakeGitHub) -> None:
    first = github.add_issue("Drift", f"{drift_marker('ws.yml')}\nold")
    second = github.add_issue("Drift", f"{drift_marker('ws.yml')}\nold too")
    report_drift(GitHubClient(TOKEN, github.url), REPO, "ws.yml", "Drift", ["new\n"])
    assert [i["number"] for i in github.open_issues()] == [first["number"]]
    assert github.issues[first["number"]]["body"].endswith("new\n")
    duplicate: dict[str, Any] = github.issues[second["number"]]
    assert (duplicate["state"], duplicate["state_reason"]) == ("closed", "not_planned")
