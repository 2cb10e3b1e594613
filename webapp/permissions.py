"""Who may do what. Functions of (user, object); no feature module is imported here."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def is_staff(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def is_contact_of(user, group):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return any(link.user_id == user.id for link in group.contact_links)


def can_review(user, group):
    """Approve or decline requests, see the roster and each membership's history."""
    return is_staff(user) or is_contact_of(user, group)


def can_message(user, groups):
    """Email the rosters of all these groups."""
    return bool(groups) and all(can_review(user, group) for group in groups)


def staff_required(view):
    """A view for coalition staff only: others are sent to log in, or get 403."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not is_staff(current_user):
            abort(403)
        return view(*args, **kwargs)

    return login_required(guarded)


def can_change_message(user, message):
    """Edit, test, confirm or cancel a message before it starts: its author or staff, while they may write to its groups."""
    is_author = getattr(user, "is_authenticated", False) and user.is_active and message.author_id == user.id
    return (is_staff(user) or is_author) and can_message(user, message.groups)


def can_cancel_queued(user, message):
    """Cancel what of a message is still queued: staff, or the contact who sent it."""
    return is_staff(user) or bool(getattr(user, "is_authenticated", False) and user.is_active
                                  and message.author_id == user.id)
