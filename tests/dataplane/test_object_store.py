"""Data versions on an S3-compatible object store (``PORTAL_STORAGE_URL=s3://…``).

The store tests run where ``PORTAL_STORAGE_URL`` names an S3 store: ``.ci/run`` starts
moto's S3 server on 127.0.0.1 (the stand-in for MinIO, Ceph or a cloud OSS) and runs the
data-plane and open-data tests a second time on it. The URL parsing is tested always.
"""

import os
import socket

import duckdb
import pytest
from botocore.config import Config
from django.core.files import File
from django.core.files.storage import default_storage
from prometheus_client import REGISTRY

from dataplane.conf import work_dir
from dataplane.models import DataVersion
from dataplane.storage import parquet_path
from portal.storage import S3_BACKEND, storage_from_url
from tests.dataplane.conftest import ITEMS
from tests.sharing.factories import grant_for

ON_S3 = os.environ.get("PORTAL_STORAGE_URL", "").startswith("s3://")
needs_s3 = pytest.mark.skipif(not ON_S3, reason="needs an S3 store: set PORTAL_STORAGE_URL=s3://…")


def test_storage_url_selects_the_backend():
    assert storage_from_url("")["BACKEND"].endswith("FileSystemStorage")
    config = storage_from_url("s3://AK%2F1:s%40cret@portal-data/prod/files?"
                              "endpoint=http://10.0.0.5:9000&region=cn-north-1")
    assert config["BACKEND"] == S3_BACKEND
    assert config["OPTIONS"] | {} == {
        "bucket_name": "portal-data", "location": "prod/files",
        "endpoint_url": "http://10.0.0.5:9000", "region_name": "cn-north-1",
        "addressing_style": "path", "file_overwrite": False, "default_acl": None,
        "querystring_auth": True, "access_key": "AK/1", "secret_key": "s@cret"}
    no_keys = storage_from_url("s3://bucket")["OPTIONS"]
    assert "access_key" not in no_keys and no_keys["location"] == ""
    for bad in ("ftp://host/x", "s3:///no-bucket", "s3://b?endpint=http://x"):
        with pytest.raises(ValueError, match="PORTAL_STORAGE_URL"):
            storage_from_url(bad)


def store_bytes_read() -> float:
    return REGISTRY.get_sample_value("portal_store_read_bytes_total") or 0.0


@needs_s3
@pytest.mark.django_db
def test_a_key_lookup_reads_only_a_part_of_a_version_in_the_store(
        tmp_path, resource, provider_admin, consumer, api, upload):
    rows = 250_000  # eight row groups
    source = tmp_path / "big.csv"
    header = ",".join(name for name, *_rest in ITEMS)
    duckdb.execute(
        f"COPY (SELECT '张' || i AS a, '4601' || lpad(i::VARCHAR, 14, '0') AS b, "
        f"'138' || lpad(i::VARCHAR, 8, '0') AS c, '1990-01-01' AS d, i * 1.5 AS e, "
        f"'海南省海口市美兰区人民大道' || i || '号' AS f FROM range(1, {rows + 1}) t(i)) "
        f"TO '{source}' (HEADER false)")
    source.write_text(header + "\n" + source.read_text())
    with source.open("rb") as handle:
        version = upload(provider_admin, resource, File(handle, "big.csv"))
    assert version.status == DataVersion.Status.CURRENT, version.report
    assert version.row_count == rows

    # The version lives in the store; no node keeps a copy of it.
    assert default_storage.exists(version.parquet_file)
    assert parquet_path(version.parquet_file).startswith("portalstore://")
    assert not list(work_dir().glob("cache/*.parquet"))

    grant_for(consumer.department, resource, actor=provider_admin,
              items=list(resource.items.filter(name__in=["姓名", "身份证号码", "住址"])))
    client = api(consumer)
    url = f"/api/v1/sharing/resources/{resource.code}/rows/"
    client.get(url, {"身份证号码": "460100000000000001"})  # the footer, once per process
    before = store_bytes_read()
    data = client.get(url, {"身份证号码": "460100000000123456"}).json()
    read = store_bytes_read() - before
    assert data["count"] == 1
    assert data["results"] == [{"姓名": "张123456", "身份证号码": "460100000000123456",
                                "住址": "海南省海口市美兰区人民大道123456号"}]
    # The footer is cached; one row group of the columns the query needs is read.
    assert 0 < read < version.parquet_size / 4, (read, version.parquet_size)


@needs_s3
@pytest.mark.django_db
def test_readyz_checks_the_store(client, settings):
    assert client.get("/readyz").json()["checks"]["store"] == {"status": "ok"}
    with socket.socket() as probe:  # a port where no store listens
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    options = {**settings.STORAGES["default"]["OPTIONS"],
               "endpoint_url": f"http://127.0.0.1:{dead}",
               "client_config": Config(connect_timeout=1, retries={"max_attempts": 1})}
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"],
                                                          "OPTIONS": options}}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["store"]["status"] == "fail"
    assert str(dead) not in response.content.decode()
