"""`ecsplan register`: register the task definition only (ecspresso register).

As ecspresso v2.6.0 register.go: stdout stays empty, or holds the registered task definition
as MarshalJSONForAPI prints it with --output (secrets masked). Always a new revision, as
ecspresso does, even when it equals the newest one: CI jobs call
it to get a revision for `run` or a later `deploy --revision`. The write is a one-step plan
run through the journal and the service lock (planner/ops/lifecycle.py), so a crash after
RegisterTaskDefinition is adopted on resume, never registered twice.
"""

from __future__ import annotations

import json

import click

from planner.cli.context import Globals, pass_globals
from planner.cli.main import cli


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the task definition to register; no write.")
@click.option(
    "--output", is_flag=True, help="Print the registered task definition as JSON (stdout)."
)
@pass_globals
def register(g: Globals, dry_run: bool, output: bool) -> int:
    """Register a new revision of the task definition (nothing else changes)."""
    from planner.canonical.taskdef import task_definition_register_payload
    from planner.cli.running import finish, journaled
    from planner.ops.lifecycle import register_plan, registered, registered_arns
    from planner.plan.secrets import secret_values_in
    from planner.render.revisions_view import task_definition_text
    from planner.render.secrets import mask

    session = g.session()
    if dry_run:
        for e in session.entries:
            doc = task_definition_register_payload(e.config.task_definition or {})
            doc = mask(doc, secret_values_in(e.config.task_definition, session.sensitive))
            click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        click.echo(f"Dry run: would register {len(session.entries)} task definition(s).", err=True)
        return 0
    refs = session.refs()
    results = journaled(g, session, register_plan(session), operation="register", stale_check=False)
    for r in results:
        for arn in registered_arns(r):
            click.echo(f"{r.key}: registered {arn.rsplit('/', 1)[-1]}", err=True)
            if output:
                td = registered(session, arn, refs[r.key])
                hidden = secret_values_in(td, session.sensitive)
                click.echo(task_definition_text(td, hidden), nl=False)
    if all(r.ok for r in results):  # stdout: nothing, or the JSON alone (ecspresso's)
        click.echo(f"Register complete: {len(results)} service(s).", err=True)
        return 0
    return finish(g, session, results, "Register")
