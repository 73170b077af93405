"""``planc explain``, ``planc rules`` and ``planc schema``: the reference, from the registry."""

from __future__ import annotations

import click

from planc.cli.options import fail_usage


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code, with a failing and a passing example (e.g. planc explain PLC301)."""
    from planc.codes import RULES

    rule = RULES.get(code.upper())
    if rule is None:
        fail_usage(f"unknown code {code!r}; `planc rules` lists them all")
    click.echo(f"{rule.code} {rule.slug} [{rule.severity.value}]\n\n{rule.doc}")


@click.command()
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")), default="text")
def rules(output_format: str) -> None:
    """List every diagnostic code with its severity and summary."""
    from planc.codes import FAMILIES, RULES

    ordered = sorted(RULES.values(), key=lambda r: r.code)
    if output_format == "markdown":
        click.echo("| code | name | severity | family | what it means |")
        click.echo("|---|---|---|---|---|")
        for r in ordered:
            family = FAMILIES.get(r.code[3], "")
            click.echo(f"| {r.code} | {r.slug} | {r.severity.value} | {family} | {r.summary} |")
        return
    for r in ordered:
        click.echo(f"{r.code}  {r.severity.value:<8} {r.slug:<34} {r.summary}")


@click.command()
def schema() -> None:
    """Print the plan JSON Schema (draft-07), e.g. for an editor or another validator."""
    from planc.core.resources import schema_path

    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)
