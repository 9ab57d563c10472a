"""Entry point: the click group, global flags, and the one place errors become exit codes."""

from __future__ import annotations

import os
import sys
import traceback
import warnings

import click

from planner import __version__
from planner.cli.context import Globals
from planner.errors import EcsplanError


def _pairs(values: tuple[str, ...], flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"expected KEY=VALUE, got {v!r}", param_hint=flag)
        k, _, val = v.partition("=")
        out[k] = val
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ecsplan")
@click.option(
    "--config",
    "-c",
    "configs",
    multiple=True,
    metavar="PATH",
    help="ecspresso config (ecspresso.yml); repeat or use a glob for several services.",
)
@click.option("--workspace", "-w", metavar="FILE", help="Workspace file listing many services.")
@click.option("--region", envvar="ECSPLAN_REGION", help="AWS region (else config, AWS_REGION).")
@click.option("--profile", envvar="AWS_PROFILE", help="AWS shared-config profile.")
@click.option(
    "--endpoint-url",
    envvar="AWS_ENDPOINT_URL",
    help="AWS endpoint (for the sandbox: http://127.0.0.1:4566).",
)
@click.option(
    "--state",
    envvar="ECSPLAN_STATE",
    metavar="PATH|s3://BUCKET/PREFIX",
    help="State location (default ./state or ecsplan.state in the config).",
)
@click.option("--no-color", is_flag=True, help="No colours (also when not a TTY or NO_COLOR).")
@click.option("--envfile", "envfiles", multiple=True, help="dotenv file loaded before templates.")
@click.option("--ext-str", multiple=True, metavar="K=V", help="Jsonnet external string.")
@click.option("--ext-code", multiple=True, metavar="K=V", help="Jsonnet external code.")
@click.pass_context
def cli(
    ctx: click.Context,
    configs: tuple[str, ...],
    workspace: str | None,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    state: str | None,
    no_color: bool,
    envfiles: tuple[str, ...],
    ext_str: tuple[str, ...],
    ext_code: tuple[str, ...],
) -> None:
    """ecsplan: review ECS deployments as a plan, apply exactly what was approved."""
    ctx.obj = Globals(
        configs=configs,
        workspace=workspace,
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        state=state,
        no_color=no_color,
        envfiles=envfiles,
        ext_str=_pairs(ext_str, "--ext-str"),
        ext_code=_pairs(ext_code, "--ext-code"),
    )


def _register_commands() -> None:
    # Imported for their side effect of adding commands to `cli`.
    from planner.cli import commands  # noqa: F401


def _show_warning(
    message: Warning | str, category: type[Warning], *_: object, **__: object
) -> None:
    """Our warnings (state, templates...) as one plain line, not Python's file:line form."""
    click.echo(f"warning: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every EcsplanError becomes one line on stderr and exit code 1."""
    _register_commands()
    warnings.showwarning = _show_warning
    try:
        rc = cli.main(args=argv, prog_name="ecsplan", standalone_mode=False)
    except EcsplanError as e:
        click.echo(f"Error: {e.message}", err=True)
        if e.details:
            click.echo(e.details, err=True)
        for w in e.warnings:
            click.echo(f"warning: {w}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        click.echo(f"Error: {e.format_message()}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Error: interrupted", err=True)
        sys.exit(1)
    except Exception as e:  # a bug of ours: still one line first, the traceback on request
        click.echo(f"Error: internal error: {type(e).__name__}: {e}", err=True)
        if os.environ.get("ECSPLAN_DEBUG"):
            traceback.print_exc()
        else:
            click.echo("(set ECSPLAN_DEBUG=1 for the traceback; please report it)", err=True)
        sys.exit(1)
    sys.exit(rc if isinstance(rc, int) else 0)
