"""The demo data `make run` loads: the coalition's three groups, their contacts, example.org only."""
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import login
from webapp.demo import CONTACTS, STAFF
from webapp.extensions import db
from webapp.accounts.models import User
from webapp.membership.models import Person


def test_seed_demo_loads_once_and_every_address_is_example_org(app, client):
    runner = app.test_cli_runner()
    assert "Demo data loaded." in runner.invoke(args=["seed-demo"]).output
    assert "already there" in runner.invoke(args=["seed-demo"]).output
    addresses = db.session.scalars(sa.select(Person.email)).all() + db.session.scalars(sa.select(User.email)).all()
    assert addresses and all(a.endswith("@example.org") for a in addresses)
    directory = client.get("/groups").get_data(as_text=True)
    for name in ("Defensive Support", "Narrative-Based Advocacy", "Youth Organizing"):
        assert name in directory
    assert client.get("/organizations").get_data(as_text=True).count("<li>") >= 12


def test_demo_logins_from_the_readme_work(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for email, _, password in [STAFF, *CONTACTS.values()]:
        assert f"`{email}`" in readme and f"`{password}`" in readme
        login(client, email, password)
        assert "Requests to review" in client.get("/review").get_data(as_text=True)
        client.post("/logout")


def test_the_demo_groups_read_in_spanish_too(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    with app.app_context():
        directory = client.get("/groups?lang=es").get_data(as_text=True)
    for name in ("Apoyo Defensivo", "Incidencia Basada en Narrativas", "Organización Juvenil"):
        assert name in directory
    with app.app_context():
        page = client.get("/groups/youth-organizing?lang=es").get_data(as_text=True)
    assert "Un consejo de liderazgo juvenil" in page and "reúne a jóvenes afectados" in page
