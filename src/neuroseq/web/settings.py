"""Django settings, all from environment variables (see docs/deployment.md).

Defaults suit a laptop: SQLite under ``var/`` in the repository, a generated secret key.
Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and serves over HTTPS;
``NEUROSEQ_HTTPS`` (on unless DEBUG or demo mode) turns on the HTTPS-only protections.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from neuroseq.web.env import audit_keys, env_bool, env_int, env_list, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parents[2]
VAR_DIR = Path(os.environ.get("NEUROSEQ_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("NEUROSEQ_DEMO", False)
HTTPS = env_bool("NEUROSEQ_HTTPS", not (DEBUG or DEMO))
SECRET_KEY = secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin, read-only and audited for every model any app registers (admin_site.py).
    "neuroseq.web.admin_site.ReadOnlyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # django-ninja's own templates and static files: the API docs load no CDN asset.
    "ninja",
    "neuroseq.web.apps.ClinicConfig",
]

MIDDLEWARE = [
    "neuroseq.web.sqlite_optimize.SQLiteOptimizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "neuroseq.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "neuroseq.web.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "neuroseq.web.urls"
WSGI_APPLICATION = "neuroseq.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "neuroseq.web.context.clinic",
            ],
        },
    }
]

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'neuroseq.sqlite3'}"
DATABASES = {
    "default": dj_database_url.config(
        default=_SQLITE_DEFAULT, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue (up to ``timeout`` seconds) instead of deadlocking.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA analysis_limit=400;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False

AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): five wrong passwords for one email *from one address* pause that
# pair for 15 minutes. The address alone is never locked (a clinic behind one NAT would be
# locked out together); it is only slowed by a token bucket (services/throttle.py): a burst
# of failures, then one attempt per interval. Browsers that signed in before skip the bucket.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Retrying during a pause does not restart it, so the page can say how long it lasts.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "neuroseq.web.views.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "neuroseq.web.addresses.client_ip"
AXES_LOCKOUT_CALLABLE = "neuroseq.web.views.auth.locked_out"
AXES_VERBOSE = False
NEUROSEQ_LOGIN_ADDRESS_BURST = env_int("NEUROSEQ_LOGIN_ADDRESS_BURST", 20)
NEUROSEQ_LOGIN_ADDRESS_INTERVAL = env_int("NEUROSEQ_LOGIN_ADDRESS_INTERVAL", 6)
NEUROSEQ_KNOWN_DEVICE_DAYS = env_int("NEUROSEQ_KNOWN_DEVICE_DAYS", 90)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks); see addresses.py.
NEUROSEQ_TRUSTED_PROXIES = env_list("NEUROSEQ_TRUSTED_PROXIES", [])

OTP_TOTP_ISSUER = "neuroseq"

# Activation and password-reset links (services/accounts.py): one-time, expiring, emailed.
NEUROSEQ_ACTIVATION_DAYS = env_int("NEUROSEQ_ACTIVATION_DAYS", 7)
NEUROSEQ_PASSWORD_RESET_HOURS = env_int("NEUROSEQ_PASSWORD_RESET_HOURS", 2)
# The site's address, for links in emails sent by management commands (no request to ask).
NEUROSEQ_SITE_URL = os.environ.get("NEUROSEQ_SITE_URL", "http://127.0.0.1:8000")
# Email: printed to the console in the demo and in DEBUG; SMTP otherwise (docs/deployment.md).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEMO or DEBUG)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "neuroseq <no-reply@localhost>")

# Idle expiry: the session lasts SESSION_IDLE_MINUTES after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# Load balancers check /health/ over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("NEUROSEQ_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Hashed file names need ``collectstatic``; a laptop, the demo and the tests use finders.
_MANIFEST = env_bool("NEUROSEQ_STATIC_MANIFEST", not (DEBUG or DEMO))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _MANIFEST

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NEUROSEQ_PAGE_SIZE = 25

# Interchange (docs/interop.md, docs/api.md). The research key makes the de-identified
# research ids: keep it secret and stable (changing it changes every research id). By
# default it is derived from SECRET_KEY; set NEUROSEQ_RESEARCH_KEY to keep them apart.
NEUROSEQ_RESEARCH_KEY = os.environ.get("NEUROSEQ_RESEARCH_KEY", "") or f"research:{SECRET_KEY}"
NEUROSEQ_RESEARCH_MIN_CELL = env_int("NEUROSEQ_RESEARCH_MIN_CELL", 5)
NEUROSEQ_API_TOKEN_MAX_DAYS = env_int("NEUROSEQ_API_TOKEN_MAX_DAYS", 365)
# Largest assessment JSON accepted on the import page (a full one is a few KB).
NEUROSEQ_MAX_JSON_BYTES = env_int("NEUROSEQ_MAX_JSON_BYTES", 100 * 1024)

# The audit chain's HMAC keys live outside the database (docs/security.md): new events use
# NEUROSEQ_AUDIT_KEY_ID, older keys stay for verifying older events.
NEUROSEQ_AUDIT_KEYS, NEUROSEQ_AUDIT_KEY_ID, NEUROSEQ_AUDIT_KEY_SOURCE = audit_keys(VAR_DIR)
# At most this many events are verified per request; the next check continues from there.
NEUROSEQ_AUDIT_VERIFY_LIMIT = env_int("NEUROSEQ_AUDIT_VERIFY_LIMIT", 100_000)

# Background jobs (docs/deployment.md, "Background jobs"). With REDIS_URL set, jobs go to
# Celery workers through Redis (broker and result store); without it (the laptop, the
# demo) they run in this process, in a small thread pool started after the request commits.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or None
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # a job whose worker died is delivered again (see runner)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("JOB_VISIBILITY_SECONDS", 3600),
    # A request that queues a job must not hang when Redis is down: one quick retry, then
    # the job is marked failed ("the job queue could not be reached").
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
NEUROSEQ_JOB_DIR = Path(os.environ.get("NEUROSEQ_JOB_DIR", VAR_DIR / "jobs"))
NEUROSEQ_JOB_THREADS = env_int("NEUROSEQ_JOB_THREADS", 2)
