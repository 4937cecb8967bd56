"""Settings shared by every environment. Deployment-specific values come from the environment."""

import datetime
import importlib.util
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "lms_site.organisation",
    "lms_site.home",
    "lms_site.notifications",
    "lms_site.identity",
    "courses.competencies",
    "courses",
    "courses.scorm",
    "assessments",
    "assessments.certification",
    "analytics",
    "training",
    "api",
    "lti",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_celery_beat",
    "axes",
    # Sign-in with the municipality's own OpenID Connect or SAML 2.0 provider (lms_site.identity, ADR 0020):
    # allauth's social accounts, keyed on the provider's subject; its local-account pages are not used.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms_site.security.ContentSecurityPolicyMiddleware",
    "lti.middleware.LtiFrameMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms_site.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms_site.organisation.tenancy.TenantScopeMiddleware",
    "lms_site.request_memo.RequestMemoMiddleware",
    "lms_site.identity.mfa.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "lms_site.security.DatabaseUnavailableMiddleware",
    "lms_site.security.IdleTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "lms_site.urls"
WSGI_APPLICATION = "lms_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lms_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "lms_site.notifications.context_processors.unread",
                "lms_site.security.csp",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under var/ so that a newcomer needs nothing installed.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several threads: a writer waits for another's commit (20 s) instead of
    # failing with "database is locked" after SQLite's 5 s when the machine is busy.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = env_int("DJANGO_SQLITE_BUSY_TIMEOUT", 20)
    # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE): a transaction that read
    # first and then writes while another thread writes would otherwise fail at once with "database is
    # locked" (SQLite cannot wait there without a deadlock), which a busy live server hit.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, otherwise an in-process cache.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # A Redis outage makes the cache miss instead of failing requests (lms_site.cache).
    CACHES = {"default": {"BACKEND": "lms_site.cache.OutageTolerantRedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from the shared cache and written through to the database. Only with a shared
    # cache: with per-process caches, a session deleted at logout could live on in another process.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # Each user's permission set is cached this long, and invalidated at once by any change of roles or
    # permissions (lms_site.organisation.auth_backends); 0 with a per-process cache.
    PERMISSION_CACHE_SECONDS = env_int("DJANGO_PERMISSION_CACHE_SECONDS", 300)
    # A lesson's breadcrumb and pager, until any page changes (courses.navigation).
    CURRICULUM_CACHE_SECONDS = env_int("DJANGO_CURRICULUM_CACHE_SECONDS", 3600)
    # The suppressed months of a municipality's snapshots, until a snapshot of it is taken again
    # (analytics.stack_cache).
    ANALYTICS_CACHE_SECONDS = env_int("DJANGO_ANALYTICS_CACHE_SECONDS", 24 * 3600)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    PERMISSION_CACHE_SECONDS = 0
    CURRICULUM_CACHE_SECONDS = 0
    ANALYTICS_CACHE_SECONDS = 0
# Each site's look (logo, colours) for its pages, until a look, site or image changes (lms_site.home.look).
# Without a shared cache, each process's own keeps it this long at most (another process's save is not
# seen before): pages still cost no query for it.
SITE_LOOK_CACHE_SECONDS = env_int("DJANGO_SITE_LOOK_CACHE_SECONDS", 24 * 3600 if REDIS_URL else 60)
# Rendered fragments of published pages, in each process's memory: their keys carry the page's published
# version, so a process can never serve an outdated one, and reading them costs no round trip to Redis.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "page-fragments",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in limits (django-axes; lms_site.security, ADR 0013): failures per account from any address, and
# (much looser) per client address for any account, within the window (s); then 429 until it has passed.
LOGIN_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 100)
LOGIN_FAILURE_WINDOW = env_int("DJANGO_LOGIN_FAILURE_WINDOW", 15 * 60)
# Behind reverse proxies: how many of them append to X-Forwarded-For; the client's address is that many
# entries from the right. 0 (no proxy): REMOTE_ADDR. Nothing left of those entries is ever trusted.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if env_str("DJANGO_CLIENT_IP_HEADER"):
    raise ImproperlyConfigured(
        "DJANGO_CLIENT_IP_HEADER is no longer read (its leftmost value could be written by the client): "
        "set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies in front of the site instead."
    )
AXES_HANDLER = "lms_site.security.SignInLimitHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(seconds=LOGIN_FAILURE_WINDOW)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock ends a full window after it began
AXES_CLIENT_IP_CALLABLE = "lms_site.security.client_address"
AXES_USERNAME_CALLABLE = "lms_site.security.sign_in_username"
AXES_LOCKOUT_CALLABLE = "lms_site.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept (failures are, for the window)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lms_site.organisation.auth_backends.CachedModelBackend",
]
# Roles holding view_personal_data (人事課, 所属長, administrators) are signed out after this many idle
# seconds (lms_site.security.IdleTimeoutMiddleware); other sessions last SESSION_COOKIE_AGE. 0: off.
PERSONAL_DATA_IDLE_TIMEOUT = env_int("DJANGO_PERSONAL_DATA_IDLE_TIMEOUT", 30 * 60)
LOGIN_URL = "login"
# allauth (lms_site.identity): only its social sign-in is used. Nobody signs up: a provider's account is
# linked to the HR record it names, or refused. No e-mail verification mail (the provider vouches), no
# provider tokens kept, and the sign-in button posts (a GET only shows allauth's confirmation page).
SOCIALACCOUNT_ADAPTER = "lms_site.identity.adapter.MunicipalSocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"provider_class": "lms_site.identity.oidc.MunicipalOpenIDConnectProvider"},
    "saml": {"provider_class": "lms_site.identity.saml.MunicipalSAMLProvider"},
}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "lms_site.identity.adapter.NoSignupAccountAdapter"
# A second factor (TOTP) for local accounts holding personal-data, authoring or admin rights before those
# rights take effect (lms_site.identity.mfa). Off here, so that the embedded demo's logins keep working;
# production turns it on unless DJANGO_MFA_REQUIRED=false.
MFA_REQUIRED = env_bool("DJANGO_MFA_REQUIRED", False)
MFA_ADAPTER = "lms_site.identity.mfa.SealedMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_TOLERANCE = 1  # the code of the 30 s before or after is accepted too (clocks of phones drift)
# The HTTP client's timeout (s) for the provider's discovery, token, key and userinfo endpoints.
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("DJANGO_IDENTITY_PROVIDER_TIMEOUT", 10)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Japanese first, English second. Source strings are Japanese (see docs/decisions/0003).
LANGUAGE_CODE = "ja"
# Each language is named in itself, as language pickers should.
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static"))
# plotly.js ships inside the plotly package; serve that copy (no CDN: city hall networks often block them).
STATICFILES_DIRS = [
    BASE_DIR / "lms_site" / "static",
    ("plotly", Path(importlib.util.find_spec("plotly").submodule_search_locations[0]) / "package_data"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media"))
# Uploaded evidence (qualification certificates): outside MEDIA_ROOT, never served directly.
PRIVATE_MEDIA_ROOT = env_str("DJANGO_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private"))
# The key-encryption key that seals the certificate signing keys at rest (assessments/certification/kek.py).
# Unset here: development and tests derive one from SECRET_KEY; production requires it.
CREDENTIAL_KEK = env_str("DJANGO_CREDENTIAL_KEK", "")
CREDENTIAL_KEK_REQUIRED = False
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Wagtail's preview views allow same-origin framing themselves; nothing else of ours may be framed.
X_FRAME_OPTIONS = "DENY"

WAGTAIL_SITE_NAME = "自治体DX推進リーダー育成プラットフォーム"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt"]
# Uploads start on the uploader's municipality's collection (ADR 0024, "Images and documents").
WAGTAILIMAGES_IMAGE_FORM_BASE = "lms_site.organisation.media_forms.OwnCollectionImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "lms_site.organisation.media_forms.OwnCollectionDocumentForm"
# No avatars from gravatar.com: no page loads anything from another host (closed networks, LGWAN; ADR 0014).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False  # the admin home page would ask releases.wagtail.org from the browser

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_str("DJANGO_EMAIL_USE_TLS", "false").lower() == "true"
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "dx-platform@localhost")

# LTI 1.3 tool (lti/, ADR 0023): a retired signing key stays in the published JWKS this many days; a score
# the platform did not take is tried again with doubling waits, at most this many times.
LTI_KEY_GRACE_DAYS = env_int("DJANGO_LTI_KEY_GRACE_DAYS", 7)
LTI_SCORE_MAX_TRIES = env_int("DJANGO_LTI_SCORE_MAX_TRIES", 10)

# Celery: a real broker when CELERY_BROKER_URL is set; otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or CELERY_BROKER_URL)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "dx-platform")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker or result store that is down must not hold a web request for long (Celery's defaults retry for
# about 20 s): lms_site.tasks.enqueue gives up within a second or two, logs, and the caller reports it.
# A task whose worker died unacknowledged is delivered again after the visibility timeout (Redis).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "visibility_timeout": env_int("DJANGO_CELERY_VISIBILITY_TIMEOUT", 3600),
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
}
# Nightly jobs (django-celery-beat copies these into its database schedule when beat starts).
CELERY_BEAT_SCHEDULE = {
    "certification-issue-due-nightly": {
        "task": "certification.issue_due_certificates",
        "schedule": crontab(hour=1, minute=30),
    },
    # Reminders and digests each morning (Asia/Tokyo); the job itself skips weekends and public holidays.
    "notifications-send-morning": {
        "task": "notifications.send",
        "schedule": crontab(hour=7, minute=30),
    },
    "training-evaluate-nightly": {
        "task": "training.evaluate_nightly",
        "schedule": crontab(hour=0, minute=30),
    },
    "analytics-snapshot-nightly": {
        "task": "analytics.snapshot_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    # Learning records to each municipality's xAPI LRS (api.xapi): what came since the last run.
    "api-send-to-lrs": {
        "task": "api.send_to_lrs",
        "schedule": crontab(minute="*/15"),
    },
    # Scores owed to municipalities' LMSs (lti.outbox): those whose next try is due, every minute.
    "lti-send-scores": {
        "task": "lti.send_scores",
        "schedule": crontab(minute="*"),
    },
}

# Staff imports larger than this many rows run as a Celery task with progress shown.
STAFF_IMPORT_ASYNC_ROWS = env_int("DJANGO_STAFF_IMPORT_ASYNC_ROWS", 1000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Wagtail's background tasks (django-tasks) log every run at INFO.
    "loggers": {"django_tasks": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}},
}


# The REST API (/api/, ADR 0017): machines with OAuth 2.0 client credentials, people with their session.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.access.ScopedAccess"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "api.views.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "自治体DX推進リーダー育成プラットフォーム API",
    "DESCRIPTION": "Read a municipality's organisation, staff, competency framework and course completions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["api.schema.only_our_api"],
    # Machines are what the document is for; people use the API with their session, undocumented.
    "AUTHENTICATION_WHITELIST": ["oauth2_provider.contrib.rest_framework.OAuth2Authentication"],
}
OAUTH2_PROVIDER = {
    "SCOPES": {"read": "Read the municipality's data", "write": "Write (training assignments)"},
    "DEFAULT_SCOPES": ["read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    # RFC 9700 (OAuth 2.0 Security BCP) throughout: we only use client credentials, but nothing weaker is
    # left enabled, tokens are stored hashed, and redirect URIs (unused) must be https.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# django-oauth-toolkit's models are swappable; ours are its own (the migration dependencies need the names).
# Model labels, not secrets (ruff's S105 reads "TOKEN" in the name).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_DEVICE_GRANT_MODEL = "oauth2_provider.DeviceGrant"
