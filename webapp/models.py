"""Every feature's models, imported so that Alembic and the app see all tables."""
from webapp.accounts.models import AccountLink, RecoveryCode, Role, User  # noqa: F401
from webapp.audit.models import AuditEvent  # noqa: F401
from webapp.groups.models import GroupContact, JoinPolicy, WorkingGroup  # noqa: F401
from webapp.mailing.models import Message  # noqa: F401
from webapp.membership.models import Membership, MembershipEvent, Person, Status  # noqa: F401
from webapp.organizations.models import CoalitionStatus, Organization  # noqa: F401
from webapp.outbox.models import Block, Delivery, DeliveryStatus, Email, Suppression, WorkerState  # noqa: F401
from webapp.bounces.models import Bounce, BounceScore  # noqa: F401
