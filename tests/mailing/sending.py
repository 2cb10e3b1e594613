"""Sending a roster message as a person does: write it, press Send, confirm on the second look."""
import re


def send_message(client, data, confirm=True):
    """POST the compose form with Send, then the confirmation; the confirmation's response (a redirect to the
    message page). With confirm=False, the response to Send (a redirect to the confirmation page)."""
    response = client.post("/messages/new", data={**data, "send": "x"})
    if not confirm or response.status_code != 302:
        return response
    assert re.search(r"/messages/\d+/confirm$", response.location), response.location
    return client.post(response.location)


def message_id(response):
    return int(re.search(r"/messages/(\d+)", response.location).group(1))
