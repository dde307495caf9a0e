"""No request body beyond the largest import file (and its form) is read."""

from __future__ import annotations

import io

from learnnet.config import MAX_UPLOAD_BYTES

TOO_MUCH = b"x" * (22 * 2**20)


def test_the_limit_leaves_room_for_the_largest_import_file(app):
    assert MAX_UPLOAD_BYTES < app.config["MAX_CONTENT_LENGTH"] <= MAX_UPLOAD_BYTES + 2**20


def test_a_form_too_large_gets_a_page_in_the_users_language(client, auth, world):
    auth.login(world.users["team_member"])
    response = client.post(
        f"/teams/{world.own_team.id}/import", data=TOO_MUCH, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "for mye å sende på en gang (høyst 20 MB)" in response.get_data(as_text=True)


def test_a_file_just_over_the_import_limit_gets_the_forms_own_message(client, auth, world):
    auth.login(world.users["team_member"])
    content = b"maaned;maal;teller;nevner\r\n" + b"x" * (MAX_UPLOAD_BYTES + 2**18)
    response = client.post(
        f"/teams/{world.own_team.id}/import",
        data={"file": (io.BytesIO(content), "data.csv")},
        content_type="multipart/form-data",
    )
    # The test client spools so large a body to a temporary file of its own.
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 200
    assert "Filen er større enn 20 MB." in response.get_data(as_text=True)
