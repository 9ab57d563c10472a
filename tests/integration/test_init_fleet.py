"""`ecsplan init --all` (and repeated --service, a glob) on the sandbox: the guide's
services/<name>/ layout with a workspace.yml, which `plan` right after finds unchanged."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import yaml
from helpers_cli import delta, ecsplan, requests
from helpers_fleet import CLUSTER, DAEMON, SHARED, build_mixed_cluster

from ecsplan_sandbox.server import Sandbox

pytestmark = pytest.mark.integration


def _files(root: Path) -> list[str]:
    """Every file under root, relative, sorted (hidden staging directories included)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_init_all_writes_the_layout_and_plan_says_no_changes(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = build_mixed_cluster(sandbox)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    before = requests(sandbox)
    code, out, err = ecsplan("init", "--cluster", CLUSTER, "--all")
    assert code == 0, out + err
    calls = delta(before, requests(sandbox))

    per_service = ["ecs-service-def.json", "ecs-task-def.json", "ecspresso.yml"]
    want = sorted(f"services/{n}/{f}" for n in names for f in per_service)
    assert _files(work) == sorted([*want, "workspace.yml"])
    for path in want:
        assert f"wrote {path}\n" in out
    assert "wrote workspace.yml" in out
    assert out.splitlines()[-1] == (
        f"init: {len(want) + 1} files for {len(names)} services of cluster {CLUSTER} "
        "(ap-northeast-1); next: ecsplan -w workspace.yml plan"
    )

    ws = yaml.safe_load((work / "workspace.yml").read_text())
    assert ws["services"] == {n: {"config": f"services/{n}/ecspresso.yml"} for n in names}
    bg = yaml.safe_load((work / "services/bg-service/ecspresso.yml").read_text())
    assert bg["codedeploy"] == {"application_name": "myapp", "deployment_group_name": "myapp-group"}
    daemon = json.loads((work / f"services/{DAEMON}/ecs-service-def.json").read_text())
    assert daemon["schedulingStrategy"] == "DAEMON" and "desiredCount" not in daemon
    shared = [json.loads((work / f"services/{n}/ecs-task-def.json").read_text()) for n in SHARED]
    assert shared[0] == shared[1] and shared[0]["family"] == "shared-web"
    assert f"note: {', '.join(SHARED)} run task definition family shared-web" in out

    # Batched reads: one ListServices page, DescribeServices by 10, each task definition
    # ARN once (the two shared services run one), CodeDeploy walked once.
    assert calls["ecs:ListServices"] == 1
    assert calls["ecs:DescribeServices"] == 1
    assert calls["ecs:DescribeTaskDefinition"] == len(names) - 1
    assert calls["codedeploy:ListApplications"] == 1
    assert not [k for k in calls if not k.split(":")[1].startswith(("List", "Describe", "Batch"))]

    code, out, err = ecsplan(
        "-w", "workspace.yml", "--state", str(tmp_path / "state"), "plan", "--detailed-exitcode"
    )
    assert code == 0, out + err
    assert "No changes" in out


def test_init_by_glob_and_repeated_service_into_a_directory(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A glob, or --service repeated, writes just those services; --dir and -w say where
    the layout and the workspace go; --jsonnet writes .jsonnet files the workspace lists."""
    build_mixed_cluster(sandbox)
    out_dir = tmp_path / "glob"
    code, out, err = ecsplan("init", "--cluster", CLUSTER, "--service", "shared-*", "--dir", str(out_dir))  # fmt: skip
    assert code == 0, out + err
    assert sorted(yaml.safe_load((out_dir / "workspace.yml").read_text())["services"]) == list(
        SHARED
    )
    assert sorted(p.name for p in (out_dir / "services").iterdir()) == list(SHARED)

    ws = tmp_path / "two" / "fleet.yml"
    code, out, err = ecsplan(
        "-w", str(ws), "init", "--cluster", CLUSTER, "--service", "myservice",
        "--service", DAEMON, "--jsonnet",
    )  # fmt: skip
    assert code == 0, out + err
    assert out.splitlines()[-1].endswith(f"next: ecsplan -w {ws} plan")
    assert yaml.safe_load(ws.read_text())["services"] == {
        DAEMON: {"config": f"services/{DAEMON}/ecspresso.jsonnet"},
        "myservice": {"config": "services/myservice/ecspresso.jsonnet"},
    }
    assert (ws.parent / "services/myservice/ecs-task-def.jsonnet").is_file()
    code, out, err = ecsplan("-w", str(ws), "--state", str(tmp_path / "s"), "plan", "--detailed-exitcode")  # fmt: skip
    assert code == 0, out + err


def test_single_service_init_keeps_ecspresso_layout_and_output(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One --service without --all or a glob: ecspresso.yml and the definitions in the
    current directory, the three `wrote` lines and nothing else, as ecspresso's init."""
    build_mixed_cluster(sandbox)
    monkeypatch.chdir(tmp_path)
    code, out, err = ecsplan("init", "--cluster", CLUSTER, "--service", "myservice")
    assert (code, out, err) == (
        0,
        "wrote ecspresso.yml\nwrote ecs-service-def.json\nwrote ecs-task-def.json\n",
        "",
    )
    assert _files(tmp_path) == ["ecs-service-def.json", "ecs-task-def.json", "ecspresso.yml"]


def test_init_all_refuses_to_overwrite_unless_forced(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_mixed_cluster(sandbox)
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "services/myservice/ecs-task-def.json"
    mine.parent.mkdir(parents=True)
    mine.write_text("{}\n")
    code, out, err = ecsplan("init", "--cluster", CLUSTER, "--all")
    assert code == 1 and out == ""
    assert err == (
        "Error: init: services/myservice/ecs-task-def.json already exist; "
        "use --force to overwrite\n"
    )
    assert _files(tmp_path) == ["services/myservice/ecs-task-def.json"]
    assert mine.read_text() == "{}\n"

    code, out, err = ecsplan("init", "--cluster", CLUSTER, "--all", "--force")
    assert code == 0, out + err
    assert json.loads(mine.read_text())["family"] == "myservice"
    assert "wrote services/myservice/ecs-task-def.json" in out


# --- bad input: one line on stderr, exit 1, nothing written --------------------------------


def _refused(tmp_path: Path, *args: str) -> str:
    """Run init in an empty directory; assert it failed with one line and wrote nothing."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    code, out, err = ecsplan("init", "--dir", str(work), *args)
    assert code == 1, out + err
    assert out == "" and len(err.splitlines()) == 1, err
    assert _files(work) == [] and list(work.iterdir()) == []
    return err.strip()


def test_init_all_of_a_cluster_that_does_not_exist(sandbox: Sandbox, tmp_path: Path) -> None:
    assert _refused(tmp_path, "--cluster", "nope", "--all") == (
        "Error: cluster 'nope' not found in ap-northeast-1 (check --cluster and --region)"
    )
    assert _refused(tmp_path, "--cluster", "nope", "--service", "a", "--service", "b") == (
        "Error: cluster 'nope' not found in ap-northeast-1 (check --cluster and --region)"
    )


def test_init_all_of_an_empty_cluster(sandbox: Sandbox, tmp_path: Path) -> None:
    from helpers_cli import client

    client(sandbox, "ecs").create_cluster(clusterName="empty")
    assert _refused(tmp_path, "--cluster", "empty", "--all") == (
        "Error: init: cluster empty has no services in ap-northeast-1"
    )


def test_init_with_a_glob_matching_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    build_mixed_cluster(sandbox)
    assert _refused(tmp_path, "--cluster", CLUSTER, "--service", "api-*") == (
        f"Error: init: --service 'api-*' matches no service of cluster {CLUSTER} (it has "
        "agent, bg-service, myservice, scaled-service, shared-a, ... (7 in all))"
    )


def test_init_into_a_target_that_is_a_file(sandbox: Sandbox, tmp_path: Path) -> None:
    build_mixed_cluster(sandbox)
    target = tmp_path / "layout"
    target.write_text("not a directory\n")
    before = requests(sandbox)
    code, out, err = ecsplan("init", "--cluster", CLUSTER, "--all", "--dir", str(target))
    assert (code, out, err) == (1, "", f"Error: init: target directory {target} is a file\n")
    assert target.read_text() == "not a directory\n"
    assert delta(before, requests(sandbox)) == {}  # refused before any AWS call


def test_init_all_when_a_service_is_deleted_mid_read(sandbox: Sandbox, tmp_path: Path) -> None:
    """ListServices lists the service, then it is deleted before DescribeServices answers
    (the sandbox holds DescribeServices back while the test deletes it): init says so and
    writes nothing, since a file for a deleted service would make plan create it again."""
    from helpers_cli import client

    build_mixed_cluster(sandbox)
    sandbox.set_faults(latency_ms=1500, operations=["ecs:DescribeServices"])
    result: dict[str, str] = {}

    def run() -> None:
        result["err"] = _refused(tmp_path, "--cluster", CLUSTER, "--all")

    described = requests(sandbox).get("ecs:DescribeServices", 0)
    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while requests(sandbox).get("ecs:DescribeServices", 0) == described:
        assert time.monotonic() < deadline, "init never described the services"
        time.sleep(0.01)
    client(sandbox, "ecs").delete_service(cluster=CLUSTER, service="shared-b", force=True)
    worker.join(timeout=30)
    assert result["err"] == (
        f"Error: init: service {CLUSTER}/shared-b was deleted while init read the cluster "
        "(ListServices listed it, DescribeServices says INACTIVE); run init again"
    )
