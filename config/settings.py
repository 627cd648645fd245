"""Portcullis settings: one module, every knob read from the environment (see README)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from identity.oauth.lifetimes import access_token_lifetime

from config.env import BASE_DIR, env_bool, env_int, env_list, env_str, load_local_env_file

load_local_env_file()

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it in the environment "
        "(for development, `make run` writes one to var/local.env)."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and ReDoc served from our own static files: the API docs work offline.
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "guardian",
    "formtools",
    "identity",
    "secrets_vault",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "identity.middleware.RequestContextMiddleware",
    "identity.request_log.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "identity.context_processors.portal",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (or any dj-database-url URL) from DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL: psycopg prepares a statement itself once it has run `prepare_threshold` times on a
# connection (planning the hot-path joins costs more than running them); only server-side binding
# cursors are ever prepared. 5, psycopg's default: on a persistent connection the lookups of every
# grant and API call reach it within seconds, while one-off queries (portal pages, commands) stay
# unprepared and out of psycopg's 100-statement cache. PgBouncer before 1.21 in transaction mode
# may run the next transaction on another server connection, which lacks the statement:
# PORTCULLIS_DB_PREPARED_STATEMENTS=false turns preparing off there. Server-side binding stays on:
# its unnamed statements travel as Parse, Bind, Execute and Sync together, which transaction
# pooling carries (tests/test_pgbouncer.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that costs no round trip (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "server_side_binding": True,
        "prepare_threshold": 5 if env_bool("PORTCULLIS_DB_PREPARED_STATEMENTS", default=True) else None,
    })
    # `.iterator()` without a server-side cursor: outside a transaction that cursor outlives it on
    # one server connection, where a transaction pooler may not run the next FETCH (Django's advice
    # for PgBouncer). What the clean-up jobs iterate over is small enough to read at once.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (portal, worker, scheduler) share the file: wait for locks, do not fail.
    # BEGIN IMMEDIATE takes the write lock when a transaction starts, so writers queue in SQLite's
    # busy handler rather than failing when a read-then-write transaction cannot upgrade its lock.
    # Write-ahead logging: readers never wait for a writer, and a commit syncs one file once instead
    # of a journal and the database (synchronous stays FULL, so a committed revocation survives a machine
    # crash; only a token grant's own transactions relax it, see identity/oauth/durability.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL"}
    )
    # A file, not memory, so that a Celery worker started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": env_str("PORTCULLIS_TEST_DB") or str(BASE_DIR / "var" / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker: Redis from REDIS_URL, else the database cache and a filesystem broker.
REDIS_URL = env_str("REDIS_URL")
# The embedded default cache. `migrate` creates its table whatever CACHES says at the time, so that
# dropping REDIS_URL later needs no extra step (identity/migrations/0003_database_cache_table.py).
PORTCULLIS_DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portcullis_cache"}
BROKER_DIR = Path(env_str("PORTCULLIS_BROKER_DIR") or BASE_DIR / "var" / "broker")
if REDIS_URL:
    # Django's Redis cache, keeping its redis-py client instead of building one per call: the
    # throttle reads the cache on every authentication (identity/redis_cache.py).
    CACHES = {"default": {"BACKEND": "identity.redis_cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    # The database cache is shared by every process, which rate limits and JWT replay checks need.
    CACHES = {"default": PORTCULLIS_DATABASE_CACHE}
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
    # kombu's filesystem transport does not create its folders (control only, without parents).
    for _folder in ("queue", "control", "processed"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "purge-deleted-secrets": {"task": "secrets_vault.tasks.purge_deleted_secrets", "schedule": crontab(minute=17, hour=3)},
    "expire-secrets": {"task": "secrets_vault.tasks.expire_secrets", "schedule": crontab(minute=7, hour=6)},
    # Expiry already counts on every request; these keep status, lists and tables tidy.
    "expire-service-credentials": {"task": "identity.tasks.expire_service_credentials", "schedule": crontab(minute="*/5")},
    "clear-expired-oauth-tokens": {"task": "identity.tasks.clear_expired_oauth_tokens", "schedule": crontab(minute=23)},
}

# --- Authentication and passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Only for client keys (256-bit random), never chosen for a person's password: it is not first.
    "identity.oauth.hashers.ClientSecretHasher",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row; anonymous callers get nothing.
GUARDIAN_MONKEY_PATCH_USER = False

# --- Security: `manage.py check --deploy` is clean when DJANGO_DEBUG is off.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("PORTCULLIS_SESSION_AGE_SECONDS", 8 * 3600)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes and the Prometheus scraper call the process directly, over plain HTTP on an internal port.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# How many proxies append to X-Forwarded-For in front of us: the client's address is the entry
# the outermost one wrote (identity.client_address). 0: REMOTE_ADDR is the client.
PORTCULLIS_TRUSTED_PROXY_HOPS = env_int("PORTCULLIS_TRUSTED_PROXY_HOPS", 1 if BEHIND_PROXY else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PORTCULLIS_MAX_REQUEST_BYTES", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "portcullis@localhost")

# --- REST API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "identity.api.authentication.ServiceTokenAuthentication",
        "identity.api.authentication.BearerTokenAuthentication",
        "identity.api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "identity.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["identity.api.parsers.LimitedJSONParser"],
    "EXCEPTION_HANDLER": "identity.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Portcullis API",
    "DESCRIPTION": "Machine identities and secrets: service credentials, service tokens and the secrets vault.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: Swagger UI would fetch it from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# --- OAuth2 (django-oauth-toolkit).
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "identity.oauth.validator.PortcullisOAuth2Validator",
    "OAUTH2_BACKEND_CLASS": "identity.oauth.backend.RepeatedParametersOAuthLibCore",
    # oauthlib's server with RFC 8693 token exchange among its grant types (federated credentials).
    "OAUTH2_SERVER_CLASS": "identity.oauth.token_exchange.PortcullisServer",
    "CLIENT_SECRET_HASHER": "portcullis_hmac_sha256",
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # RFC 9700 throughout (`check --deploy` warns otherwise). Only client credentials are served,
    # so refusing the implicit and password grants, plain PKCE, query-string tokens and http
    # redirect URIs, and adding `iss` to authorization responses, takes nothing away.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES_BACKEND_CLASS": "identity.oauth.scopes.PermissionScopes",
    "EXTRA_SERVER_KWARGS": {"token_expires_in": access_token_lifetime},
}
# django-oauth-toolkit's models are swappable; naming the defaults lets our migrations point at them.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
# The issuer URL announced in metadata and accepted as a private_key_jwt audience; by default the
# scheme and host each request came to.
PORTCULLIS_ISSUER = env_str("PORTCULLIS_ISSUER")
# Token issuers of federated trusts (and jwks_uri prefixes) that may be fetched over plain HTTP
# and from private addresses: an in-cluster Kubernetes issuer, a test server. Everything else is
# HTTPS to public addresses only (identity/oauth/remote_keys.py).
PORTCULLIS_FEDERATION_INSECURE_ISSUERS = env_list("PORTCULLIS_FEDERATION_INSECURE_ISSUERS")

# --- Portcullis' own knobs.
PORTCULLIS_ENCRYPTION_KEYS = env_list("PORTCULLIS_ENCRYPTION_KEYS")
PORTCULLIS_SECRET_RETENTION_DAYS = env_int("PORTCULLIS_SECRET_RETENTION_DAYS", 30)
PORTCULLIS_EXPIRY_WARNING_DAYS = env_int("PORTCULLIS_EXPIRY_WARNING_DAYS", 14)
PORTCULLIS_BOOTSTRAP_TOKEN = env_str("PORTCULLIS_BOOTSTRAP_TOKEN")
PORTCULLIS_BOOTSTRAP_ORG = env_str("PORTCULLIS_BOOTSTRAP_ORG")
PORTCULLIS_BOOTSTRAP_ROLES = env_list("PORTCULLIS_BOOTSTRAP_ROLES", default=["sys_admin"])
PORTCULLIS_BOOTSTRAP_TTL = env_str("PORTCULLIS_BOOTSTRAP_TTL")
PORTCULLIS_TOKEN_LAST_USED_INTERVAL = timedelta(seconds=60)
# How long a process trusts the failure count it last saw for an API caller (identity/oauth/throttle.py).
PORTCULLIS_API_THROTTLE_MEMO_SECONDS = env_int("PORTCULLIS_API_THROTTLE_MEMO_SECONDS", 1)
# Token grants commit without waiting for the disk unless this is on (identity/oauth/durability.py).
PORTCULLIS_DURABLE_GRANTS = env_bool("PORTCULLIS_DURABLE_GRANTS", default=False)
# `GET /metrics` asks for `Authorization: Bearer <this>` when set; unset, it is open.
PORTCULLIS_METRICS_TOKEN = env_str("PORTCULLIS_METRICS_TOKEN")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One JSON object a line; request lines come from `portcullis.request` (identity.request_log).
    "formatters": {"json": {"()": "config.json_logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("PORTCULLIS_LOG_LEVEL", "INFO")},
    # oauthlib logs issued tokens at DEBUG: never let a debug setting write them out.
    "loggers": {"oauthlib": {"level": "INFO"}},
}
