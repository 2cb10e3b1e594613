"""One body for everyone; each member reads the footer, and their groups' names, in their own language."""
import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import send_message
from webapp.extensions import db
from webapp.membership.models import Person
from webapp.outbox.models import Email


def test_each_member_gets_the_same_body_and_the_footer_in_their_language(client, make, mailbox, deliver):
    staff = make.user(email="staff@example.org", role="staff")
    group = make.group(contacts=[staff])
    group.name_es = "Apoyo Defensivo"
    db.session.commit()
    make.member(group, name="Ana", email="ana@example.org")
    make.member(group, name="Beto", email="beto@example.org")
    make.member(group, name="Cy", email="cy@example.org")
    db.session.execute(sa.update(Person).where(Person.email == "beto@example.org").values(language="es"))
    db.session.execute(sa.update(Person).where(Person.email == "cy@example.org").values(language="fr"))
    db.session.commit()
    login(client, "staff@example.org")
    send_message(client, {"groups": [group.id], "subject": "Notes", "body": "Hello **all**"})
    deliver()
    by_address = {m.rcpt_tos[0]: m for m in mailbox.messages}
    english, spanish, other = by_address["ana@example.org"], by_address["beto@example.org"], by_address["cy@example.org"]
    for message in (english, spanish, other):
        assert message.text().startswith("Hello **all**")
        assert "<strong>all</strong>" in message.html()
    assert "You receive this email as a member of Defensive Support (" in english.text()
    assert "Stop all group emails" in english.html()
    assert "Recibes este correo como integrante de Apoyo Defensivo (" in spanish.text()
    assert "Dejar de recibir todos los correos de los grupos:" in spanish.text()
    assert "Dejar de recibir todos los correos de los grupos" in spanish.html()
    assert "You receive this" not in spanish.text()
    assert "/me/" in spanish.text() and "?lang=es" in spanish.text()
    # A language without a footer of its own reads the default one.
    assert "You receive this email as a member of Defensive Support (" in other.text()
    # Each language's footer is stored once for the email, not once per recipient.
    (email,) = db.session.scalars(sa.select(Email)).all()
    assert set(email.footers) == {"es"} and "Recibes" in email.footers["es"]["text"]
