"""The files an import reads (encodings, delimiters, headers in English or Spanish) and those it refuses."""
import pytest

from tests.conftest import membership_of
from tests.membership.import_helpers import IMPORT, confirm, counts, csv_bytes, section, upload
from webapp.membership import imports


@pytest.fixture
def group(signed_in_group):
    return signed_in_group


@pytest.mark.parametrize("content", [
    csv_bytes("name,email,organization,role", "José Pérez,jose.perez@example.org,Oasis Legal,Abogada"),
    csv_bytes("name,email,organization,role", "José Pérez,jose.perez@example.org,Oasis Legal,Abogada",
              encoding="utf-8-sig"),  # with a BOM, as Excel's "CSV UTF-8" writes
    csv_bytes("Nombre;Correo electrónico;Organización;Cargo", "José Pérez;jose.perez@example.org;Oasis Legal;Abogada",
              encoding="cp1252"),  # Excel in a Spanish locale: Windows-1252 and semicolons
    csv_bytes(" CORREO ;  nombre;ROL;organizacion", "jose.perez@example.org;José Pérez;Abogada;Oasis Legal",
              encoding="cp1252"),
    csv_bytes("Email,Rol,Nombre,Organization", "jose.perez@example.org,Abogada,José Pérez,Oasis Legal"),
    csv_bytes("nombre\tcorreo\torganización\tcargo", "José Pérez\tjose.perez@example.org\tOasis Legal\tAbogada"),
], ids=["utf-8", "utf-8 with BOM", "Windows-1252 with semicolons", "Spanish, any order and case",
        "mixed languages", "tabs"])
def test_encodings_delimiters_and_headers_in_either_language_are_read(client, group, content):
    page = upload(client, content).get_data(as_text=True)
    new = section(page, "New members")
    assert "José Pérez" in new and "jose.perez@example.org" in new and "Oasis Legal" in new and "Abogada" in new
    roster = client.get(confirm(client, page).location).get_data(as_text=True)
    assert "José Pérez" in roster
    membership = membership_of(group, "jose.perez@example.org")
    assert (membership.person.name, membership.organization.name, membership.role_title) == (
        "José Pérez", "Oasis Legal", "Abogada")


def test_quoted_cells_blank_lines_and_unknown_columns(client, group):
    content = csv_bytes("name,phone,email", '"Pérez, Ana",555,ana@example.org', "", ",,",
                        '"Luis\nGómez",556,luis@example.org')
    page = upload(client, content).get_data(as_text=True)
    new = section(page, "New members")
    assert "Pérez, Ana" in new and "Luis Gómez" in new and "(2)" in new
    assert "Columns not used: phone" in page


def test_a_control_character_in_a_cell_makes_that_row_a_problem(client, group):
    page = upload(client, csv_bytes("name,email", "Ana\x01,ana@example.org", "Luis,luis@example.org")
                  ).get_data(as_text=True)
    assert "Contains control characters." in section(page, "Rows with problems")
    assert "luis@example.org" in section(page, "New members")


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"  \r\n\r\n", "The file is empty."),
    (csv_bytes("name,email"), "The file has a header row but no people below it."),
    (csv_bytes("name,organization", "Ana,Oasis"), "The file has no email column."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "This does not look like a CSV file"),
    (b"name,email\r\n\x81\x8d\x90,ana@example.org\r\n", "This does not look like a CSV file"),
    (csv_bytes("name,email", *(f"P{i},p{i}@example.org" for i in range(imports.MAX_ROWS + 1))),
     "The file has more than 10,000 rows."),
    (csv_bytes("name,email", '"' + "x" * 200_000 + '",a@example.org'), "The file could not be read as CSV"),
], ids=["empty", "blank", "header only", "no email column", "binary", "not decodable", "too many rows",
        "a cell too long"])
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(client, group, content, message):
    before = counts()
    response = upload(client, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'type="file"' in page  # the upload form again, to try another file
    assert counts() == before


def test_no_file_chosen(client, group):
    response = client.post(IMPORT, data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file to import." in response.get_data(as_text=True)


def test_a_twenty_megabyte_upload_gets_the_upload_page_with_the_limit_not_a_crash_page(client, group):
    before = counts()
    response = upload(client, b"name,email\r\n" + b"x" * (20 * 1024 * 1024))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The file is too large: at most 5 MB." in page and 'type="file"' in page
    assert counts() == before


class TestSmallerLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"IMPORT_MAX_BYTES": 1024 * 1024}

    def test_a_file_just_over_the_setting_is_refused(self, client, group):
        content = csv_bytes("name,email", *(f"Person {i},person{i}@example.org" for i in range(40_000)))
        assert len(content) > 1024 * 1024
        response = upload(client, content)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "The file is too large: at most 1 MB." in page


class TestWithCSRF:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_large_upload_is_refused_plainly_before_the_form_is_read(self, client, make):
        # CSRFProtect and the input guard read the form before the view runs: the limit must already hold.
        dalia = make.user(name="Dalia Contact", email="dalia@example.org")
        make.group(contacts=[dalia])
        from tests.test_security import csrf_from

        client.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery",
                                    "csrf_token": csrf_from(client.get("/login").get_data(as_text=True))})
        token = csrf_from(client.get(IMPORT).get_data(as_text=True))
        response = upload(client, b"name,email\r\n" + b"x" * (20 * 1024 * 1024), csrf_token=token)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "The file is too large: at most 5 MB." in page
