"""The interface-sharing gateway (S9 服务接口 / 系统对接).

Providers register data services (``services``), import operations from OpenAPI 3
(``openapi``), keep the upstream credential encrypted (``secrets``); the center reviews
and enables them; consumers call ``/api/v1/services/<resource code>/<operation>/`` with
their department's system token (``views``), decided by ``sharing.access.access_decide``,
projected to granted items and masked by the data plane's rules (``records``), limited
(``limits``) and logged in the data plane's access log. ``tasks`` checks health.
"""
