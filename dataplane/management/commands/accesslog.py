"""``python manage.py accesslog verify``: recompute the access log's hash chain (S10)."""

from django.core.management.base import BaseCommand, CommandError

from dataplane.services.accesslog import accesslog_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the shared-data access log; report the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute every entry's hash and link.")

    def handle(self, *args, **options):
        report = accesslog_verify()
        if not report.ok:
            raise CommandError(f"访问日志校验失败：{report.problem}（已核对 {report.checked} 条）")
        self.stdout.write(self.style.SUCCESS(f"访问日志完整：共 {report.checked} 条，哈希链无断点。"))
