"""Upstream credentials encrypted at rest (MultiFernet, key rotation).

The keys come from the environment (``PORTAL_GATEWAY_KEYS``: comma-separated Fernet
keys, the newest first). Encryption always uses the first key; decryption tries them all,
so adding a new key in front and running ``manage.py gateway_keys rotate`` re-encrypts
every stored secret with it, after which the old key can be dropped. Without configured
keys a key is derived from ``SECRET_KEY`` (development only: set the variable in
production so that rotating the secret key does not make credentials unreadable).
"""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from .conf import gateway_setting


def _keys() -> list[bytes]:
    configured = [k.strip() for k in gateway_setting("KEYS") if k.strip()]
    if configured:
        return [k.encode() for k in configured]
    derived = hmac.new(settings.SECRET_KEY.encode(), b"gateway-credentials",
                       hashlib.sha256).digest()
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


__all__ = ["InvalidToken", "secret_decrypt", "secret_encrypt", "secret_rotate"]
