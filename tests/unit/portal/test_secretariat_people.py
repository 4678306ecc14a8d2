"""The secretariat's people in the portal (issue 37): invite, list and revoke through HTTP,
with the same store as `wgreport portal invite/people/revoke`; refusals at their field,
keeping what was typed; the pages are the secretariat's only, and every form needs its
token."""

from __future__ import annotations

import html
import re
import warnings
from pathlib import Path
from typing import Unpack

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import Who, copy_inputs
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    return Portal(inputs, tmp_path / "outputs", 2024, Store(tmp_path / "portal"),
                  base_url="http://testserver")  # fmt: skip


def _signed_in(portal: Portal, role: str, email: str, **who: Unpack[Who]) -> TestClient:
    _, token = portal.store.invite(role, email, **who)
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def _secretariat(portal: Portal) -> TestClient:
    return _signed_in(portal, "secretariat", "sec@example.org")


def _csrf(client: TestClient, path: str = "/secretariat/people") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found[1]


def _invite(client: TestClient, **fields: str) -> tuple[int, str]:
    response = client.post("/secretariat/people/invite", data={"csrf": _csrf(client), **fields})
    return response.status_code, response.text


def _row(page: str, invitation: str) -> str:
    found = re.search(rf'<tr data-invitation="{invitation}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, page
    return found[0]


def test_an_invitation_shows_its_link_once_and_the_link_signs_in(portal: Portal) -> None:
    desk = _secretariat(portal)
    status, page = _invite(desk, role="member", email="kr-deputy@example.org", member="kr")
    assert status == 200, page
    link = re.search(r'<code class="link" id="signin-link">([^<]+)</code>', page)
    assert link and link[1].startswith("http://testserver/signin/")
    assert "Invited kr-deputy@example.org as member of KR" in page
    assert "it is shown only now" in page
    (invitation,) = [i for i in portal.store.invitations() if i.email == "kr-deputy@example.org"]
    assert (invitation.role, invitation.member) == ("member", "KR")
    assert link[1].rsplit("/", 1)[1] not in desk.get("/secretariat/people").text  # once
    member = TestClient(make_app(portal), follow_redirects=False)
    assert member.post(link[1].removeprefix("http://testserver")).status_code == 303
    assert "KR: your contribution" in member.get("/member").text
    (line,) = [x for x in portal.store.audit_lines() if x["action"] == "invite"
               and x["invitation"] == invitation.id]  # fmt: skip
    secretariat = next(i for i in portal.store.invitations() if i.role == "secretariat")
    assert line["who"] == secretariat.id and line["invited_role"] == "member"


def test_a_reviewer_is_invited_with_their_id_name_and_organisation(portal: Portal) -> None:
    desk = _secretariat(portal)
    status, page = _invite(desk, role="reviewer", email="jane@example.org",
                           reviewer="jane-example", name="Jane Example",
                           organisation="Example Institute")  # fmt: skip
    assert status == 200 and "Invited jane@example.org as reviewer (jane-example)" in page
    (invitation,) = [i for i in portal.store.invitations() if i.role == "reviewer"]
    assert (invitation.reviewer, invitation.name, invitation.organisation) == (
        "jane-example", "Jane Example", "Example Institute")  # fmt: skip
    row = _row(page, invitation.id)
    assert "Jane Example, Example Institute" in row and "jane-example" in row


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"role": "member", "email": "kr at example.org", "member": "KR"}, "email",
         "is not an e-mail address"),
        ({"role": "member", "email": "kr@example.org", "member": "UK"}, "member",
         "'UK' is not a member code of the working group (did you mean 'GB'?)"),
        ({"role": "member", "email": "kr@example.org", "member": ""}, "member",
         "Give the member's code"),
        ({"role": "reviewer", "email": "r@example.org", "reviewer": "Jane Example",
          "name": "Jane", "organisation": "X"}, "reviewer", "is not a reviewer id"),
        ({"role": "reviewer", "email": "r@example.org", "reviewer": "kr-validation",
          "name": "Jane", "organisation": "X"}, "reviewer", "country validation"),
        ({"role": "reviewer", "email": "r@example.org", "reviewer": "jane-example",
          "name": "", "organisation": "X"}, "name", "Give the reviewer's name"),
        ({"role": "owner", "email": "r@example.org"}, "role", "Choose a role"),
    ],
)  # fmt: skip
def test_a_refused_invitation_says_why_at_its_field_and_keeps_what_was_typed(
    portal: Portal, fields: dict[str, str], field: str, words: str
) -> None:
    desk = _secretariat(portal)
    status, page = _invite(desk, **fields)
    assert status == 400
    problem = re.search(rf'<p class="bad field-problem" id="problem-{field}">([^<]+)</p>', page)
    assert problem and words in html.unescape(problem[1]), page
    assert f'aria-describedby="problem-{field}"' in page
    for key, value in fields.items():
        if key != "role" and value:
            assert re.search(rf'name="{key}"[^>]* value="{re.escape(html.escape(value))}"', page)
    assert [i.role for i in portal.store.invitations()] == ["secretariat"]  # nothing made


def test_a_reviewer_id_given_to_someone_else_is_refused(portal: Portal) -> None:
    desk = _secretariat(portal)
    jane = {"role": "reviewer", "reviewer": "jane-example", "name": "Jane", "organisation": "X"}
    assert _invite(desk, email="jane@example.org", **jane)[0] == 200
    status, page = _invite(desk, email="john@example.org", **jane)
    assert status == 400
    assert "already given to jane@example.org" in html.unescape(page)
    # the same person again is a new link that replaces the old one, as on the command line
    status, page = _invite(desk, email="Jane@example.org", **jane)
    assert status == 200 and "This revokes the earlier invitation(s)" in page
    reviewers = [i for i in portal.store.invitations() if i.role == "reviewer"]
    assert sorted((i.email, bool(i.revoked)) for i in reviewers) == [
        ("Jane@example.org", False), ("jane@example.org", True)]  # fmt: skip


def test_the_list_shows_each_persons_role_sign_in_and_state(portal: Portal) -> None:
    desk = _secretariat(portal)
    waiting, _ = portal.store.invite("member", "ee@example.org", member="EE")
    in_ = _signed_in(portal, "member", "kr@example.org", member="KR")
    out = _signed_in(portal, "reviewer", "jane@example.org", reviewer="jane-example")
    token = re.search(r'name="csrf" value="([^"]+)"', out.get("/review").text)
    assert token and out.post("/signout", data={"csrf": token[1]}).status_code == 200
    gone, _ = portal.store.invite("member", "dk@example.org", member="DK")
    portal.store.revoke(gone.id)
    late, _ = portal.store.invite("member", "mx@example.org", member="MX")
    with portal.store.tx() as conn:
        conn.execute("UPDATE invitations SET expires = '2020-01-01T00:00:00+00:00' "
                     "WHERE id = ?", (late.id,))  # fmt: skip
    page = desk.get("/secretariat/people").text
    by_email = {i.email: i for i in portal.store.invitations()}
    states = {email: re.search(r'data-state="(\w+)"', _row(page, i.id))
              for email, i in by_email.items()}  # fmt: skip
    assert {e: m[1] for e, m in states.items() if m} == {
        "sec@example.org": "active", "ee@example.org": "active",
        "kr@example.org": "active", "jane@example.org": "spent",
        "dk@example.org": "revoked", "mx@example.org": "expired",
    }  # fmt: skip
    assert "the link is not used yet" in _row(page, waiting.id)
    kr = _row(page, by_email["kr@example.org"].id)
    assert "signed in (1 open session)" in kr and "member of KR" in kr
    signed = by_email["kr@example.org"].used
    assert signed and signed[:16].replace("T", " ") in kr  # last sign-in
    assert ">never<" in _row(page, waiting.id).replace("<br>", "<")
    assert in_.get("/member").status_code == 200


def test_revoking_from_the_people_page_ends_the_persons_access(portal: Portal) -> None:
    desk = _secretariat(portal)
    member = _signed_in(portal, "member", "kr@example.org", member="KR")
    invitation = next(i for i in portal.store.invitations() if i.role == "member")
    page = desk.get("/secretariat/people").text
    assert f'name="id" value="{invitation.id}"' in _row(page, invitation.id)
    sent = desk.post("/secretariat/people/revoke", data={"csrf": _csrf(desk), "id": invitation.id})
    assert sent.status_code == 303 and sent.headers["location"].endswith("/secretariat/people")
    assert member.get("/member").status_code == 403
    assert 'data-state="revoked"' in _row(desk.get("/secretariat/people").text, invitation.id)
    again = desk.post("/secretariat/people/revoke",
                      data={"csrf": _csrf(desk), "id": invitation.id})  # fmt: skip
    assert again.status_code == 404 and "not an open invitation or session" in again.text
    lines = [x for x in portal.store.audit_lines() if x["action"] == "revoke"]
    secretariat = next(i for i in portal.store.invitations() if i.role == "secretariat")
    assert [(x["revoked"], x["who"]) for x in lines] == [(invitation.id, secretariat.id)]


SECRETARIAT_ONLY = [
    ("GET", "/secretariat/people"),
    ("POST", "/secretariat/people/invite"),
    ("POST", "/secretariat/people/revoke"),
    ("GET", "/secretariat/comments"),
    ("POST", "/secretariat/comments/answer"),
    ("GET", "/secretariat/download/contributions.zip"),
    ("GET", "/secretariat/download/validation.json"),
]


@pytest.mark.parametrize(("method", "path"), SECRETARIAT_ONLY)
@pytest.mark.parametrize("role", ["member", "reviewer", "anonymous"])
def test_only_the_secretariat_reaches_its_pages(
    portal: Portal, role: str, method: str, path: str
) -> None:
    if role == "anonymous":
        client = TestClient(make_app(portal), follow_redirects=False)
    elif role == "member":
        client = _signed_in(portal, "member", "kr@example.org", member="KR")
    else:
        client = _signed_in(portal, "reviewer", "jane@example.org", reviewer="jane-example")
    data = {"role": "secretariat", "email": "intruder@example.org", "id": "x"}
    response = client.request(method, path, data=data if method == "POST" else None)
    assert response.status_code == 403, response.text[:300]
    assert "Not allowed" in response.text and "PK" not in response.text[:2]
    assert [i.email for i in portal.store.invitations() if i.role == "secretariat"] == []


@pytest.mark.parametrize("token", ["", "forged", "spent"])
def test_a_secretariat_form_without_its_token_is_refused(portal: Portal, token: str) -> None:
    desk = _secretariat(portal)
    member, _ = portal.store.invite("member", "kr@example.org", member="KR")
    if token == "spent":
        token = _csrf(desk)
        assert desk.post("/secretariat/people/revoke",
                         data={"csrf": token, "id": "nobody"}).status_code == 404  # fmt: skip
    for path, fields in (
        ("/secretariat/people/invite", {"role": "secretariat", "email": "x@example.org"}),
        ("/secretariat/people/revoke", {"id": member.id}),
        ("/secretariat/comments/answer", {"ref": "jane-example#1", "status": "open"}),
    ):
        refused = desk.post(path, data={"csrf": token, **fields})
        assert refused.status_code == 403 and "This form has expired" in refused.text, path
    assert len(portal.store.invitations()) == 2
    assert not portal.store.invitations()[1].revoked
    assert any(
        x["action"] == "refused" and x["reason"] == "csrf" for x in portal.store.audit_lines()
    )
