"""The roster as a spreadsheet file, for contacts and staff."""
import csv
import io

from tests.conftest import login


def test_a_contact_downloads_their_groups_roster_as_csv(client, make):
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact])
    make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal Services")
    make.member(group, name="=HYPERLINK(\"http://evil.example.com\")", email="eve@example.org")
    make.member(group, name="Pat Pending", email="pat@example.org", status="pending")
    login(client, "dalia@example.org")
    response = client.get("/groups/defensive-support/roster.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="defensive-support-roster.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Email", "Organization", "Role or title", "Joined"]
    by_email = {row[1]: row for row in rows[1:]}
    assert sorted(by_email) == ["ana@example.org", "eve@example.org"]
    assert by_email["ana@example.org"][:3] == ["Ana Active", "ana@example.org", "Oasis Legal Services"]
    assert by_email["eve@example.org"][0] == "'=HYPERLINK(\"http://evil.example.com\")"  # a formula is defused
    assert client.get("/groups/youth-organizing/roster.csv").status_code == 403


def test_the_csv_streams_a_chunk_at_a_time_in_name_order_for_the_tab_and_search_shown(client, make, monkeypatch):
    from webapp.membership import roster_queries

    monkeypatch.setattr(roster_queries, "EXPORT_CHUNK", 3)  # eight members: three queries' worth of rows
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact])
    names = ["Hana", "@SUM(A1:A9)", "gil", "Fay", "Eve", "dan", "Cat", "+1 Bob"]
    for name in names:
        make.member(group, name=name, email=f"{name.strip('@+1 ').split('(')[0].lower()}@example.org",
                    organization="-Org" if name == "Eve" else None)
    make.member(group, name="Pam Pending", email="pam@example.org", status="pending")
    make.member(group, name="Pia Pending", email="pia@example.org", status="pending", organization="Oasis")
    login(client, "dalia@example.org")
    response = client.get("/groups/defensive-support/roster.csv")
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Email", "Organization", "Role or title", "Joined"]
    assert [row[0] for row in rows[1:]] == ["'+1 Bob", "'@SUM(A1:A9)", "Cat", "dan", "Eve", "Fay", "gil", "Hana"]
    assert rows[5][2] == "'-Org"
    assert len({row[1] for row in rows[1:]}) == 8  # each member once, across the chunks
    pending = client.get("/groups/defensive-support/roster.csv?tab=pending&q=oasis").get_data(as_text=True)
    assert [row[0] for row in csv.reader(io.StringIO(pending))][1:] == ["Pia Pending"]
    assert client.get("/groups/defensive-support/roster.csv?tab=gone").status_code == 400


def test_the_next_chunk_is_read_while_one_is_sent_and_a_download_left_early_stops_the_reading(app, make,
                                                                                              monkeypatch):
    """The database finds the next chunk while this one goes to the client (on another connection, so on
    another core); a client that goes away stops the reader, and nothing is left running or open."""
    import threading

    from webapp.membership import roster_queries

    monkeypatch.setattr(roster_queries, "EXPORT_CHUNK", 2)
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    for k in range(9):
        make.member(group, name=f"Member {k}", email=f"m{k}@example.org")
    client = app.test_client()
    login(client, "dalia@example.org")
    readers = set()
    original = roster_queries.export

    def watched(*args, **kwargs):
        for rows in original(*args, **kwargs):
            readers.add(threading.current_thread().name)
            yield rows

    monkeypatch.setattr(roster_queries, "export", watched)
    whole = client.get("/groups/defensive-support/roster.csv").get_data(as_text=True)
    assert [row[0] for row in csv.reader(io.StringIO(whole))][1:] == [f"Member {k}" for k in range(9)]
    assert readers and threading.main_thread().name not in readers  # read by a thread of its own
    before = threading.active_count()
    response = client.get("/groups/defensive-support/roster.csv")
    pieces = iter(response.response)
    next(pieces), next(pieces)  # the header and the first chunk, then the client goes away
    response.close()
    assert threading.active_count() == before  # the reader has stopped
