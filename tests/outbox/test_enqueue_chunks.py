"""Queueing is written a chunk at a time, and still gives each address one delivery."""
from tests.outbox.conftest import addresses, queue, rows
from webapp.outbox.services import CHUNK_SIZE


def test_an_address_given_twice_gets_one_delivery_even_when_the_two_are_chunks_apart(app):
    many = addresses(CHUNK_SIZE + 5)
    email = queue(many + [" Member0003@Example.org", "member0004@example.org", "member1002@example.org"])
    delivered = rows(email)
    assert sorted(delivered) == many
    assert delivered["member0003@example.org"].name == "Member 3"  # the first one given is kept
    assert delivered["member1002@example.org"].name == "Member 1002"


def test_an_address_given_twice_in_one_chunk_gets_one_delivery(app):
    email = queue(["ana@example.org", "yara@example.org", "ANA@example.org "])
    delivered = rows(email)
    assert sorted(delivered) == ["ana@example.org", "yara@example.org"]
    assert delivered["ana@example.org"].name == "Member 0"
