"""Entry point: the click group, global flags, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import os
import sys
import traceback
import warnings

import click

from planner import __version__
from planner.cli.argv import normalize_argv
from planner.cli.commands import COMMANDS, PACKAGED, PLUGIN_GROUP
from planner.errors import EcsplanError
from planner.render.printable import printable, printable_lines


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or shows its own help), so
    `ecsplan --version` and `--help` start without boto3, rich or moto; commands of other
    packages come through the ``ecsplan.commands`` entry points."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS, *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"planner.cli.{COMMANDS[cmd_name][0]}")
        elif cmd_name not in self.commands and cmd_name in _plugins():
            self.add_command(_plugins()[cmd_name].load(), cmd_name)
        elif cmd_name not in self.commands and cmd_name in PACKAGED:
            return _not_installed(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS:
                rows.append((name, COMMANDS[name][1]))
            else:
                cmd = self.get_command(ctx, name)
                rows.append((name, cmd.get_short_help_str(limit=80) if cmd else ""))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@functools.cache
def _plugins() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=PLUGIN_GROUP)}


def _not_installed(name: str) -> click.Command:
    """Stands in for a command whose package is missing: says how to get it, exit 1."""

    def fail(args: tuple[str, ...]) -> None:
        raise EcsplanError(PACKAGED[name])

    return click.Command(
        name,
        callback=fail,
        params=[click.Argument(["args"], nargs=-1)],
        context_settings={"ignore_unknown_options": True},
        help=f"(not installed) {PACKAGED[name]}",
    )


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="ecsplan")
@click.option(
    "--config",
    "-c",
    "configs",
    multiple=True,
    metavar="PATH",
    help="ecspresso config (default ecspresso.yml|yaml|json|jsonnet; env ECSPRESSO_CONFIG); "
    "repeat or use a glob for several services.",
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
    "--assume-role-arn",
    envvar="ECSPRESSO_ASSUME_ROLE_ARN",
    metavar="ARN",
    help="Assume this IAM role for every AWS call.",
)
@click.option(
    "--state",
    envvar="ECSPLAN_STATE",
    metavar="PATH|s3://BUCKET/PREFIX",
    help="State location (default ./state or ecsplan.state in the config).",
)
@click.option(
    "--timeout",
    envvar="ECSPRESSO_TIMEOUT",
    metavar="DURATION",
    help="Overrides the config's timeout (e.g. 10m); a command's own --timeout wins.",
)
@click.option(
    "--color/--no-color",
    "color",
    default=None,
    envvar="ECSPRESSO_COLOR",
    help="Force colours on, even into a pipe, or off (env ECSPRESSO_COLOR); default: on a "
    "terminal unless NO_COLOR is set.",
)
@click.option("--debug", is_flag=True, envvar="ECSPRESSO_DEBUG", help="Log AWS calls; tracebacks.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="ECSPRESSO_LOG_FORMAT",
    help="Accepted for ecspresso (env ECSPRESSO_LOG_FORMAT); ecsplan's output is the same "
    "either way: use a command's --output json / --format json for JSON.",
)
@click.option(
    "--filter-command",
    envvar="ECSPRESSO_FILTER_COMMAND",
    metavar="CMD",
    help="Command that picks one line of a list (peco, fzf) when a task must be chosen.",
)
@click.option(
    "--envfile",
    "envfiles",
    multiple=True,
    metavar="FILE,...",
    help="dotenv files loaded before templates (comma separated or repeated; env "
    "ECSPRESSO_ENVFILE).",
)
@click.option(
    "--ext-str",
    multiple=True,
    metavar="K=V;...",
    help="Jsonnet external strings (semicolon separated or repeated; env ECSPRESSO_EXT_STR).",
)
@click.option(
    "--ext-code",
    multiple=True,
    metavar="K=V;...",
    help="Jsonnet external code (semicolon separated or repeated; env ECSPRESSO_EXT_CODE).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    configs: tuple[str, ...],
    workspace: str | None,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    assume_role_arn: str | None,
    state: str | None,
    timeout: str | None,
    color: bool | None,
    debug: bool,
    log_format: str | None,
    filter_command: str | None,
    envfiles: tuple[str, ...],
    ext_str: tuple[str, ...],
    ext_code: tuple[str, ...],
) -> None:
    """ecsplan: review ECS deployments as a plan, apply exactly what was approved.

    Global options go before or after the command, as with ecspresso.
    """
    from planner.cli.context import Globals
    from planner.cli.kong_values import list_values, map_values
    from planner.config.duration import parse_duration

    try:
        timeout_seconds = parse_duration(timeout) if timeout else None
    except ValueError as e:
        raise EcsplanError(f"--timeout: {e}") from e
    if region:
        from planner.config.limits import region_problem

        problem = region_problem(region)
        if problem:
            raise EcsplanError(f"--region: {problem}")
    if log_format == "json":
        click.echo(
            "warning: --log-format json (ECSPRESSO_LOG_FORMAT) changes nothing in ecsplan: "
            "use the command's --output json or --format json",
            err=True,
        )
    ctx.obj = Globals(
        configs=configs or list_values((), "ECSPRESSO_CONFIG"),
        workspace=workspace,
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        assume_role_arn=assume_role_arn or None,
        state=state,
        color_choice=color,
        timeout_seconds=timeout_seconds,
        debug=debug,
        filter_command=filter_command or None,
        envfiles=list_values(envfiles, "ECSPRESSO_ENVFILE"),
        ext_str=map_values(ext_str, "ECSPRESSO_EXT_STR", "--ext-str"),
        ext_code=map_values(ext_code, "ECSPRESSO_EXT_CODE", "--ext-code"),
    )


@cli.command()
def version() -> None:
    """Show the version (as `ecspresso version`)."""
    click.echo(f"ecsplan {__version__}")


@cli.command(name="help")
@click.argument("command", required=False)
@click.pass_context
def help_(ctx: click.Context, command: str | None) -> None:
    """Show this help, or a command's (`ecspresso help` of v1)."""
    group = ctx.parent
    assert group is not None
    sub = cli.get_command(group, command) if command else None
    if command and sub is None:
        raise EcsplanError(f"help {command}: no such command")
    if sub is None:
        click.echo(cli.get_help(group))
        return
    with click.Context(sub, info_name=command, parent=group) as sub_ctx:
        click.echo(sub.get_help(sub_ctx))


def _register_commands() -> None:
    """Load every command now (tests and tools that walk the whole CLI)."""
    for module, _ in COMMANDS.values():
        importlib.import_module(f"planner.cli.{module}")


def _show_warning(
    message: Warning | str, category: type[Warning], *_: object, **__: object
) -> None:
    """Our warnings (state, templates...) as one plain line, not Python's file:line form."""
    click.echo(f"warning: {printable(str(message))}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every EcsplanError becomes one line on stderr and exit code 1."""
    warnings.showwarning = _show_warning
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("ECSPLAN_DEBUG"))
    try:
        rc = cli.main(args=normalize_argv(cli, args), prog_name="ecsplan", standalone_mode=False)
    except EcsplanError as e:
        # messages quote file paths and the values they refuse: never raw control characters
        click.echo(f"Error: {printable(e.message)}", err=True)
        if e.details:
            click.echo(printable_lines(e.details), err=True)
        for w in e.warnings:
            click.echo(f"warning: {printable(w)}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        click.echo(f"Error: {printable(e.format_message())}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Error: interrupted", err=True)
        sys.exit(1)
    except Exception as e:  # a bug of ours: still one line first, the traceback on request
        click.echo(f"Error: internal error: {type(e).__name__}: {printable(str(e))}", err=True)
        if debug:
            traceback.print_exc()
        else:
            click.echo("(run with --debug for the traceback; please report it)", err=True)
        sys.exit(1)
    sys.exit(rc if isinstance(rc, int) else 0)
