"""``PORTAL_STORAGE_URL``: where uploaded documents, raw uploads and data versions live.

Unset (or ``file://``) keeps them on the local disk under ``PORTAL_MEDIA_ROOT``. An
``s3://`` URL selects an S3-compatible object store through django-storages::

    s3://ACCESS_KEY:SECRET_KEY@bucket/prefix?endpoint=https://oss.example.gov.cn&region=cn-north-1

The key pair may instead come from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (or
any other source boto3 and Arrow both read). ``endpoint`` is the store's URL (MinIO, Ceph
RGW, a cloud OSS; omitted for AWS itself), ``region`` its region, ``addressing`` ``path``
(the default, which every S3-compatible server understands) or ``virtual``.
"""

from urllib.parse import parse_qs, unquote, urlsplit

FILE_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "storages.backends.s3.S3Storage"


def storage_from_url(url: str) -> dict:
    """The ``STORAGES["default"]`` entry for ``url``; ValueError names what is wrong."""
    if not url or url.startswith("file:"):
        return {"BACKEND": FILE_BACKEND}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError(f"PORTAL_STORAGE_URL must be s3://[key:secret@]bucket[/prefix][?…], "
                         f"not {url!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region", "addressing"}
    if unknown:
        raise ValueError(f"PORTAL_STORAGE_URL: unknown parameter(s) {', '.join(sorted(unknown))}")
    options = {
        "bucket_name": parts.hostname,
        "location": parts.path.strip("/"),
        "endpoint_url": query.get("endpoint"),
        "region_name": query.get("region"),
        "addressing_style": query.get("addressing", "path"),
        # Every version, upload and document has a fresh name; never overwrite one.
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
