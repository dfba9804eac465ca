from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.utils.translation import gettext_lazy as _


def model_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """Form field for ``db_field`` (a ModelForm's ``Meta.formfield_callback``): addresses
    typed without a scheme are taken as https, Django 6's default, today."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("用户名"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次错误后账户将被临时锁定。"),
        "inactive": _("该账户已停用，请联系本部门管理员。"),
    }


class OtpTokenForm(forms.Form):
    token = forms.RegexField(
        label=_("动态验证码"), regex=r"^\d{6}$", max_length=6,
        error_messages={"invalid": _("请输入验证器应用中显示的 6 位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=64,
                           help_text=_("用于识别令牌的用途，如“业务系统对接”。"))
    expires_in_days = forms.TypedChoiceField(
        label=_("有效期"), coerce=int, initial=90,
        choices=[(30, _("30 天")), (90, _("90 天")), (180, _("180 天")), (365, _("一年"))],
    )


class DateInput(forms.DateInput):
    """A browser date picker. ``<input type="date">`` only takes ISO dates, whatever the
    locale's display format (zh-hans would render 2026/12/10, which the browser drops, so
    an edited form lost its dates): always render ISO."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
