"""flask commands. Each parses its arguments and calls a service."""
import logging
import signal
import time
from datetime import timedelta

import click
from flask import current_app

from webapp import request_log
from webapp.accounts import services as accounts
from webapp.accounts.models import Role
from webapp.bounces import lmtp
from webapp.bounces import services as bounces
from webapp.db_types import utcnow
from webapp.groups import services as groups
from webapp.membership import review
from webapp.outbox import catcher
from webapp.outbox.worker import Worker, WorkerBusy
from webapp.privacy import services as privacy


def register_commands(app):
    for command in (seed_demo, create_user, deactivate_user, assign_contact, deliver, catch_mail, purge_unconfirmed,
                    receive_bounces, fetch_bounces, remind_contacts, purge):
        app.cli.add_command(command)


@click.command("seed-demo")
def seed_demo():
    """Load the demo coalition: groups, contacts, organizations, members (idempotent)."""
    from webapp.demo import load

    created = load()
    click.echo("Demo data loaded." if created else "Demo data is already there.")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CONTACT.value)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email, name, role, password):
    """Create an account for a contact person or staff."""
    try:
        user = accounts.create_user(email=email, name=name, password=password, role=role, actor="cli")
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("deactivate-user")
@click.argument("email")
def deactivate_user(email):
    """Deactivate an account: it can no longer log in."""
    user = accounts.by_email(email) or _fail(f"no account for {email}")
    try:
        accounts.set_active(user, False, actor="cli")
    except accounts.StillNeeded as needed:
        _fail(f"{user.email} is the only contact person of {', '.join(needed.groups)}: assign another contact "
              "first. Nothing was changed.")
    click.echo(f"Deactivated {user.email}.")


@click.command("assign-contact")
@click.argument("email")
@click.argument("group_slug")
@click.option("--remove", is_flag=True, help="Remove instead of add.")
def assign_contact(email, group_slug, remove):
    """Make an account a contact person of a working group (or stop it being one)."""
    user = accounts.by_email(email) or _fail(f"no account for {email}")
    group = groups.by_slug(group_slug) or _fail(f"no working group {group_slug}")
    ids = [uid for uid in groups.contact_user_ids(group) if uid != user.id]
    try:
        groups.set_contacts_by_id(group, ids if remove else ids + [user.id], actor="cli")
    except groups.NoContactLeft:
        _fail(f"{group.name} must keep at least one contact person: nothing was changed.")
    click.echo(f"{user.email} {'removed from' if remove else 'is a contact of'} {group.name}.")


def _fail(message):
    raise click.ClickException(message)


@click.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due, then stop.")
def deliver(once):
    """Run the delivery worker: send queued email until stopped (or once)."""
    if current_app.config["LOG_REQUESTS"]:
        request_log.lines_to_stderr(logging.getLogger("webapp.outbox.worker"))  # a JSON line per batch
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        handled = Worker().run(once=once, should_stop=lambda: bool(stopping))
    except WorkerBusy as exc:
        raise click.ClickException(str(exc))
    except KeyboardInterrupt:
        handled = None
    if once:
        click.echo(f"Handled {handled} deliveries.")


def _serve(controller):
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@click.command("catch-mail")
def catch_mail():
    """Run a local SMTP server that keeps every message in a Maildir (development only)."""
    config = current_app.config
    controller = catcher.start(config["CATCHER_HOST"], config["CATCHER_PORT"], config["CATCHER_MAILDIR"])
    click.echo(f"Catching mail on {config['CATCHER_HOST']}:{config['CATCHER_PORT']} into {config['CATCHER_MAILDIR']}")
    _serve(controller)


@click.command("receive-bounces")
def receive_bounces():
    """Run an LMTP server that takes mail for the bounce address from the site's MTA."""
    config = current_app.config
    controller = lmtp.start(current_app._get_current_object(), config["BOUNCE_LMTP_HOST"], config["BOUNCE_LMTP_PORT"])
    click.echo(f"Receiving bounces over LMTP on {config['BOUNCE_LMTP_HOST']}:{config['BOUNCE_LMTP_PORT']}")
    _serve(controller)


@click.command("fetch-bounces")
@click.option("--maildir", required=True, type=click.Path(file_okay=False), help="The bounce mailbox, a Maildir.")
def fetch_bounces(maildir):
    """Read the new messages of the bounce mailbox once (run it from cron)."""
    click.echo(f"Read {bounces.fetch_maildir(maildir)} messages from {maildir}.")


@click.command("remind-contacts")
def remind_contacts():
    """Email each contact the pending requests that have waited more than REMIND_AFTER_DAYS (run it daily)."""
    sent = review.remind_contacts()
    click.echo(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")


@click.command("purge")
def purge():
    """Delete or blank what is kept longer than the RETAIN_* settings (run it daily from cron)."""
    purged = privacy.purge()
    for line in purged.lines(current_app.config):
        click.echo(line)


@click.command("purge-unconfirmed")
@click.option("--hours", default=None, type=int, help="Age in hours (default: the confirmation link's lifetime).")
def purge_unconfirmed(hours):
    """Delete join requests never confirmed (`flask purge` does this and the rest of the retention)."""
    cutoff = utcnow() - timedelta(hours=hours or current_app.config["CONFIRM_LINK_HOURS"])
    count, *_ = privacy.purge_unconfirmed(cutoff)
    click.echo(f"Purged {count} unconfirmed requests.")
