"""``passerelle demo``: a node with two partner services living the scenario, served."""

from __future__ import annotations

import secrets

import click

from passerelle.cli.node import _serve, check_free, host_option, port_option
from passerelle.cli.root import Node, cli, pass_node
from passerelle.stix.timestamps import now_micros


@cli.command("demo")
@host_option
@port_option
@click.option("--no-serve", is_flag=True, help="Set up the demo and exit without serving.")
@pass_node
def demo_command(node: Node, host: str, port: int, no_serve: bool) -> None:
    """Set up two partner services, their users, a bilateral channel and the scenario's
    tips, RFIs and watches in their various states; print how to log in; serve.

    Run it again on the same database to get fresh tokens; the data is made once.
    """
    from passerelle.exchange import demo as scenario
    from passerelle.http.guard import TAXII_PREFIX

    if not no_serve:
        check_free(host, port)  # before anything is set up or printed
    click.echo("setting up the demo scenario...", err=True)
    made = scenario.build(node.open(create=True), node.keys, node.hooks, now_micros())
    if not made.created:
        click.echo(
            "the demo was already set up on this database: its data is unchanged, and its "
            "users get fresh tokens below (the previous tokens no longer work)",
            err=True,
        )
    url = f"http://{host}:{port}"
    click.echo(f"database: {node.settings.db_url}")
    click.echo(f"organisations: {scenario.ATLAS}, {scenario.BOREAL}; channel: {scenario.CHANNEL}")
    for line in made.story:
        click.echo(f"  - {line}")
    click.echo("users and their API tokens (HTTP Basic user:token, or Bearer token):")
    for org, name, role in scenario.USERS:
        click.echo(f"  {name:<6} {role.value:<8} {org:<15} {made.tokens[name]}")
    click.echo(f"the web interface, {url}/ : sign in with these passwords (new on every run):")
    for name, password in _web_passwords(node).items():
        click.echo(f"  {name:<6} {password}")
    first = made.tokens["anna"]
    click.echo("try, while it serves:")
    click.echo(f"  PASSERELLE_TOKEN={first} passerelle tip sent --all --url {url}")
    click.echo(f"  curl -H 'Authorization: Bearer {first}' {url}/api/partners")
    click.echo(f"  PASSERELLE_TOKEN={made.tokens['adam']} passerelle review --url {url}")
    click.echo(
        f"  PASSERELLE_TOKEN={made.tokens['adam']} passerelle resolve 'Руслан Даудов' --url {url}"
    )
    click.echo(f"  PASSERELLE_TOKEN={made.tokens['aude']} passerelle audit show --url {url}")
    click.echo(f"  REST API documentation: {url}/docs   TAXII 2.1: {url}{TAXII_PREFIX}")
    click.echo(
        f"or on the database directly: passerelle --db {node.settings.db_url} "
        "tips inbox --all --user bella"
    )
    if not no_serve:
        _serve(node, host, port)


def _web_passwords(node: Node) -> dict[str, str]:
    """Give each demo user a fresh random web password; return them."""
    from passerelle.exchange import demo as scenario
    from passerelle.policy.passwords import set_password

    made = {name: secrets.token_urlsafe(12) for _org, name, _role in scenario.USERS}
    with node.database.write() as conn:
        for name, password in made.items():
            set_password(conn, name, password)
    return made
