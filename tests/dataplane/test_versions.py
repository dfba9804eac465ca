"""Data versions (S9): upload, whole-file validation in the task, the current version
switch, lateness against the update cycle, restore, and who may upload."""

from datetime import timedelta

import duckdb
import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import Resource, UpdateCycle
from dataplane.conf import engine_config
from dataplane.engine.duck import engine_cursor
from dataplane.models import DataVersion, ResourceData
from dataplane.services.versions import (
    version_process,
    version_restore,
    version_upload,
    versions_overdue_notify,
)
from dataplane.storage import parquet_path
from portal.errors import NotPermitted, ValidationFailed
from portal.models import Notification, Role
from tests.dataplane.conftest import ROWS, csv_text


def read_version(version, sql: str) -> list[tuple]:
    """``sql`` over the version's Parquet file, read as the portal reads it (local disk or
    the object store)."""
    with engine_cursor(engine_config()) as con:
        return con.sql(sql.format(f"read_parquet('{parquet_path(version.parquet_file)}')")
                       ).fetchall()

pytestmark = pytest.mark.django_db


def current(resource) -> DataVersion | None:
    state = ResourceData.objects.filter(resource=resource).first()
    return state.current_version if state else None


def test_clean_upload_becomes_current_s9(loaded, resource):
    """S9: converted once into Parquet through the storage API, and made current."""
    assert current(resource) == loaded
    assert loaded.row_count == len(ROWS)
    assert loaded.detected_encoding == "utf-8"
    assert default_storage.exists(loaded.parquet_file)
    assert loaded.source_file == ""  # the raw upload is removed once processed
    assert [c["name"] for c in loaded.schema] == ["姓名", "身份证号码", "手机号码", "出生日期",
                                                  "年收入", "住址"]
    assert read_version(loaded, "SELECT 出生日期 FROM {} LIMIT 1")[0][0].year == 1990
    assert Notification.objects.filter(key=f"dataversion:{loaded.pk}:done").exists()


def test_bad_upload_reports_and_keeps_current_version_s9(loaded, resource, provider_admin,
                                                         upload):
    """S9: a bad file yields a report (row, column, problem) and the current version stays."""
    rows = [*ROWS, ("赵六", "460100", "1381", "1990-02-30", "很多", "地址")]
    failed = upload(provider_admin, resource, csv_text(rows))
    assert failed.status == DataVersion.Status.FAILED
    problems = {(p["row"], p["column"]) for p in failed.report["problems"]}
    assert problems == {(4, "出生日期"), (4, "年收入")}
    assert current(resource) == loaded
    loaded.refresh_from_db()
    assert loaded.status == DataVersion.Status.CURRENT
    assert failed.parquet_file == "" and failed.source_file == ""


def test_malformed_row_900000_of_a_big_file_changes_nothing_s9(loaded, resource, provider_admin,
                                                              upload, tmp_path):
    """S9: a malformed row deep in a big file (row 900,000 of 1,000,000) is reported and
    the current version stays in place."""
    path = tmp_path / "big.csv"
    duckdb.execute(f"""
        COPY (SELECT '姓名' || i AS 姓名,
                     lpad(i::VARCHAR, 18, '4') AS 身份证号码,
                     '138' || lpad(i::VARCHAR, 8, '0') AS 手机号码,
                     CASE WHEN i = 900000 THEN '1990-13-45'
                          ELSE strftime(DATE '1960-01-01' + (i % 20000)::INTEGER, '%Y-%m-%d')
                     END AS 出生日期,
                     (i % 100000)::VARCHAR AS 年收入,
                     '海南省海口市' || (i % 997)::VARCHAR || '号' AS 住址
              FROM range(1, 1000001) t(i))
        TO '{path}' (HEADER, DELIMITER ',')""")
    with path.open("rb") as handle:
        failed = upload(provider_admin, resource, File(handle, name="big.csv"))
    assert failed.status == DataVersion.Status.FAILED
    assert failed.report["rows"] == 1_000_000
    assert failed.report["problem_count"] == 1
    assert failed.report["problems"] == [{"row": 900000, "column": "出生日期",
                                          "message": "“出生日期”应为日期（如 2024-01-31）",
                                          "value": "1990-13-45"}]
    assert current(resource) == loaded


def test_gbk_and_bom_csv_import_through_the_api_s9(resource, provider_admin, api,
                                                   django_capture_on_commit_callbacks):
    """S9: CSV in GBK and in UTF-8 with BOM, uploaded through the REST API."""
    client = api(provider_admin)
    url = f"/api/v1/sharing/resources/{resource.code}/versions/"
    for encoding in ("gbk", "utf-8-sig"):
        payload = SimpleUploadedFile("数据.csv", csv_text().encode(encoding))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": payload}, format="multipart")
        assert response.status_code == 202, response.json()
        version = DataVersion.objects.get(pk=response.json()["id"])
        assert version.status == DataVersion.Status.CURRENT, version.report
        assert version.detected_encoding == ("gbk" if encoding == "gbk" else "utf-8-sig")
        assert read_version(version, "SELECT 姓名, 住址 FROM {}")[0] == (
            "张三", "海南省海口市美兰区人民大道58号")
    detail = client.get(f"{url}{version.pk}/").json()
    assert detail["status"] == "current" and detail["report"]["ok"] is True


def test_api_upload_errors(resource, provider_admin, api, settings):
    client = api(provider_admin)
    url = f"/api/v1/sharing/resources/{resource.code}/versions/"
    response = client.post(url, {"file": SimpleUploadedFile("old.xls", b"x")}, format="multipart")
    assert response.status_code == 400 and "xlsx" in response.json()["file"][0]
    settings.DATAPLANE = {**settings.DATAPLANE, "UPLOAD_MAX_BYTES": 10}
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", b"x" * 11)},
                           format="multipart")
    assert response.status_code == 413
    assert client.get("/api/v1/sharing/resources/NO-SUCH/versions/").status_code == 404


UPLOAD_MATRIX = [
    # (role, own department, resource status, allowed)
    (Role.DATA_ADMIN, True, Resource.Status.REGISTERED, True),
    (Role.CLERK, True, Resource.Status.REGISTERED, False),
    (Role.SECURITY_OFFICER, True, Resource.Status.REGISTERED, False),
    (Role.HEAD, True, Resource.Status.REGISTERED, False),
    (Role.DATA_ADMIN, False, Resource.Status.REGISTERED, False),
    (Role.CENTER_REVIEWER, False, Resource.Status.REGISTERED, False),
    (Role.DATA_ADMIN, True, Resource.Status.RETIRED, False),
]


@pytest.mark.parametrize(("role", "own", "status", "allowed"), UPLOAD_MATRIX)
def test_who_may_upload_matrix_s9(resource, make_user, department, role, own, status, allowed):
    """S9: only the provider's data administrator uploads, and only to a registered entry."""
    Resource.objects.filter(pk=resource.pk).update(status=status)
    resource.refresh_from_db()
    home = resource.provider if own else (department if role != Role.CENTER_REVIEWER else None)
    user = make_user(department=home, roles=[role])
    upload = SimpleUploadedFile("d.csv", csv_text().encode())
    if allowed:
        assert version_upload(actor=user, resource=resource, upload=upload).status == "pending"
    else:
        with pytest.raises(NotPermitted):
            version_upload(actor=user, resource=resource, upload=upload)
        assert not DataVersion.objects.filter(resource=resource).exists()


def test_versions_are_visible_to_provider_center_authority_only(loaded, resource, api, consumer,
                                                                make_user, provider):
    url = f"/api/v1/sharing/resources/{resource.code}/versions/"
    assert api(consumer).get(url).status_code == 403
    for user in (make_user(roles=[Role.CENTER_REVIEWER]), make_user(roles=[Role.AUTHORITY]),
                 make_user(department=provider, roles=[Role.CLERK])):
        response = api(user).get(url)
        assert response.status_code == 200
        assert [v["number"] for v in response.json()["results"]] == [1]


def test_late_version_is_flagged_against_the_update_cycle_s9(resource, provider_admin, upload):
    """S9 (HN-39(4)): a version later than the update cycle is flagged."""
    Resource.objects.filter(pk=resource.pk).update(
        update_cycle=UpdateCycle.WEEKLY, registered_at=timezone.now() - timedelta(days=20))
    resource.refresh_from_db()
    first = upload(provider_admin, resource, csv_text())
    assert first.is_late and first.days_late == 13
    assert first.due_on == timezone.localdate() - timedelta(days=13)
    second = upload(provider_admin, resource, csv_text())
    assert not second.is_late
    state = ResourceData.objects.get(resource=resource)
    assert state.next_due_on == timezone.localdate() + timedelta(days=7)


def test_irregular_cycle_is_never_late(resource, provider_admin, upload):
    Resource.objects.filter(pk=resource.pk).update(
        update_cycle=UpdateCycle.IRREGULAR, registered_at=timezone.now() - timedelta(days=400))
    resource.refresh_from_db()
    version = upload(provider_admin, resource, csv_text())
    assert not version.is_late and version.due_on is None


def test_overdue_providers_are_reminded_once_s9(loaded, resource, provider_admin):
    ResourceData.objects.filter(resource=resource).update(
        next_due_on=timezone.localdate() - timedelta(days=1))
    assert versions_overdue_notify() == 1
    assert versions_overdue_notify() == 0
    notes = Notification.objects.filter(user=provider_admin, key__startswith="dataplane:overdue:")
    assert notes.count() == 1


def test_restore_an_earlier_version(loaded, resource, provider_admin, upload, make_user):
    second = upload(provider_admin, resource, csv_text())
    assert current(resource) == second
    with pytest.raises(NotPermitted):
        version_restore(actor=make_user(department=resource.provider, roles=[Role.CLERK]),
                        version=loaded)
    version_restore(actor=provider_admin, version=loaded)
    assert current(resource) == loaded
    second.refresh_from_db()
    assert second.status == DataVersion.Status.SUPERSEDED


def test_processing_twice_is_harmless(loaded):
    """A redelivered task (acks_late) finds the version finished and does nothing."""
    assert version_process(version_id=loaded.pk) is None
    loaded.refresh_from_db()
    assert loaded.status == DataVersion.Status.CURRENT


def test_resource_without_items_cannot_take_data(resource, provider_admin):
    resource.items.all().delete()
    with pytest.raises(ValidationFailed):
        version_upload(actor=provider_admin, resource=resource,
                       upload=SimpleUploadedFile("d.csv", b"a\n1\n"))


def test_version_page_shows_progress_and_report(loaded, resource, provider_admin, upload, web):
    failed = upload(provider_admin, resource, csv_text([("赵六", "1", "1", "bad", "1", "x")]))
    client = web(provider_admin)
    page = client.get(f"/data/r/{resource.code}/versions/{failed.pk}/")
    assert page.status_code == 200
    assert "校验报告" in page.content.decode() and "bad" in page.content.decode()
    progress = client.get(f"/data/r/{resource.code}/versions/{failed.pk}/progress/").json()
    assert progress == {"status": "failed", "status_display": "校验未通过", "progress": 100,
                        "stage": "校验未通过，当前版本未改变", "finished": True}


def test_web_upload_form(resource, provider_admin, web, django_capture_on_commit_callbacks):
    client = web(provider_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/data/r/{resource.code}/upload/", {
            "file": SimpleUploadedFile("d.csv", csv_text().encode("gbk")), "encoding": "auto",
            "format": "", "note": "十一月数据"})
    version = DataVersion.objects.get(resource=resource)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/versions/{version.pk}/")
    assert version.status == DataVersion.Status.CURRENT and version.note == "十一月数据"


def test_works_on_storage_without_local_paths(settings, resource, provider_admin, upload, api,
                                              granted, consumer, tmp_path):
    """Object storage (no ``path()``): uploads are fetched to scratch space, Parquet files
    to the local cache, and everything else is unchanged."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.DATAPLANE = {**settings.DATAPLANE, "WORK_DIR": str(tmp_path / "work")}
    version = upload(provider_admin, resource, csv_text())
    assert version.status == DataVersion.Status.CURRENT, version.report
    assert default_storage.listdir(f"dataplane/uploads/{resource.pk}")[1] == []  # raw removed
    data = api(consumer).get(f"/api/v1/sharing/resources/{resource.code}/rows/").json()
    assert data["count"] == len(ROWS)
    assert list((tmp_path / "work" / "cache").glob("*.parquet"))
