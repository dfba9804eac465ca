"""``manage.py secrets_rotate``: re-encrypt every stored credential with the newest key
of ``PORTAL_SECRET_KEYS`` (portal.secrets)."""

from django.core.management.base import BaseCommand, CommandError

from portal.secrets import InvalidToken, secrets_rotate


class Command(BaseCommand):
    help = "Re-encrypt stored credentials with the newest key of PORTAL_SECRET_KEYS."

    def handle(self, *args, **options):
        try:
            done = secrets_rotate()
        except InvalidToken:
            raise CommandError("A stored credential opens with none of PORTAL_SECRET_KEYS: "
                               "keep its old key in the list and run again.") from None
        for field, count in done.items():
            self.stdout.write(f"{field}: {count} re-encrypted")
