"""Demo data: the coalition's three working groups, their contacts, organizations and members.

Every address is @example.org. The descriptions are our own words, not the coalition's.
"""
import sqlalchemy as sa

from webapp.accounts.models import Role, User
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.groups.models import GroupContact, JoinPolicy, WorkingGroup
from webapp.membership.models import Membership, MembershipEvent, Person, Status
from webapp.organizations.models import CoalitionStatus, Organization
from webapp.organizations.services import name_key

STAFF = ("staff@example.org", "Coalition Staff", "staff-demo-password")
CONTACTS = {
    "defensive-support": ("dalia@example.org", "Dalia Castillo-Granados", "dalia-demo-password"),
    "narrative-advocacy": ("rachel@example.org", "Rachel Davidson", "rachel-demo-password"),
    "youth-organizing": ("alejandra@example.org", "Alejandra Cruz", "alejandra-demo-password"),
}
GROUPS = [
    ("defensive-support", "Defensive Support",
     "Tracks policy changes and equips practitioners to defend young people waiting in the backlog.",
     "This group follows changes in law and agency practice that touch young people in the backlog, "
     "turns them into practical resources for lawyers and advocates, and supports litigation and case "
     "campaigns together with the Narrative-Based Advocacy group.",
     "A multi-agency sign-on letter backed by hundreds of organizations and individuals\n"
     "Deferred action and work permits considered for young people with approved petitions\n"
     "Ongoing tracking of how agencies treat young people in the backlog\n"
     "A quick guide for defending young people in removal proceedings"),
    ("narrative-advocacy", "Narrative-Based Advocacy",
     "Brings young people's own stories to lawmakers and the public to change the conversation.",
     "This group answers harmful narratives with the real stories of young people, leads the legislative "
     "push for a lasting fix, pushes back on harmful bills, and helps coordinate case campaigns.",
     "Advocacy visits on Capitol Hill, in person and online, alongside impacted youth\n"
     "Introduction of protective legislation in both chambers over several sessions\n"
     "Appropriations language asking the agency to publish regular data"),
    ("youth-organizing", "Youth Organizing",
     "Led by impacted youth: building community, sharing stories and speaking up for change.",
     "This group brings together young people affected by the backlog so they can build community, "
     "tell their own stories, learn their rights and shape the coalition's youth-led strategy.",
     "Resources made by youth for youth\n"
     "Know-your-rights trainings led by impacted youth\n"
     "Trips to Washington for in-person advocacy\n"
     "A youth leadership council"),
]
# The same texts in Spanish, in our own words: name, summary, description, accomplishments.
GROUPS_ES = {
    "defensive-support": (
        "Apoyo Defensivo",
        "Sigue los cambios de política y prepara a quienes defienden a la juventud que espera en el rezago.",
        "Este grupo vigila los cambios en la ley y en la práctica de las agencias que afectan a la juventud en "
        "el rezago, los convierte en recursos prácticos para abogadas, abogados y defensores, y apoya litigios y "
        "campañas de casos junto con el grupo de Incidencia Basada en Narrativas.",
        "Una carta de varias agencias firmada por cientos de organizaciones y personas\n"
        "Acción diferida y permisos de trabajo considerados para jóvenes con peticiones aprobadas\n"
        "Seguimiento continuo de cómo las agencias tratan a la juventud en el rezago\n"
        "Una guía rápida para defender a jóvenes en procesos de deportación"),
    "narrative-advocacy": (
        "Incidencia Basada en Narrativas",
        "Lleva las historias de la propia juventud a legisladores y al público para cambiar la conversación.",
        "Este grupo responde a los relatos dañinos con las historias reales de la juventud, impulsa en el "
        "Congreso una solución duradera, se opone a proyectos de ley perjudiciales y ayuda a coordinar "
        "campañas de casos.",
        "Visitas de incidencia en el Capitolio, en persona y en línea, junto a jóvenes afectados\n"
        "Presentación de leyes protectoras en ambas cámaras durante varias legislaturas\n"
        "Texto de asignaciones que pide a la agencia publicar datos con regularidad"),
    "youth-organizing": (
        "Organización Juvenil",
        "Dirigido por jóvenes afectados: crear comunidad, compartir historias y alzar la voz por el cambio.",
        "Este grupo reúne a jóvenes afectados por el rezago para que formen comunidad, cuenten sus propias "
        "historias, conozcan sus derechos y den forma a la estrategia juvenil de la coalición.",
        "Recursos hechos por jóvenes para jóvenes\n"
        "Talleres de conozca sus derechos dirigidos por jóvenes afectados\n"
        "Viajes a Washington para hacer incidencia en persona\n"
        "Un consejo de liderazgo juvenil"),
}
ORGANIZATIONS = [
    "Immigrant Legal Resource Center (ILRC)", "Michigan Immigrant Rights Center", "The Door Legal Service Center",
    "The Legal Aid Society", "Tulane Immigrant Rights Clinic", "UCLA Immigrant Family Legal Clinic",
    "Young Center for Immigrant Children's Rights", "Oasis Legal Services", "New Mexico Immigration Law Center",
    "Legal Aid Society of San Mateo County", "Project Ishmael", "Volunteers of Legal Service (VOLS)",
]
MEMBERS = [  # name, email local part, organization index, group slug, status
    ("Ana Morales", "ana.morales", 0, "defensive-support", Status.ACTIVE),
    ("Ben Ortiz", "ben.ortiz", 1, "defensive-support", Status.ACTIVE),
    ("Carla Reyes", "carla.reyes", 2, "defensive-support", Status.PENDING),
    ("Diego Flores", "diego.flores", 3, "narrative-advocacy", Status.ACTIVE),
    ("Elena Ruiz", "elena.ruiz", 4, "narrative-advocacy", Status.ACTIVE),
    ("Ana Morales", "ana.morales", 0, "narrative-advocacy", Status.ACTIVE),
    ("Felipe Castro", "felipe.castro", 5, "narrative-advocacy", Status.PENDING),
    ("Gabriela Soto", "gabriela.soto", None, "youth-organizing", Status.ACTIVE),
    ("Hector Luna", "hector.luna", None, "youth-organizing", Status.ACTIVE),
    ("Isabel Vega", "isabel.vega", 6, "youth-organizing", Status.PENDING),
]


def _user(email, name, password, role):
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    return user


def load():
    """Create the demo data unless it is there already; returns whether it created anything."""
    if db.session.scalar(sa.select(WorkingGroup.id).limit(1)) is not None:
        return False
    _user(*STAFF, Role.STAFF)
    groups = {}
    for slug, name, summary, description, accomplishments in GROUPS:
        name_es, summary_es, description_es, accomplishments_es = GROUPS_ES[slug]
        group = WorkingGroup(slug=slug, name=name, summary=summary, description=description,
                             accomplishments=accomplishments, name_es=name_es, summary_es=summary_es,
                             description_es=description_es, accomplishments_es=accomplishments_es,
                             join_policy=JoinPolicy.MODERATED)
        contact = _user(*CONTACTS[slug], Role.CONTACT)
        group.contact_links = [GroupContact(user=contact, position=0, listed=True)]
        db.session.add(group)
        groups[slug] = group
    organizations = [
        Organization(name=n, name_key=name_key(n), coalition_status=CoalitionStatus.MEMBER, listed=True)
        for n in ORGANIZATIONS
    ]
    db.session.add_all(organizations)
    people = {}
    now = utcnow()
    for name, local, org_index, slug, status in MEMBERS:
        email = f"{local}@example.org"
        person = people.get(email) or Person(name=name, email=email)
        people[email] = person
        membership = Membership(
            person=person, group=groups[slug], status=status, consented_at=now, requested_at=now,
            organization=organizations[org_index] if org_index is not None else None,
            joined_at=now if status == Status.ACTIVE else None,
            note="I would like to help with this group's work." if status == Status.PENDING else "",
        )
        db.session.add(membership)
        membership.events = [MembershipEvent(actor_label="applicant", from_status=None, to_status=Status.UNCONFIRMED),
                             MembershipEvent(actor_label="applicant", from_status=Status.UNCONFIRMED,
                                             to_status=Status.PENDING)]
        if status == Status.ACTIVE:
            membership.events.append(MembershipEvent(actor_label="demo data", from_status=Status.PENDING,
                                                     to_status=Status.ACTIVE))
    db.session.commit()
    return True
