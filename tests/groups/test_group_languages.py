"""Group texts in English and Spanish: staff enter both, readers see their language, the other where one is empty."""
from tests.conftest import login
from webapp.extensions import db
from webapp.groups.services import by_slug

SPANISH = {"name_es": "Apoyo Defensivo", "summary_es": "Defiende a la juventud en espera.",
           "description_es": "Seguimos los cambios de ley.", "accomplishments_es": "Una guía rápida\nUna carta"}


def read(client, app, url):
    with app.app_context():  # its own context, as a real request has: the locale is not carried over
        return client.get(url).get_data(as_text=True)


def edit(client, slug, **fields):
    data = {"name": "Defensive Support", "slug": slug, "summary": "Defends young people waiting.",
            "description": "We follow changes in the law.", "accomplishments": "A quick guide\nA letter",
            "join_policy": "moderated", "active": "y", **SPANISH, **fields}
    return client.post(f"/staff/groups/{slug}/edit", data=data)


def test_staff_enter_both_languages_and_readers_see_their_own(client, make, app):
    make.user(email="staff@example.org", role="staff")
    make.group()
    login(client, "staff@example.org")
    form = client.get("/staff/groups/defensive-support/edit?lang=en").get_data(as_text=True)
    assert '<label for="name_es">Name in Spanish</label>' in form
    assert edit(client, "defensive-support").status_code == 302
    client.post("/logout")
    spanish = read(client, app, "/groups/defensive-support?lang=es")
    assert "Apoyo Defensivo" in spanish and "Defiende a la juventud en espera." in spanish
    assert "Seguimos los cambios de ley." in spanish and "<li>Una guía rápida</li>" in spanish
    assert "<h1>Apoyo Defensivo</h1>" in spanish
    english = read(client, app, "/groups/defensive-support?lang=en")
    assert "We follow changes in the law." in english and "Apoyo Defensivo" not in english
    assert "Apoyo Defensivo" in read(client, app, "/groups?lang=es")


def test_an_empty_text_falls_back_to_the_other_language(client, make, app):
    make.user(email="staff@example.org", role="staff")
    make.group()
    login(client, "staff@example.org")
    edit(client, "defensive-support", summary="", description_es="")
    client.post("/logout")
    spanish = read(client, app, "/groups/defensive-support?lang=es")
    assert "We follow changes in the law." in spanish  # no Spanish description: the English one
    english = read(client, app, "/groups/defensive-support?lang=en")
    assert "Defiende a la juventud en espera." in english  # no English summary: the Spanish one
    group = by_slug("defensive-support")
    db.session.refresh(group)
    assert group.summary == "" and group.summary_es == "Defiende a la juventud en espera."


def test_an_applicant_in_spanish_reads_the_spanish_name_in_their_email(client, make, mailbox, deliver, app):
    group = make.group()
    group.name_es = "Apoyo Defensivo"
    db.session.commit()
    with app.app_context():
        client.post("/groups/defensive-support?lang=es", data={"name": "Rosa", "email": "rosa@example.org",
                                                               "consent": "y"})
    deliver()
    (message,) = mailbox.messages
    assert message.subject == "Confirma tu solicitud para unirte a Apoyo Defensivo"


def test_the_migration_keeps_the_texts_there_were_as_the_english_ones(tmp_path):
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from config import TestConfig
    from webapp import create_app

    url = f"sqlite:///{tmp_path / 'before.db'}"
    app = create_app(type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade(revision="c4d5e6f7a8b9")
        db.session.execute(sa.text(
            "INSERT INTO working_group (id, slug, name, summary, description, accomplishments, join_policy, active,"
            " created_at) VALUES (1, 'g', 'Youth Organizing', 'Led by youth', 'About it', 'One\nTwo', 'moderated', 1,"
            " '2026-11-01 10:00:00.000000')"))
        db.session.commit()
        upgrade()
        row = db.session.execute(sa.text("SELECT name, summary, accomplishments, name_es, summary_es, description_es,"
                                         " accomplishments_es FROM working_group")).one()
        assert tuple(row) == ("Youth Organizing", "Led by youth", "One\nTwo", "", "", "", "")
        db.session.remove()
        db.engine.dispose()
