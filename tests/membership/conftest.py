"""Fixtures the membership tests share."""
import pytest

from tests.conftest import login


@pytest.fixture
def signed_in_group(make, client):
    """Defensive Support, whose contact Dalia is signed in on `client`."""
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    login(client, "dalia@example.org")
    return group
