"""Each audit action as a sentence in the reader's language, with links to what it is about.

Placeholders: %(actor)s who acted; %(person)s, %(group)s, %(subject)s, %(user)s, %(organization)s,
%(address)s, %(count)s what the row is about (see targets.py). An action not listed here (a newer
feature's) reads "actor: action target", so nothing recorded is hidden.
"""
from flask_babel import lazy_gettext as _l

SENTENCES = {
    "membership.confirm": _l("%(person)s confirmed their request to join %(group)s"),
    "membership.approve": _l("%(actor)s approved %(person)s’s request to join %(group)s"),
    "membership.decline": _l("%(actor)s declined %(person)s’s request to join %(group)s"),
    "membership.spam": _l("%(actor)s discarded %(person)s’s request to join %(group)s as spam"),
    "membership.leave": _l("%(person)s left %(group)s"),
    "membership.unsubscribe": _l("%(person)s left %(group)s by an email’s unsubscribe link"),
    "membership.remove": _l("%(actor)s removed %(person)s from %(group)s"),
    "membership.add": _l("%(actor)s added %(person)s to %(group)s"),
    "membership.import": _l("%(actor)s imported %(count)s members into %(group)s"),
    "message.send": _l("%(actor)s sent the message “%(subject)s”"),
    "message.retry": _l("%(actor)s queued the failed deliveries of “%(subject)s” again"),
    "message.cancel": _l("%(actor)s cancelled what was still queued of “%(subject)s”"),
    "delivery.resend": _l("%(actor)s queued an email to %(address)s again"),
    "account.create": _l("%(actor)s created the account of %(user)s"),
    "account.password": _l("%(actor)s changed the password of %(user)s"),
    "account.activate": _l("%(actor)s reactivated the account of %(user)s"),
    "account.deactivate": _l("%(actor)s deactivated the account of %(user)s"),
    "account.email_preferences": _l("%(actor)s changed the email preferences of %(user)s"),
    "group.contacts": _l("%(actor)s changed the contact people of %(group)s"),
    "group.save": _l("%(actor)s saved the group %(group)s"),
    "organization.update": _l("%(actor)s updated the organization %(organization)s"),
    "suppression.lift": _l("%(actor)s gave %(address)s group email again"),
    "block.add": _l("%(actor)s blocked %(address)s"),
    "block.remove": _l("%(actor)s removed the block on %(address)s"),
    "privacy.export": _l("%(actor)s downloaded the data held about %(person)s"),
    "privacy.erase": _l("%(actor)s erased the data of a person"),
    "privacy.purge": _l("The retention purge deleted what was kept too long"),
}

# The action filter's choices: what a reader looks for, each standing for one or more actions.
ACTION_GROUPS = {
    "requests": (_l("Requests and decisions"),
                 ("membership.confirm", "membership.approve", "membership.decline", "membership.spam")),
    "members": (_l("Members joining, leaving, removed"),
                ("membership.leave", "membership.unsubscribe", "membership.remove", "membership.add",
                 "membership.import")),
    "messages": (_l("Messages and deliveries"),
                 ("message.send", "message.retry", "message.cancel", "delivery.resend")),
    "accounts": (_l("Accounts"), ("account.create", "account.password", "account.activate", "account.deactivate",
                                  "account.email_preferences")),
    "groups": (_l("Groups and organizations"), ("group.contacts", "group.save", "organization.update")),
    "blocks": (_l("Suppressions and blocks"), ("suppression.lift", "block.add", "block.remove")),
    "privacy": (_l("Privacy"), ("privacy.export", "privacy.erase", "privacy.purge")),
}
