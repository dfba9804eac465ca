"""Load demo data versions (idempotent): a small generated data file for a couple of
registered demo resources, uploaded by the provider's data administrator and checked
like any upload, plus masking rules for the personal items.

Resources that already have a current version are left alone, so running it again
changes nothing.
"""

import csv
import io
import random
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand

from catalog.models import DataItem, DataType, Resource
from dataplane.demo import demo_masking_rules_set
from dataplane.models import ResourceData
from dataplane.services.versions import engine_columns, version_process, version_upload
from portal.models import Role, User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
PLACES = ["海口市美兰区", "海口市龙华区", "三亚市吉阳区", "儋州市那大镇", "琼海市嘉积镇"]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(rng: random.Random, birth: date) -> str:
    body = f"4601{rng.randint(0, 99):02d}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    return body + check


def value_for(item: DataItem, rng: random.Random, row: int) -> str:
    name = item.name
    if item.data_type == DataType.INTEGER:
        return str(rng.randint(0, 10_000))
    if item.data_type == DataType.DECIMAL:
        return f"{rng.uniform(0, 100_000):.2f}"
    if item.data_type == DataType.DATE:
        return (date(1960, 1, 1) + timedelta(days=rng.randint(0, 20_000))).isoformat()
    if item.data_type == DataType.DATETIME:
        moment = datetime(2024, 1, 1) + timedelta(minutes=rng.randint(0, 900_000))
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if item.data_type == DataType.BOOLEAN:
        return rng.choice(["是", "否"])
    if "身份证" in name or "身份号码" in name:
        return id_number(rng, date(1960, 1, 1) + timedelta(days=rng.randint(0, 20_000)))
    if "手机" in name or "电话" in name:
        return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
    if "姓名" in name or "法定代表人" in name:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    if "地址" in name or "住址" in name or "坐落" in name:
        return f"海南省{rng.choice(PLACES)}{rng.randint(1, 300)}号"
    if "代码" in name:
        return f"91460000MA{rng.randint(0, 99_999_999):08d}"[:18]
    text = f"{name}{row}"
    return text[: item.length] if item.length else text


def demo_csv(resource: Resource, rows: int) -> bytes:
    rng = random.Random(resource.code)
    items = list(DataItem.objects.filter(resource=resource, retired=False)
                 .order_by("position", "pk"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([i.name for i in items])
    for row in range(1, rows + 1):
        writer.writerow([value_for(i, rng, row) for i in items])
    return buffer.getvalue().encode("utf-8")


class Command(BaseCommand):
    help = "Upload a small generated data version for a couple of registered demo resources."

    def add_arguments(self, parser):
        parser.add_argument("--resources", type=int, default=2,
                            help="How many resources to give data (default 2).")
        parser.add_argument("--rows", type=int, default=200, help="Rows per file (default 200).")

    def handle(self, *args, resources: int, rows: int, **options):
        candidates = (Resource.objects.filter(status=Resource.Status.REGISTERED,
                                              items__retired=False)
                      .select_related("provider").distinct().order_by("code"))
        done = 0
        for resource in candidates:
            if done >= resources:
                break
            state = ResourceData.objects.filter(resource=resource).first()
            if state is not None and state.current_version_id:
                done += 1
                continue
            admin = (User.objects.filter(department=resource.provider, is_active=True,
                                         role_assignments__role=Role.DATA_ADMIN)
                     .order_by("pk").first())
            if admin is None or not engine_columns(resource):
                continue
            demo_masking_rules_set(actor=admin, items=resource.items.filter(retired=False))
            version = version_upload(
                actor=admin, resource=resource, note="演示数据",
                upload=SimpleUploadedFile(f"{resource.code}.csv", demo_csv(resource, rows)))
            version = version_process(version_id=version.pk) or version
            version.refresh_from_db()
            self.stdout.write(f"{resource.code} {resource.name}: v{version.number} "
                              f"{version.get_status_display()} ({version.row_count} rows)")
            done += 1
        if done == 0:
            self.stdout.write("No registered resource with data items and a data administrator: "
                              "load the catalog demo first.")

