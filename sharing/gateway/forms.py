"""Forms of the data-service pages (the rules themselves live in ``services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..conf import gateway_setting
from ..models import DataService, ServiceOperation

PARAM_ROWS = 3     # blank parameter rows offered below the existing ones
FIELD_ROWS = 3     # blank field-mapping rows likewise


class ServiceForm(forms.Form):
    base_url = forms.CharField(label=_("接口地址"), max_length=500,
                               help_text=_("提供部门业务系统的接口根地址，如 https://rk.example.gov.cn/api"))
    credential_place = forms.ChoiceField(label=_("凭据位置"),
                                         choices=DataService.CredentialPlace.choices)
    credential_name = forms.CharField(label=_("凭据名称"), max_length=100, required=False,
                                      help_text=_("如请求头 X-Api-Key 或查询参数 appKey"))
    secret = forms.CharField(
        label=_("凭据"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("加密保存，保存后不再显示；留空则保留已保存的凭据。"))
    timeout_ms = forms.IntegerField(label=_("超时（毫秒）"), initial=5000,
                                    min_value=100, max_value=600_000)
    max_answer_mb = forms.DecimalField(label=_("应答上限（MB）"), initial=10, min_value=0.001,
                                       max_digits=8, decimal_places=3)
    description = forms.CharField(label=_("说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def service_data(self) -> tuple[dict[str, Any], str | None]:
        data = self.cleaned_data
        secret = data.get("secret") or None
        return {
            "base_url": data["base_url"], "credential_place": data["credential_place"],
            "credential_name": data.get("credential_name", ""),
            "timeout_ms": data["timeout_ms"],
            "max_answer_bytes": int(data["max_answer_mb"] * 1024 * 1024),
            "description": data.get("description", ""),
        }, secret

    @classmethod
    def initial_of(cls, service: DataService | None) -> dict[str, Any]:
        if service is None:
            return {"max_answer_mb": min(10, gateway_setting("ANSWER_MAX_BYTES") // 1024 // 1024)}
        return {"base_url": service.base_url, "credential_place": service.credential_place,
                "credential_name": service.credential_name, "timeout_ms": service.timeout_ms,
                "max_answer_mb": round(service.max_answer_bytes / 1024 / 1024, 3),
                "description": service.description}


class OperationForm(forms.Form):
    """The operation's own fields; its parameter and field-mapping rows are read from
    the table inputs (``param-<n>-…``, ``map-<n>-…``) by :func:`operation_rows`."""

    name = forms.CharField(label=_("操作标识"), max_length=48,
                           help_text=_("小写字母开头，用于调用地址，如 query"))
    label = forms.CharField(label=_("操作名称"), max_length=100)
    method = forms.ChoiceField(label=_("请求方法"), choices=ServiceOperation.Method.choices)
    path = forms.CharField(label=_("路径"), max_length=300,
                           help_text=_("接口地址之后的路径，如 /persons 或 /persons/{sfzh}"))
    records_path = forms.CharField(label=_("记录位置"), max_length=200, required=False,
                                   help_text=_("应答 JSON 中记录列表的位置，如 data.list；留空表示应答本身"))


def operation_rows(post) -> tuple[list[dict], dict[str, str]]:
    """Parameter rows and the field map from the operation page's table inputs."""
    params, field_map = [], {}
    for n in range(int(post.get("param-count") or 0)):
        name = (post.get(f"param-{n}-name") or "").strip()
        if name:
            params.append({"name": name, "in": post.get(f"param-{n}-in") or "query",
                           "item": post.get(f"param-{n}-item") or None,
                           "required": post.get(f"param-{n}-required") == "on",
                           "description": post.get(f"param-{n}-description") or ""})
    for n in range(int(post.get("map-count") or 0)):
        answer_field = (post.get(f"map-{n}-field") or "").strip()
        if answer_field:
            field_map[answer_field] = post.get(f"map-{n}-item") or None
    return params, field_map


class OpenApiImportForm(forms.Form):
    document = forms.FileField(label=_("OpenAPI 文档文件"), required=False,
                               help_text=_("OpenAPI 3 文档，JSON 或 YAML"))
    text = forms.CharField(label=_("或粘贴文档内容"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))

    def clean(self):
        data = super().clean()
        upload = data.get("document")
        if upload is not None:
            raw = upload.read(2 * 1024 * 1024 + 1)
            try:
                data["content"] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("文档应为 UTF-8 编码的 JSON 或 YAML。")) from None
        elif (data.get("text") or "").strip():
            data["content"] = data["text"]
        else:
            raise forms.ValidationError(_("请上传 OpenAPI 文档或粘贴其内容。"))
        return data


class TryForm(forms.Form):
    """The "try it" page: the operation, sample parameters and the grant to preview."""

    grant = forms.TypedChoiceField(label=_("按哪项共享授权预览"), coerce=int, required=False,
                                   empty_value=None)

    def __init__(self, *args, grants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [("", _("（不预览，仅看原始应答）"))] + [
            (g.pk, f"{g.department.name} · {g.get_purpose_display()}") for g in grants]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
