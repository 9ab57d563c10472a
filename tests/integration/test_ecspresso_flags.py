"""ecspresso's subcommand flags as ecsplan takes them (docs/ecspresso-compat.md).

Each test runs the CLI in-process against the sandbox and checks what a user sees: the
output, the exit code, and the live AWS state afterwards.
"""

from __future__ import annotations

import json

import pytest
from helpers_cli import delta, fake_session_manager_plugin, requests, writes_of
from test_lists_compat import json_objects
from test_ops_support import active_revisions, client, deployed, ecsplan, example

pytestmark = pytest.mark.integration


def _deployed(sandbox, tmp_path, name: str = "single-service"):
    cfg = example(name, tmp_path)
    state = tmp_path / "state"
    deployed(sandbox, cfg, state)
    return cfg, state


# --- register ----------------------------------------------------------------------------


def test_register_dry_run_prints_the_definition_and_writes_nothing(sandbox, tmp_path) -> None:
    cfg, state = _deployed(sandbox, tmp_path)
    r = ecsplan([cfg], state, "register", "--dry-run")
    assert r.code == 0, r
    doc = json.loads(r.stdout)
    assert doc["family"] == "myservice"
    assert "taskDefinitionArn" not in doc and "revision" not in doc
    assert "would register 1 task definition" in r.stderr
    assert active_revisions(sandbox, "myservice") == [1]


def test_register_adds_a_revision_and_leaves_the_service(sandbox, tmp_path) -> None:
    """ecspresso v2.6.0 register.go Register: nothing on stdout (logs on stderr); with
    --output the registered task definition as OutputJSONForAPI prints it (json.go
    MarshalJSONForAPI: sorted keys, lower-first, nulls and empty arrays dropped)."""
    cfg, state = _deployed(sandbox, tmp_path)
    r = ecsplan([cfg], state, "register")
    assert r.code == 0, r
    assert "myservice: registered myservice:2" in r.stderr
    assert r.stdout == ""
    assert active_revisions(sandbox, "myservice") == [1, 2]
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert svc["services"][0]["taskDefinition"].endswith(":1")

    out = ecsplan([cfg], state, "register", "--output")
    assert out.code == 0, out
    td = json.loads(out.stdout)  # stdout is the JSON alone
    assert td["revision"] == 3 and td["family"] == "myservice"
    assert list(td) == sorted(td) and out.stdout.startswith('{\n  "compatibilities": [')
    assert '"status": "ACTIVE"' in out.stdout and "null" not in out.stdout
    assert "Register complete" in out.stderr


# --- deregister --------------------------------------------------------------------------


def _three_revisions(sandbox, tmp_path):
    cfg, state = _deployed(sandbox, tmp_path)
    for tag in ("1.28", "1.29"):
        r = ecsplan([cfg], state, "deploy", env={"IMAGE_TAG": tag})
        assert r.code == 0, r
    assert active_revisions(sandbox, "myservice") == [1, 2, 3]
    return cfg, state


def test_deregister_keeps_is_ecspressos_spelling_of_keep(sandbox, tmp_path) -> None:
    cfg, state = _three_revisions(sandbox, tmp_path)
    r = ecsplan([cfg], state, "deregister", "--keeps", "1", "--force")
    assert r.code == 0, r
    # 3 runs the service, 2 is the last run's rollback target: only 1 goes
    assert "Deregistered 1 revision(s)." in r.stderr
    assert active_revisions(sandbox, "myservice") == [2, 3]


def test_deregister_revision_takes_latest_and_family_colon_n(sandbox, tmp_path) -> None:
    """deregister.go deregiserRevision @v2.6.0: `latest` is the family's newest revision, an in-use
    one is refused (exit 1), `--force` skips the prompt; a word that is not a number is refused
    (ecspresso: `invalid revision number`)."""
    cfg, state = _three_revisions(sandbox, tmp_path)
    latest = ecsplan([cfg], state, "deregister", "--revision", "latest", "--force")
    assert latest.code == 1  # the newest one runs the service
    assert latest.stderr.startswith("Error: myservice:3 is in use (service")

    r = ecsplan([cfg], state, "deregister", "--revision", "myservice:1", "--force")
    assert r.code == 0, r
    assert "deregistered myservice:1" in r.stderr
    assert active_revisions(sandbox, "myservice") == [2, 3]

    other = ecsplan([cfg], state, "deregister", "--revision", "otherfamily:2", "--force")
    assert other.code == 1 and "not a revision of family myservice" in other.stderr
    bad = ecsplan([cfg], state, "deregister", "--revision", "two", "--force")
    assert bad.code == 1 and "expected a number, family:N or latest" in bad.stderr


# --- tasks -------------------------------------------------------------------------------


def test_tasks_output_tsv_json_and_id(sandbox, tmp_path) -> None:
    cfg, state = _deployed(sandbox, tmp_path)
    tsv = ecsplan([cfg], state, "tasks", "--output", "tsv")
    assert tsv.code == 0, tsv
    header, *lines = tsv.stdout.splitlines()
    assert header.split("\t")[:3] == ["ID", "TaskDefinition", "Instance"]
    assert len(lines) == 3 and all(ln.split("\t")[1] == "myservice:1" for ln in lines)
    first = lines[0].split("\t")[0]

    j = json_objects(ecsplan([cfg], state, "tasks", "--output", "json").stdout)
    assert len(j) == 3

    one = ecsplan([cfg], state, "tasks", "--id", first, "--output", "tsv")
    assert [ln.split("\t")[0] for ln in one.stdout.splitlines()[1:]] == [first]

    found = ecsplan([cfg], state, "tasks", "--find", "--id", first)
    assert found.code == 0, found
    task = json.loads(found.stdout)  # ecspresso's `tasks --find --id`: the task as JSON
    assert task["taskArn"].endswith(first) and task["lastStatus"] == "RUNNING"

    missing = ecsplan([cfg], state, "tasks", "--id", "nope")
    assert missing.code == 1 and "not a task of the selected service" in missing.stderr


def test_tasks_stop_with_id_as_ecspresso_writes_it(sandbox, tmp_path) -> None:
    """tasks.go TasksOption (Stop, ID, Force) and ecsta v0.4.5 stop.go RunStop: `--stop --id ID
    --force` stops that task without asking. Without --id and several tasks on a pipe ecsplan
    fails at once (ecsta would prompt until the timeout; docs: different), and `--find` there
    prints the ARNs."""
    cfg, state = _deployed(sandbox, tmp_path)
    victim = ecsplan([cfg], state, "tasks", "--find").stdout.split()[0]
    vid = victim.rsplit("/", 1)[-1]
    r = ecsplan([cfg], state, "tasks", "--stop", "--id", vid, "--force")
    assert r.code == 0, r
    assert r.stdout == ""  # ecsta's RunStop prints nothing
    assert f"stopping task {vid}" in r.stderr
    [task] = client(sandbox, "ecs").describe_tasks(cluster="my-cluster", tasks=[victim])["tasks"]
    assert task["desiredStatus"] == "STOPPED"
    none = ecsplan([cfg], state, "tasks", "--stop", "--force")  # 2 left, nothing to choose
    assert none.code == 1 and "--stop needs a task" in none.stderr


# --- exec --------------------------------------------------------------------------------


def test_exec_port_forward_says_why_it_is_not_supported(sandbox, tmp_path) -> None:
    cfg = example("single-service", tmp_path)
    before = sandbox.stats()["total"]
    r = ecsplan(
        [cfg], tmp_path / "state", "exec", "--port-forward", "--port", "80", "--local-port", "8080"
    )
    assert r.code == 1
    assert r.stderr.startswith("Error: exec --port-forward is not supported")
    assert sandbox.stats()["total"] == before


def test_exec_id_names_the_task(sandbox, tmp_path, monkeypatch) -> None:
    """exec.go ExecOption (ID, Command) and ecsta v0.4.5 exec.go RunExec: --id picks the task whose
    ECS Exec session is opened with --command."""
    cfg, state = _deployed(sandbox, tmp_path)
    arn = ecsplan([cfg], state, "tasks", "--find").stdout.split()[1]
    args_file = fake_session_manager_plugin(tmp_path, monkeypatch)
    r = ecsplan([cfg], state, "exec", "--id", arn.rsplit("/", 1)[-1], "--command", "ls")
    assert r.code == 0, r
    target = json.loads(args_file.read_text().splitlines()[4])["Target"]
    assert target.startswith(f"ecs:my-cluster_{arn.rsplit('/', 1)[-1]}_")


# --- init --------------------------------------------------------------------------------


def test_init_paths_region_jsonnet_and_force_overwrite(sandbox, tmp_path) -> None:
    """init.go InitOption @v2.6.0: --service, --cluster, --region (over AWS_REGION),
    --task-definition-path and --service-definition-path, --jsonnet (.jsonnet files),
    --force-overwrite to replace existing files."""
    _cfg, state = _deployed(sandbox, tmp_path)
    out_cfg = tmp_path / "new" / "ecspresso.yml"
    args = (
        "init",
        "--service",
        "myservice",
        "--cluster",
        "my-cluster",
        "--region",
        "ap-northeast-1",
        "--config",
        str(out_cfg),
        "--task-definition-path",
        "defs/td.json",
        "--service-definition-path",
        "defs/sd.json",
        "--jsonnet",
    )
    r = ecsplan([], state, *args, env={"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": None})
    assert r.code == 0, r
    written = out_cfg.with_suffix(".jsonnet")
    conf = json.loads(written.read_text())  # JSON text: Jsonnet reads it as is
    assert conf["region"] == "ap-northeast-1"
    assert (conf["task_definition"], conf["service_definition"]) == (
        "defs/td.jsonnet",
        "defs/sd.jsonnet",
    )
    assert json.loads((written.parent / "defs/td.jsonnet").read_text())["family"] == "myservice"

    plan = ecsplan([written], state, "plan")
    assert plan.code == 0, plan
    assert "No changes" in plan.stdout

    again = ecsplan([], state, *args)
    assert again.code == 1 and "already exist; use --force" in again.stderr
    forced = ecsplan([], state, *args, "--force-overwrite")
    assert forced.code == 0, forced
    before = (written.parent / "defs/td.jsonnet").read_text()
    for flag in ("--sort", "--no-sort"):  # init.go `Sort negatable`: accepted, always sorted
        sorted_ = ecsplan([], state, *args, "--force-overwrite", flag)
        assert sorted_.code == 0, sorted_
        assert (written.parent / "defs/td.jsonnet").read_text() == before


# --- deploy ------------------------------------------------------------------------------


def test_deploy_no_update_service_deploys_only_the_task_definition(sandbox, tmp_path) -> None:
    """deploy.go DeployOption @v2.6.0: `UpdateService default:"true" negatable:""`: with
    --no-update-service only the task definition, `--tasks` (calcDesiredCount) and
    force-new-deployment reach UpdateService; `Wait negatable:""` takes --wait and --no-wait
    (both at once is refused by ecsplan)."""
    from helpers_cli import edit_json

    cfg, state = _deployed(sandbox, tmp_path)
    edit_json(cfg.parent / "ecs-service-def.json", desiredCount=5, healthCheckGracePeriodSeconds=90)
    r = ecsplan([cfg], state, "deploy", "--no-update-service", env={"IMAGE_TAG": "1.99"})
    assert r.code == 0, r
    assert "--no-update-service: the service definition's attributes are not applied" in r.output
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    live = svc["services"][0]
    assert live["taskDefinition"].endswith(":2")  # the new revision is deployed
    assert live["desiredCount"] == 3 and live["healthCheckGracePeriodSeconds"] == 60

    tasks = ecsplan([cfg], state, "deploy", "--no-update-service", "--tasks", "4")
    assert tasks.code == 0, tasks
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert svc["services"][0]["desiredCount"] == 4  # --tasks still applies

    both = ecsplan([cfg], state, "deploy", "--wait", "--no-wait")
    assert both.code == 1 and "both forms given" in both.stderr

    r = ecsplan([cfg], state, "deploy", "--update-service", "--wait")
    assert r.code == 0, r
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert svc["services"][0]["desiredCount"] == 5


# --- verify ------------------------------------------------------------------------------


def test_verify_no_get_secrets_and_no_put_logs_skip_those_checks(sandbox, tmp_path) -> None:
    from test_verify import ACCOUNT, REGION, write_config

    sandbox.prepare([])
    gone = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/gone-AbCdEf"
    tg = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/gone/0123456789abcdef"
    world = {"secret": gone, "tg": tg, "sg": "sg-1", "subnet": "subnet-1"}
    cfg = write_config(tmp_path, world)
    ng = ecsplan([cfg], tmp_path / "state", "verify")
    assert ng.code == 1
    assert f"secret PASSWORD {gone}: Secrets Manager secret not found" in ng.stdout

    r = ecsplan([cfg], tmp_path / "state", "verify", "--no-get-secrets", "--no-put-logs")
    skipped = f"secret PASSWORD {gone}: --no-get-secrets"
    lines = [ln.strip() for ln in r.stdout.splitlines()]
    assert any(ln.startswith("SKIP") and ln.endswith(skipped) for ln in lines), r
    assert "log group /ecs/new: --no-put-logs" in r.stdout
    assert "Secrets Manager secret not found" not in r.stdout


# --- render ------------------------------------------------------------------------------


def test_render_takes_ecspressos_target_names(tmp_path) -> None:
    """render.go RenderOption @v2.6.0: targets `task-definition`/`taskdef` and
    `service-definition`/`servicedef` print the same documents; --jsonnet is accepted (ecsplan
    prints JSON, which Jsonnet reads; docs: different)."""
    cfg = example("single-service", tmp_path)
    long = ecsplan([cfg], tmp_path / "state", "render", "task-definition", "--jsonnet")
    short = ecsplan([cfg], tmp_path / "state", "render", "taskdef")
    assert long.code == 0, long
    assert long.stdout == short.stdout and json.loads(long.stdout)["family"] == "myservice"
    sd = ecsplan([cfg], tmp_path / "state", "render", "service-definition")
    assert json.loads(sd.stdout)["desiredCount"] == 3


# --- scale, refresh, delete --------------------------------------------------------------


def _desired(sandbox) -> int:
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    return int(svc["services"][0]["desiredCount"])


def test_scale_refresh_delete_dry_run_change_nothing(sandbox, tmp_path) -> None:
    """scale.go/refresh.go/delete.go `DryRun` @v2.6.0: nothing is changed; scale.go `DesiredCount
    default:"-1"` and deploy.go calcDesiredCount: scale without --tasks keeps the live count and
    exits 0; scale's --no-wait returns without waiting."""
    cfg, state = _deployed(sandbox, tmp_path)
    before = len(
        client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])[
            "services"
        ][0]["deployments"]
    )

    s = ecsplan([cfg], state, "scale", "--tasks", "5", "--dry-run")
    assert s.code == 0, s
    assert "desiredCount" in s.stdout and _desired(sandbox) == 3

    f = ecsplan([cfg], state, "refresh", "--dry-run")
    assert f.code == 0, f
    svc = client(sandbox, "ecs").describe_services(cluster="my-cluster", services=["myservice"])
    assert len(svc["services"][0]["deployments"]) == before

    d = ecsplan([cfg], state, "delete", "--dry-run", "--terminate")
    assert d.code == 0, d
    assert "Dry run: would delete 1 service(s)." in d.stdout
    assert svc["services"][0]["status"] == "ACTIVE" and _desired(sandbox) == 3

    # ecspresso scale.go: --tasks defaults to -1, which deploy.go calcDesiredCount reads as
    # "the service's current count": the count is kept and the command exits 0
    before_writes = requests(sandbox)
    nothing = ecsplan([cfg], state, "scale")
    assert nothing.code == 0, nothing
    assert "No changes" in nothing.stdout and _desired(sandbox) == 3
    assert writes_of(delta(before_writes, requests(sandbox))) == {}

    done = ecsplan([cfg], state, "scale", "--tasks", "2", "--no-wait")
    assert done.code == 0, done
    assert _desired(sandbox) == 2

    # the count now differs from the definition (3), and the image too: a refresh shows and
    # sends the forced deployment only, not those differences (left for plan/apply, said so)
    f = ecsplan([cfg], state, "refresh", "--dry-run", env={"IMAGE_TAG": "1.28"})
    assert f.code == 0, f
    assert "forceNewDeployment" in f.stdout
    assert "nginx:1.28" not in f.stdout
    shown = [line for line in f.stdout.splitlines() if "desiredCount" in line]
    assert shown == [
        "  Warning: other differences from the config are left for plan/apply: desiredCount"
    ], f.stdout


def test_scale_suspend_auto_scaling_without_tasks(sandbox, tmp_path) -> None:
    """scale.go ScaleOption.SuspendAutoScaling/ResumeAutoScaling and deploy.go modifyAutoScaling
    @v2.6.0: the scalable target's dynamic scaling is suspended, then resumed, with no --tasks."""
    from helpers_cli import scalable_target

    cfg, state = _deployed(sandbox, tmp_path, "autoscaling")
    cluster, service = "my-cluster", "scaled-service"
    r = ecsplan([cfg], state, "scale", "--suspend-auto-scaling")
    assert r.code == 0, r
    suspended = scalable_target(sandbox, cluster, service)["SuspendedState"]
    assert suspended["DynamicScalingInSuspended"] is True
    r = ecsplan([cfg], state, "scale", "--resume-auto-scaling")
    assert r.code == 0, r
    assert (
        scalable_target(sandbox, cluster, service)["SuspendedState"]["DynamicScalingInSuspended"]
        is False
    )


# --- run ---------------------------------------------------------------------------------


def test_run_pins_overrides_file_tags_and_dry_run(sandbox, tmp_path) -> None:
    """ecspresso v2.6.0 run.go RunOption (--revision, --latest-task-definition,
    --skip-task-definition, --overrides-file, --tags K=V,..., --dry-run) and
    resolveTaskDefinitionForRun's precedence."""
    cfg, state = _three_revisions(sandbox, tmp_path)
    r = ecsplan([cfg], state, "run", "--revision", "1", "--dry-run")
    assert r.code == 0, r
    assert "Dry run: would run 1 task(s) of myservice:1" in r.stdout
    latest = ecsplan([cfg], state, "run", "--latest-task-definition", "--dry-run")
    assert "of myservice:3" in latest.stdout
    # ecspresso run.go resolveTaskDefinitionForRun: --revision wins over --skip-task-definition
    # ("revision ... to run when --skip-task-definition"); with --latest- it is an error
    both = ecsplan([cfg], state, "run", "--revision", "1", "--skip-task-definition", "--dry-run")
    assert both.code == 0 and "of myservice:1" in both.stdout, both
    clash = ecsplan([cfg], state, "run", "--revision", "1", "--latest-task-definition")
    assert clash.code == 1
    assert clash.stderr == "Error: revision and latest-task-definition are exclusive\n"

    ov = tmp_path / "ov.json"
    ov.write_text(json.dumps({"containerOverrides": [{"name": "web", "command": ["true"]}]}))
    started = ecsplan(
        [cfg],
        state,
        "run",
        "--skip-task-definition",
        "--overrides-file",
        str(ov),
        "--tags",
        "job=migrate",
        "--no-wait",
    )
    assert started.code == 0, started
    tid = started.stdout.split()[2]
    [task] = client(sandbox, "ecs").describe_tasks(
        cluster="my-cluster", tasks=[tid], include=["TAGS"]
    )["tasks"]
    assert task["overrides"]["containerOverrides"][0]["command"] == ["true"]
    assert {"key": "job", "value": "migrate"} in task.get("tags", [])
    bad = ecsplan([cfg], state, "run", "--tags", "novalue", "--dry-run")
    assert bad.code == 1 and "expected KEY=VALUE" in bad.stderr


# ecspresso run_test.go TestTaskDefinitionArnForRun, the cases with a service: there the
# mocked service runs katsubushi:39 and the family's newest revision is 45; here the service
# runs myservice:1 and the newest is 3. (Its cases without a service need a config with no
# `service`, which ecsplan does not take.)
RUN_REVISION_CASES = [
    ("--skip-task-definition", "myservice:1"),
    ("--skip-task-definition --revision=2", "myservice:2"),
    ("--latest-task-definition", "myservice:3"),
    ("--latest-task-definition --skip-task-definition", "myservice:3"),
    ("--latest-task-definition --skip-task-definition --revision=2", "error"),
    ("--latest-task-definition --revision=2", "error"),
]


def test_run_picks_the_revision_as_ecspressos_run_test(sandbox, tmp_path) -> None:
    """ecspresso run_test.go TestTaskDefinitionArnForRun over run.go
    taskDefinitionArnForRun: the same flag combinations, the same choice (or error)."""
    cfg, state = _deployed(sandbox, tmp_path)
    ecs = client(sandbox, "ecs")
    td = ecs.describe_task_definition(taskDefinition="myservice:1")["taskDefinition"]
    keep = ("family", "containerDefinitions", "cpu", "memory", "networkMode")
    for _ in range(2):  # myservice:2 and :3, which the service does not run
        ecs.register_task_definition(
            **{k: td[k] for k in keep if k in td}, requiresCompatibilities=["FARGATE"]
        )
    for flags, expected in RUN_REVISION_CASES:
        r = ecsplan([cfg], state, "run", *flags.split(), "--dry-run")
        if expected == "error":
            assert r.code == 1, (flags, r)
            assert r.stderr == "Error: revision and latest-task-definition are exclusive\n"
        else:
            assert (r.code, r.stdout) == (0, f"Dry run: would run 1 task(s) of {expected}\n"), flags
