"""``python manage.py accesslog verify|checkpoint``: check the access log's keyed hash
chain and its signed checkpoints, or write a checkpoint now (S10)."""

from django.core.management.base import BaseCommand, CommandError

from dataplane.services.accesslog import accesslog_checkpoint, accesslog_verify


class Command(BaseCommand):
    help = ("Verify the keyed hash chain of the shared-data access log against its signed "
            "checkpoints (first problem reported), or write a checkpoint now.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute every entry's hash and link; check checkpoints.")
        sub.add_parser("checkpoint", help="Write a signed checkpoint of the chain's end.")

    def handle(self, *args, action: str, **options):
        if action == "checkpoint":
            checkpoint = accesslog_checkpoint()
            if checkpoint is None:
                self.stdout.write("没有新的记录需要检查点（或核对未通过，见日志）。")
            else:
                self.stdout.write(self.style.SUCCESS(
                    f"已写入检查点：第 {checkpoint.seq} 条，{checkpoint.at}。"))
            return
        report = accesslog_verify()
        if not report.ok:
            raise CommandError(f"访问日志校验失败：{report.problem}（已核对 {report.checked} 条）")
        last = report.last_checkpoint
        checkpoints = (f"{report.checkpoints} 个检查点，最近一个在第 {last.seq} 条（{last.at}）"
                       if last else "尚无检查点")
        self.stdout.write(self.style.SUCCESS(
            f"访问日志完整：共 {report.checked} 条，哈希链无断点；{checkpoints}（{report.store}）。"))
