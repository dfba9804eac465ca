"""Settings for the portal: one module, configured by environment variables.

Without any variable set the portal runs on the embedded default (SQLite, local files,
a Celery broker on the file system). Production sets ``DJANGO_DEBUG=0``,
``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL`` and ``REDIS_URL``;
every variable is documented in README.md.
"""

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab

from portal.storage import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def env_settings(**variables: tuple[str, Callable[[str], Any]]) -> dict[str, Any]:
    """An app's settings dict from the environment: ``KEY=(variable, parse)`` sets KEY
    only when the variable is set, so every default is stated once, in the app's conf.py
    (portal/conf.py)."""
    return {key: parse(os.environ[name]) for key, (name, parse) in variables.items()
            if os.environ.get(name, "") != ""}


def mebibytes(value: str) -> int:
    return int(value) * 1024 * 1024


def boolean(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)

# A development key exists only with DJANGO_DEBUG=1. Without it and without
# DJANGO_SECRET_KEY the key stays empty: web servers and Celery refuse to start
# (portal.checks.startup_require) and `check --deploy` fails with portal.E001.
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (_DEV_SECRET if DEBUG else "")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "portal.error_pages.csrf_failure"

INSTALLED_APPS = [
    "portal.admin_apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_prometheus",
    "portal",
    "catalog",
    "sharing",
    "dataplane",
    "opendata",
    "assessment",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.logs.RequestIdMiddleware",
    # /healthz and /readyz, answered before host checks, HTTPS redirect and sessions.
    "portal.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.ControlCharacterGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.replicas.ReplicaMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite is the embedded default; DATABASE_URL (postgres://user:pass@host:5432/name)
# switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # The web server and the Celery worker write concurrently in dev.
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# DATABASE_REPLICA_URLS (comma-separated URLs of streaming replicas of DATABASE_URL) adds
# the aliases replica1, replica2 …; portal.replicas routes the read-only routes below there.
_replica_aliases = []
for _n, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    _replica_aliases.append(f"replica{_n}")
    DATABASES[f"replica{_n}"] = {**dj_database_url.parse(_url, conn_max_age=60),
                                 "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["portal.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and security (P2) -------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "portal.passwords.UserAttributeSimilarityValidator"},
    {
        "NAME": "portal.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PORTAL_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "portal.passwords.CommonPasswordValidator"},
    {"NAME": "portal.passwords.NumericPasswordValidator"},
    {"NAME": "portal.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# Idle timeout: the session expires after this many minutes without a request.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("PORTAL_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env_int("PORTAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_LOCKOUT_MINUTES", 30))
# Lock the username-and-address pair after repeated failures; the whole address only at
# the much higher PORTAL_ADDRESS_FAILURE_LIMIT (one NAT serves a whole office).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "portal.lockout.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0) or None
AXES_VERBOSE = False

# Two-factor authentication is required for these roles (P2).
TWO_FACTOR_ROLES = ("center_reviewer", "authority", "data_admin")
# Demo accounts may be exempted from two-factor only where this is on (never in production).
TWO_FACTOR_EXEMPTION_ALLOWED = env_bool("PORTAL_ALLOW_DEMO_EXEMPTION", DEBUG)
OTP_TOTP_ISSUER = os.environ.get("PORTAL_TOTP_ISSUER", "公共信息资源管理平台")

AUDIT_RETENTION_DAYS = max(env_int("PORTAL_AUDIT_RETENTION_DAYS", 400), 183)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Served over HTTPS (behind the reverse proxy): on by default unless DEBUG.
_https = env_bool("PORTAL_HTTPS", not DEBUG)
if _https:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Internationalisation (P5) --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT", VAR_DIR / "media"))
# Local disk, or an S3-compatible object store shared by every node (portal.storage).
_storage_url = os.environ.get("PORTAL_STORAGE_URL", "")
STORAGES = {
    "default": storage_from_url(_storage_url),
    "staticfiles": {
        # Hashed names for long-lived caching in production (needs collectstatic).
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("PORTAL_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email (P3) -----------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # visibility_timeout: a message taken by a worker that died unacknowledged is handed
    # out again after this long. Tasks that can run longer keep a heartbeat and are
    # recovered sooner by their own sweep (data versions: dataplane.tasks).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("PORTAL_CELERY_VISIBILITY_TIMEOUT", 1800),
        "socket_connect_timeout": 2,
    }
else:
    # A broker that needs no server: messages are files under var/celery.
    _celery_dirs = {name: VAR_DIR / "celery" / name for name in ("broker", "processed", "control")}
    for _folder in _celery_dirs.values():
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dirs["broker"]),
        "data_folder_out": str(_celery_dirs["broker"]),
        "processed_folder": str(_celery_dirs["processed"]),
        "control_folder": str(_celery_dirs["control"]),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# With Redis, a second beat process waits for the first one's lock (portal.beat).
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "portal.beat.SingleBeatScheduler"
# The static beat schedule: every periodic job of the portal, in one place.
CELERY_BEAT_SCHEDULE = {
    "audit-prune": {"task": "portal.tasks.audit_prune", "schedule": crontab(hour=2, minute=10)},
    # The outboxes: emails (P3) and Celery work queued while the broker was down.
    "notifications-email-drain": {
        "task": "portal.tasks.notifications_email_drain", "schedule": 60.0,
        "options": {"expires": 55}},
    "outbox-flush": {"task": "portal.tasks.outbox_flush", "schedule": 60.0,
                     "options": {"expires": 55}},
    "calendar-coverage-check": {
        "task": "portal.tasks.calendar_coverage_check",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every app's deadlines (portal.deadlines): reminders before, escalation after.
    "deadlines-sweep": {"task": "portal.tasks.deadlines_sweep",
                        "schedule": crontab(hour=7, minute=30)},
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONObjectParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.TokenRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("PORTAL_TOKEN_RATE", "600/min"),
        "anon": os.environ.get("PORTAL_ANON_RATE", "120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公共信息资源管理平台 API",
    "DESCRIPTION": "Catalog, sharing, open data and assessment of public information resources.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the error answers the exception handler gives.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "portal.api.schema.error_responses"],
}

# Redis behind a local-memory fallback: a Redis outage degrades throttling and caching
# (logged, shown on /readyz) instead of failing requests (portal.cache).
CACHES = {
    "default": (
        {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0,
                     "RETRY_SECONDS": env_int("PORTAL_CACHE_RETRY_SECONDS", 5)}}
        if REDIS_URL and env_bool("PORTAL_CACHE_REDIS", True)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Logging and metrics --------------------------------------------------------------
# JSON lines (one object per record, with the request id) unless PORTAL_LOG_FORMAT=plain.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": os.environ.get("PORTAL_LOG_FORMAT", "json")}},
    "root": {"handlers": ["console"], "level": os.environ.get("PORTAL_LOG_LEVEL", "INFO")},
    # httpx logs every upstream request of the gateway at INFO; the access log has them.
    "loggers": {"jieba": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
# The worker logs through the same handler (JSON lines with request and task ids).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- The platform core (portal app): portal/conf.py has every default ------------------
PORTAL = {
    "REPLICA_ALIASES": _replica_aliases,
    # PORTAL_GATEWAY_KEYS is the former name of PORTAL_SECRET_KEYS.
    "SECRET_KEYS": env_list("PORTAL_SECRET_KEYS", []) or env_list("PORTAL_GATEWAY_KEYS", []),
    **env_settings(
        ADDRESS_FAILURE_LIMIT=("PORTAL_ADDRESS_FAILURE_LIMIT", int),
        METRICS_TOKEN=("PORTAL_METRICS_TOKEN", str),
        REPLICA_PIN_SECONDS=("PORTAL_REPLICA_PIN_SECONDS", int),
        BEAT_LOCK_SECONDS=("PORTAL_BEAT_LOCK_SECONDS", int),
    ),
}

# --- Open data (opendata app): opendata/conf.py has every default -------------------
OPENDATA = {
    # OPENDATA_<SCOPE>_<ANON|TOKEN>_RATE (e.g. OPENDATA_API_ANON_RATE=60/min) replaces one
    # rate; the others keep their defaults.
    "THROTTLE_RATES": {
        f"{scope}_{who}": os.environ[f"OPENDATA_{scope.upper()}_{who.upper()}_RATE"]
        for scope in ("api", "download", "page", "form") for who in ("anon", "token")
        if os.environ.get(f"OPENDATA_{scope.upper()}_{who.upper()}_RATE")
    },
    **env_settings(
        BASE_URL=("OPENDATA_BASE_URL", lambda value: value.rstrip("/")),
        APPLICATION_VALID_DAYS=("OPENDATA_APPLICATION_VALID_DAYS", int),
    ),
}
CELERY_BEAT_SCHEDULE.update({
    "opendata-data-refresh": {
        "task": "opendata.tasks.data_refresh_sweep", "schedule": crontab(minute="*/15"),
    },
    "opendata-usage-report-reminders": {
        "task": "opendata.tasks.usage_report_reminders",
        "schedule": crontab(day_of_month=1, hour=9, minute=0),
    },
    "catalog-cascade-sweep": {
        "task": "catalog.tasks.cascade_sweep", "schedule": crontab(minute=10),
    },
    "opendata-harvest-sweep": {
        "task": "opendata.harvest.tasks.harvest_due_sweep", "schedule": crontab(minute="*/15"),
    },
})

# --- Sharing (sharing app): sharing/conf.py has every default -------------------------
SHARING = env_settings(ATTACHMENT_MAX_MB=("SHARING_ATTACHMENT_MAX_MB", int))
# The interface gateway (S9 服务接口).
SHARING_GATEWAY = env_settings(
    DB_THREADS=("PORTAL_GATEWAY_DB_THREADS", int),
    GRANT_RATE_PER_MINUTE=("PORTAL_GATEWAY_GRANT_RATE", int),
    LOG_COMMIT_BEFORE_ANSWER=("PORTAL_GATEWAY_LOG_COMMIT_BEFORE_ANSWER", boolean),
)
CELERY_BEAT_SCHEDULE.update({
    "sharing-negative-list-review": {
        "task": "sharing.tasks.negative_list_review",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    "sharing-gateway-health": {
        "task": "sharing.tasks.gateway_health_sweep",
        "schedule": crontab(minute=f"*/{env_int('PORTAL_GATEWAY_HEALTH_MINUTES', 5)}"),
    },
})
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "SharingTypeEnum": "catalog.models.SharingType",
    "SharingMethodEnum": "catalog.models.SharingMethod",
    "SharingPurposeEnum": "sharing.models.Purpose",
    "ShareRequestStatusEnum": "sharing.models.ShareRequest.Status",
    "ShareRequestAnswerEnum": "sharing.models.ShareRequest.Answer",
    "DisputeOutcomeEnum": "sharing.models.Dispute.Outcome",
    "ObjectionKindEnum": "sharing.models.Objection.Kind",
    "ObjectionScopeEnum": "sharing.models.Objection.Scope",
    "ObjectionStatusEnum": "sharing.models.Objection.Status",
    "TransferStatusEnum": "sharing.models.TransferRequest.Status",
    "FilingStatusEnum": "sharing.models.Filing.Status",
})

# --- Assessment (A1–A7): assessment/conf.py has every default -----------------------
ASSESSMENT = env_settings(
    EVIDENCE_MAX_BYTES=("ASSESSMENT_EVIDENCE_MAX_MB", mebibytes),
    PDF_FONT=("ASSESSMENT_PDF_FONT", str),
)
CELERY_BEAT_SCHEDULE.update({
    "assessment-annual-reports": {
        "task": "assessment.tasks.annual_reports_sweep", "schedule": crontab(hour=8, minute=15),
    },
    "assessment-recompute": {
        "task": "assessment.tasks.plans_recompute", "schedule": crontab(hour=2, minute=30),
    },
})
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "AssessmentUnitKindEnum": "assessment.models.Unit.Kind",
    "AssessmentIndicatorKindEnum": "assessment.models.PlanIndicator.Kind",
    "AssessmentPlanStatusEnum": "assessment.models.Plan.Status",
    "AssessmentNoticeStatusEnum": "assessment.models.RectificationNotice.Status",
    "AssessmentNoticeSourceEnum": "assessment.models.RectificationNotice.Source",
    "AssessmentViolationEnum": "assessment.models.Violation",
    "AssessmentGradeEnum": "assessment.models.Grade",
    "AssessmentCategoryEnum": "assessment.models.Category",
    "AssessmentScoringRuleEnum": "assessment.models.ScoringRule",
    "AssessmentNoDataEnum": "assessment.models.NoData",
    "AssessmentRunStatusEnum": "assessment.models.ComputationRun.Status",
    "SelfAssessmentStatusEnum": "assessment.models.SelfAssessment.Status",
    "ScoreObjectionStatusEnum": "assessment.models.ScoreObjection.Status",
    "AnnualReportStatusEnum": "assessment.models.AnnualReport.Status",
    "ComplaintStatusEnum": "assessment.models.Complaint.Status",
})

# --- Data plane: data versions, query, download, masking, access log (S9, S10, S13) ----
# dataplane/conf.py has every default.
DATAPLANE = env_settings(
    UPLOAD_MAX_BYTES=("PORTAL_DATA_UPLOAD_MAX_MB", mebibytes),
    ENGINE_THREADS=("PORTAL_DUCKDB_THREADS", int),
    ENGINE_MEMORY=("PORTAL_DUCKDB_MEMORY", str),
    WORK_DIR=("PORTAL_DATA_WORK_DIR", str),
    MASKING_KEY=("PORTAL_MASKING_KEY", str),
    INGEST_STALE_SECONDS=("PORTAL_INGEST_STALE_SECONDS", int),
    ACCESSLOG_KEYS=("PORTAL_ACCESSLOG_KEYS", str),
    ACCESSLOG_CHECKPOINTS=("PORTAL_ACCESSLOG_CHECKPOINTS", str),
    ACCESSLOG_CHECKPOINT_MINUTES=("PORTAL_ACCESSLOG_CHECKPOINT_MINUTES", int),
)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["dataplane"] = os.environ.get(
    "PORTAL_DATA_TOKEN_RATE", "120/min")
CELERY_BEAT_SCHEDULE.update({
    "dataplane-monitor": {
        "task": "dataplane.tasks.monitor_sweep_task", "schedule": crontab(minute=5),
    },
    "dataplane-usage-reports": {
        "task": "dataplane.tasks.usage_reports_task",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
    "dataplane-versions-overdue": {
        "task": "dataplane.tasks.versions_overdue_task",
        "schedule": crontab(hour=8, minute=40),
    },
    # Signed checkpoints of the access log's chain, outside the database (S10).
    "dataplane-accesslog-checkpoint": {
        "task": "dataplane.tasks.accesslog_checkpoint_task",
        "schedule": 60.0 * env_int("PORTAL_ACCESSLOG_CHECKPOINT_MINUTES", 10),
        "options": {"expires": 300},
    },
    # Uploads whose worker died (or whose message was lost) are queued again.
    "dataplane-versions-recover": {
        "task": "dataplane.tasks.versions_recover_task",
        "schedule": float(env_int("PORTAL_INGEST_RECOVER_SECONDS", 60)),
        "options": {"expires": 55},
    },
})
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "DataVersionStatusEnum": "dataplane.models.DataVersion.Status",
    "DataFileFormatEnum": "dataplane.models.DataVersion.Format",
    "AnomalyStatusEnum": "dataplane.models.Anomaly.Status",
    "AnomalyKindEnum": "dataplane.models.Anomaly.Kind",
    "AccessActionEnum": "dataplane.models.AccessLogEntry.Action",
    "AccessChannelEnum": "dataplane.models.AccessLogEntry.Channel",
})

# --- Catalog (C1–C11): catalog/conf.py has every default ------------------------------
CATALOG = env_settings(
    OVERLAP_RATIO=("PORTAL_CATALOG_OVERLAP_RATIO", float),
    OVERLAP_MIN_ITEMS=("PORTAL_CATALOG_OVERLAP_MIN_ITEMS", int),
)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "ResourceStatusEnum": "catalog.models.Resource.Status",
    "ResourceFormatEnum": "catalog.models.ResourceFormat",
})
CELERY_BEAT_SCHEDULE.update({
    "catalog-census-reminders": {
        "task": "catalog.tasks.census_reminders", "schedule": crontab(hour=8, minute=25),
    },
})

# --- Open data: OpenAPI enum names ------------------------------------------------------
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "DataRequestOutcomeEnum": "opendata.models.DataRequest.Outcome",
    "DataRequestStatusEnum": "opendata.models.DataRequest.Status",
    "DatasetDataStatusEnum": "opendata.models.Dataset.DataStatus",
})
