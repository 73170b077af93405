"""``planc explain``, ``planc rules`` and ``planc schema``: the reference, from the registry."""

from __future__ import annotations

import click

from planc.cli.options import fail_usage, format_option


class _ExplainCommand(click.Command):
    """``planc explain --help`` ends with every code and its name, read from the registry."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from planc.codes import RULES

        super().format_epilog(ctx, formatter)
        with formatter.section("Codes"):
            formatter.write_dl([(r.code, r.slug) for r in RULES.values()])


@click.command(cls=_ExplainCommand)
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code, with a failing and a passing example.

    CODE is a code or a rule's name: planc explain PLC301, or planc explain
    children-out-of-band. Every code is listed below.
    """
    from planc.codes import RULES
    from planc.core.safetext import argument
    from planc.core.spelling import closest

    rule = RULES.get(code.strip().upper())
    if rule is None:
        by_slug = {r.slug: r for r in RULES.values()}
        slug = code.strip().lower().replace("_", "-")
        rule = by_slug.get(slug)
        if rule is None:
            guess = closest(slug, by_slug) or closest(code.strip().upper(), RULES)
            hint = f" (did you mean {guess}?)" if guess else ""
            fail_usage(
                f"unknown code or rule name {argument(code)}{hint}; `planc explain --help` lists them all"
            )
    click.echo(f"{rule.code} {rule.slug} [{rule.severity.value}]\n\n{rule.text}")


@click.command()
@format_option(
    ("text", "markdown"), "text: a line per code; markdown: a table with each code's family."
)
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
