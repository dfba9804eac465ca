"""Credentials the platform keeps for calling out, encrypted at rest (MultiFernet, key
rotation): the interface gateway's upstream credentials, the cascade tokens of lower
platforms.

The keys come from the environment (``PORTAL_SECRET_KEYS``, formerly
``PORTAL_GATEWAY_KEYS``, still read: comma-separated Fernet keys, the newest first).
Encryption always uses the first key; decryption tries them all, so adding a new key in
front and running ``manage.py secrets_rotate`` re-encrypts every stored secret with it,
after which the old key can be dropped. Without configured keys a key is derived from
``SECRET_KEY`` (development only: set the variable in production so that rotating the
secret key does not make credentials unreadable).

Apps register the model fields holding such secrets (:func:`secret_fields_register`,
from ``AppConfig.ready``) so the rotation finds them all.
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models, transaction

from .conf import portal_setting

# Salt of the development key (kept as first written: secrets stored before the box
# moved here must still open).
_DERIVED_SALT = b"gateway-credentials"

_FIELDS: list[tuple[type[models.Model], str]] = []


def _keys() -> list[bytes]:
    configured = [k.strip() for k in portal_setting("SECRET_KEYS") if k.strip()]
    if configured:
        return [k.encode() for k in configured]
    derived = hmac.new(settings.SECRET_KEY.encode(), _DERIVED_SALT, hashlib.sha256).digest()
    return [base64.urlsafe_b64encode(derived)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def secret_decrypt(token: str) -> str:
    """The plain secret; raises ``InvalidToken`` when no configured key opens it."""
    return _fernet().decrypt(token.encode()).decode() if token else ""


def secret_rotate(token: str) -> str:
    """The same secret encrypted with the newest key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def secret_fields_register(model: type[models.Model], field: str) -> None:
    if (model, field) not in _FIELDS:
        _FIELDS.append((model, field))


@transaction.atomic
def secrets_rotate() -> dict[str, int]:
    """Re-encrypt every registered secret with the newest key; how many per field.
    Raises ``InvalidToken`` (and changes nothing) when a secret opens with no key."""
    done = {}
    for model, field in _FIELDS:
        rows = model._base_manager.exclude(**{field: ""}).select_for_update()
        count = 0
        for pk, token in rows.values_list("pk", field):
            model._base_manager.filter(pk=pk).update(**{field: secret_rotate(token)})
            count += 1
        done[f"{model._meta.label}.{field}"] = count
    return done


__all__ = ["InvalidToken", "secret_decrypt", "secret_encrypt", "secret_fields_register",
           "secret_rotate", "secrets_rotate"]
