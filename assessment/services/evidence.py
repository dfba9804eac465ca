"""Evidence files: checked on upload, stored through Django's storage API."""

from collections.abc import Iterable
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from assessment.conf import assessment_setting
from assessment.models import Evidence
from portal.errors import ValidationFailed
from portal.models import User
from portal.uploads import OFFICE_DOCUMENT, document_problem

MAX_FILES = 10


def evidence_validate(files: Iterable[UploadedFile], field: str = "files") -> list[UploadedFile]:
    """Refuse too many files, files too large, and files whose content is not a document
    (PDF, OFD, Word, WPS, Excel, TXT or an image) or does not match their extension."""
    files = [f for f in files if f]
    limit = assessment_setting("EVIDENCE_MAX_BYTES")
    errors = []
    if len(files) > MAX_FILES:
        errors.append(_("一次最多上传 %(n)d 个文件。") % {"n": MAX_FILES})
    for upload in files:
        if upload.size > limit:
            errors.append(_("“%(name)s”超过 %(mb)d MB，请压缩或拆分后上传。")
                          % {"name": upload.name, "mb": limit // (1024 * 1024)})
        elif problem := document_problem(upload.name or "", upload, OFFICE_DOCUMENT):
            errors.append(problem)
    if errors:
        raise ValidationFailed(errors[0], fields={field: errors})
    return files


def evidence_attach(*, actor: User, parent: models.Model, files: Iterable[UploadedFile]
                    ) -> list[Evidence]:
    """Store ``files`` as evidence of ``parent``. The calling service has checked the
    actor may act on the parent."""
    files = evidence_validate(files)
    content_type = ContentType.objects.get_for_model(parent)
    created = []
    for upload in files:
        name = PurePath(upload.name).name[:200]
        created.append(Evidence.objects.create(
            content_type=content_type, object_id=parent.pk, file=upload, name=name,
            size=upload.size, uploaded_by=actor))
    return created
