"""Who gets which status on a page: the expectation for every role of the cast, and the check
that an anonymous visitor is sent to sign in and each person gets exactly theirs."""


def roles_expect(cast, **allowed):
    everyone = {
        "manager": 404,
        "org_admin": 404,
        "mentor": 404,
        "other_org_admin": 404,
        "other_mentor": 404,
        "contributor": 404,
        "writer": 404,
        "outsider": 404,
    }
    everyone.update(allowed)
    return {getattr(cast, role): status for role, status in everyone.items()}


def assert_matrix(client, url, expected):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    got = {}
    for person in expected:
        client.force_login(person)
        got[person] = client.get(url).status_code
    assert got == expected
