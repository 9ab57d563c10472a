"""Where each command lives, and the one line `ecsplan --help` shows for it.

Commands load lazily: `ecsplan --help` and `--version` import none of them (and so neither
boto3 nor rich), and `ecsplan plan` imports only plan_cmd and what it needs. Each module
defines its commands with `@cli.command()` on import. Other packages add commands through
the ``ecsplan.commands`` entry point group (the sandbox package adds `sandbox`).
"""

from __future__ import annotations

# name -> (module under planner.cli, summary in the command list of `ecsplan --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "apply": ("apply_cmd", "Apply a saved plan exactly (no prompt), or plan, show and ask first."),
    "appspec": ("appspec_cmd", "Print the CodeDeploy AppSpec for the service."),
    "comment": ("comment_cmd", "Post rendered plan Markdown as the PR's sticky comment(s)."),
    "continue": ("continue_cmd", "Continue a deployment paused at an ECS lifecycle hook."),
    "delete": ("lifecycle_cmd", "Delete the service: show it, confirm, delete, wait."),
    "deploy": ("apply_cmd", "Plan and apply in one go (ecspresso's deploy), no prompt."),
    "deregister": ("deregister_cmd", "Deregister old task definition revisions, never one in use."),
    "diff": ("plan_cmd", "Only the diffs of task and service definitions against live."),
    "exec": ("exec_cmd", "Open an ECS Exec session in a task of the service."),
    "graph": (
        "graph_cmd",
        "Draw the dependency order (Mermaid, DOT); a saved plan marks the changes.",
    ),
    "init": ("init_cmd", "Write ecspresso.yml and definitions from a live service."),
    "plan": ("plan_cmd", "Read live state and show what apply would change."),
    "refresh": ("lifecycle_cmd", "Force a new deployment of the running task definition."),
    "register": ("register_cmd", "Register a new revision of the task definition only."),
    "render": ("validate_cmd", "Print the rendered config, service and task definitions."),
    "revisions": ("revisions_cmd", "List the family's revisions, marking those in use."),
    "rollback": ("rollback_cmd", "Undo what a run changed, from its journal."),
    "run": ("run_cmd", "Run a one-off task with the service's network settings."),
    "scale": ("scale_cmd", "Change the desired count (and scaling capacity), journaled."),
    "state": ("state_cmd", "Inspect state, journals and locks; release a stale lock."),
    "status": ("status_cmd", "Show each service's deployments, tasks, scaling and events."),
    "tasks": ("tasks_cmd", "List the service's tasks; find, stop or trace one."),
    "validate": ("validate_cmd", "Check configs and definitions (schema + semantic checks)."),
    "verify": ("verify_cmd", "Check the resources the definitions refer to exist and fit."),
    "wait": ("wait_cmd", "Wait for the deployment in progress; exit 1 if it fails."),
}

# Entry point group of commands other packages add (name -> a click.Command).
PLUGIN_GROUP = "ecsplan.commands"

# Commands that come with a package of their own, and how to get it.
PACKAGED = {
    "sandbox": "`ecsplan sandbox` comes with the ecsplan-sandbox package: pip install ./sandbox "
    "from the ecsplan repository (make demo and make test install it)",
}
