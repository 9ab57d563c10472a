"""`ecsplan register`: register the task definition only (ecspresso register).

Always a new revision, as ecspresso does, even when it equals the newest one: CI jobs call
it to get a revision for `run` or a later `deploy --revision`. The write is a one-step plan
run through the journal and the service lock, so a crash after RegisterTaskDefinition is
adopted on resume, never registered twice.
"""

from __future__ import annotations

import json

import click

from planner.aws.ops import OpsClient
from planner.cli.apply_cmd import _print_results, run_journaled
from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli
from planner.cli.services import select
from planner.cli.status_cmd import refs_of
from planner.errors import EcsplanError
from planner.model.taskdef import task_definition_register_payload
from planner.plan.model import Action, Fingerprint, Plan, ServicePlan, Step, StepKind
from planner.render.secrets import mask, secret_values_in
from planner.workspace.planning import ServiceEntry


def _register_plan(e: ServiceEntry, region: str, cluster: str, service: str) -> ServicePlan:
    if not e.config.task_definition:
        raise EcsplanError(f"{e.key}: the config has no task_definition")
    payload = task_definition_register_payload(e.config.task_definition)
    family = payload.get("family")
    step = Step(
        id=f"{e.key}/01-{StepKind.REGISTER_TASK_DEFINITION.value}",
        kind=StepKind.REGISTER_TASK_DEFINITION,
        action=Action.CREATE,
        description=f"register a new revision of task definition family {family}",
        payload=payload,
        undo={"deregister": "new revision"},
    )
    return ServicePlan(
        key=e.key,
        config_path=str(e.config.path),
        region=region,
        cluster=cluster,
        service=service,
        controller="ECS",
        action=Action.CREATE,
        fingerprint=Fingerprint(status="ACTIVE"),
        steps=(step,),
    )


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the task definition to register; no write.")
@click.option(
    "--output", is_flag=True, help="Print the registered task definition as JSON (stdout)."
)
@pass_globals
def register(g: Globals, dry_run: bool, output: bool) -> int:
    """Register a new revision of the task definition (nothing else changes)."""
    sel = select(g)
    refs = refs_of(g, sel)
    if dry_run:
        for e in sel.entries:
            doc = task_definition_register_payload(e.config.task_definition or {})
            doc = mask(doc, secret_values_in(e.config.task_definition, sel.sensitive))
            click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        click.echo(f"Dry run: would register {len(sel.entries)} task definition(s).", err=True)
        return 0
    plans = [
        _register_plan(e, refs[e.key].region, refs[e.key].cluster, refs[e.key].service)
        for e in sel.entries
    ]
    results = run_journaled(
        g, Plan(services=tuple(plans)), sel, operation="register", stale_check=False
    )
    for r in results:
        for out in r.outputs.values():
            arn = out.get("taskDefinitionArn")
            if not arn:
                continue
            click.echo(f"{r.key}: registered {str(arn).rsplit('/', 1)[-1]}", err=True)
            if output:
                td = OpsClient(g.aws(), refs[r.key].region).describe_task_definition(str(arn))
                click.echo(json.dumps(td, indent=2, default=str, ensure_ascii=False))
    if output and all(r.ok for r in results):  # stdout is the JSON alone
        click.echo(f"Register complete: {len(results)} service(s).", err=True)
        return 0
    return _print_results(results, g, "Register")
