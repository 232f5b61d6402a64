"""One demo account per role, all with the same printed password."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress

from portal.demo.timelines import upsert

DEMO_PASSWORD = "seasons-demo"  # noqa: S105 — printed for people to sign in locally


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str


ACCOUNTS = [
    DemoAccount("program manager", "manager@demo.seasons.test", "Mina Manager"),
    DemoAccount("org admin", "orgadmin@demo.seasons.test", "Omar Orgadmin"),
    DemoAccount("mentor", "mentor@demo.seasons.test", "Mei Mentor"),
    DemoAccount("contributor", "contributor@demo.seasons.test", "Caro Contributor"),
    DemoAccount("technical writer", "writer@demo.seasons.test", "Wren Writer"),
]


def accounts_ensure():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = {}
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(account.email, DEMO_PASSWORD, name=account.name)
        upsert(
            EmailAddress,
            {"user": user, "email": account.email},
            {"verified": True, "primary": True},
        )
        users[account.role] = user
    return users
