"""Accounts of the public (O5): sign-up creates a user without a department."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import ValidationFailed
from portal.models import User


@transaction.atomic
def public_user_register(*, username: str, email: str, password: str, phone: str = "",
                         ) -> User:
    """Create a member of the public: no department, no role, so no government access."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(_("用户名已被使用。"), fields={"username": [_("该用户名已被使用，请换一个。")]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(_("邮箱已注册。"), fields={"email": [_("该邮箱已注册，请直接登录。")]})
    user = User(username=username, email=email.lower(), phone=phone, department=None)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(_("密码不符合要求。"), fields={"password1": list(exc.messages)}) from None
    user.set_password(password)
    user.save()
    return user
