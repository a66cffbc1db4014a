"""``odibi secrets init`` and ``odibi secrets validate``.

``init`` writes a ``.env.example`` naming every ``${secret:X}`` and ``${env:X}`` the project
references (following ``imports`` and every ``environments`` overlay), each with the files, lines
and keys that use it. ``validate`` resolves every reference of the chosen environment through the
provider chain and lists what is missing, and where it is used. Neither ever prints a value.
"""

from __future__ import annotations

from pathlib import Path

import typer

from odibi_core.cli.context import PROJECT_ARG, configure_logging_for, echo, echo_json


def register(app: typer.Typer) -> None:
    """Add the ``secrets`` group to ``app``."""
    group = typer.Typer(
        help="Template and check the secrets and variables a project references.",
        no_args_is_help=True,
    )
    group.command("init")(init)
    group.command("validate")(validate)
    app.add_typer(group, name="secrets")


def init(
    project: str | None = PROJECT_ARG,
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        metavar="FILE",
        help="File to write (default: .env.example beside the project file; - for stdout).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the output file if it exists."),
) -> None:
    """Write a .env template of every secret and variable the project references (never a value)."""
    from odibi_core.config.loader import read_project_source
    from odibi_core.errors import UsageError
    from odibi_core.secrets.inventory import collect_variables, render_template

    source = read_project_source(project)
    configure_logging_for(source)
    variables = collect_variables(source.references(all_environments=True))
    text = render_template(source, variables)
    if output is not None and str(output) == "-":
        typer.echo(text, nl=False)
        return
    target = output if output is not None else source.project_dir / ".env.example"
    if target.exists() and not force:
        raise UsageError(
            f"{target} already exists; nothing was written", hint="Pass --force to overwrite it."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    secrets = sum(1 for v in variables if "secret" in v.kinds)
    echo(
        f"wrote {target}: {len(variables)} variable(s), {secrets} of them secret(s); fill "
        "them in .env"
    )


def validate(
    project: str | None = PROJECT_ARG,
    env: str | None = typer.Option(
        None, "--env", "-e", metavar="NAME", help="Check with environments.NAME overlaid."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Check that every reference resolves through the provider chain (never prints a value)."""
    from odibi_core.config.loader import read_project_source
    from odibi_core.config.resolver import ReferenceResolver
    from odibi_core.errors import SecretsMissing
    from odibi_core.plugins.manager import create_plugin_manager
    from odibi_core.secrets.inventory import (
        check_variables,
        collect_variables,
        describe_use,
        environment_of,
    )

    source = read_project_source(project, environment=env)
    configure_logging_for(source)
    resolver = ReferenceResolver(source, create_plugin_manager(source.plugin_settings()))
    checks = check_variables(collect_variables(source.references()), resolver)
    elsewhere = sorted(
        {
            r.name
            for r in source.references(all_environments=True)
            if environment_of(r) and environment_of(r) != env
        }
        - {c.variable.name for c in checks}
    )
    failed = [c for c in checks if c.failed]
    if as_json:
        echo_json(
            {
                "project": str(source.path),
                "environment": env,
                "providers": resolver.provider_names,
                "variables": [
                    {
                        "name": c.variable.name,
                        "kind": c.kind,
                        "status": c.status,
                        "origin": c.origin,
                        "detail": c.detail,
                        "used_at": [
                            describe_use(u, source.project_dir) for u in c.variable.uses_of(c.kind)
                        ],
                    }
                    for c in checks
                ],
                "failed": [c.variable.name for c in failed],
                "other_environments_only": elsewhere,
            }
        )
    else:
        where = f" (environment {env})" if env else ""
        echo(
            f"{source.path.name}{where}: {len(checks)} reference(s) checked; "
            f"secret providers: {', '.join(resolver.provider_names)}"
        )
        width = max((len(c.variable.name) for c in checks), default=0)
        for check in checks:
            label = {"ok": "ok", "default": "ok", "short": "warning"}.get(
                check.status, check.status
            )
            echo(f"  {label:<8} {check.variable.name:<{width}}  {check.kind:<6}  {check.detail}")
            if check.failed or check.status == "short":
                for use in check.variable.uses_of(check.kind):
                    echo(f"             used at {describe_use(use, source.project_dir)}")
        if elsewhere:
            echo(
                f"  ({len(elsewhere)} more only in other environments: "
                f"{', '.join(elsewhere)}; check with --env NAME)"
            )
    if failed:
        names = ", ".join(sorted({c.variable.name for c in failed}))
        raise SecretsMissing(
            f"{len(failed)} reference(s) do not resolve: {names}",
            hint="Set them in the environment or in .env beside the project file; "
            "`odibi secrets init` writes a template.",
        )
