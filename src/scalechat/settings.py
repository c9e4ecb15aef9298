"""Settings from the environment and a `.env` file, under the names Azure users already have.

Each group is its own `BaseSettings` with the prefix its users know
(`AZURE_OPENAI_*`, `OPENAI_*`, ...); `Settings` holds the groups. `load_settings()`
turns a validation failure into one line that names the variable and the problem.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _config(prefix: str = "") -> SettingsConfigDict:
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )


class AzureOpenAISettings(BaseSettings):
    model_config = _config("AZURE_OPENAI_")

    endpoint: str | None = Field(default=None, description="https://<resource>.openai.azure.com")
    api_key: SecretStr | None = Field(default=None, description="Absent: Entra ID (managed identity, az login)")
    api_version: str = "2024-10-21"
    deployment: str | None = None
    model_name: str | None = Field(
        default=None, description="The model behind the deployment (gpt-4o, ...), for the tokenizer"
    )


class OpenAISettings(BaseSettings):
    """Any OpenAI-compatible server, under the openai SDK's own variable names."""

    model_config = _config("OPENAI_")

    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str | None = None


class SimulatorSettings(BaseSettings):
    """The built-in simulated model: what it does unless a request says otherwise."""

    model_config = _config("SIMULATOR_")

    url: str | None = Field(default=None, description="Use this running simulator instead of starting one")
    first_token_ms: float = Field(default=300.0, ge=0)
    chunk_interval_ms: float = Field(default=25.0, ge=0)
    chunks: int | None = Field(default=None, ge=1, le=100_000, description="Reply length in chunks")


class AzureIdentitySettings(BaseSettings):
    """Azure SDK names. Under AUTH_MODE=entra, AZURE_CLIENT_ID is the sign-in app registration;
    otherwise it names a user-assigned managed identity, as the Azure SDK reads it."""

    model_config = _config("AZURE_")

    client_id: str | None = Field(default=None, description="Sign-in app (entra) or user-assigned managed identity")
    tenant_id: str | None = Field(default=None, description="The Entra tenant users sign in to")
    client_secret: SecretStr | None = Field(default=None, description="The sign-in app's secret")
    client_certificate_path: Path | None = Field(
        default=None, description="PEM with the sign-in app's certificate and private key, instead of a secret"
    )
    managed_identity_client_id: str | None = Field(
        default=None,
        description="User-assigned managed identity for Azure resources (and the sign-in app's federated credential)",
    )
    use_managed_identity_for_sign_in: bool = Field(
        default=False, description="Sign-in app authenticates with a federated credential from the managed identity"
    )


class AuthSettings(BaseSettings):
    """Who may use the app and how they prove it (see docs/auth.md)."""

    model_config = _config("AUTH_")

    mode: Literal["local", "entra", "easyauth"] = Field(default="local", description="AUTH_MODE")
    user_role: str = Field(default="Chat.User", description="App role that lets a user chat; empty: any user")
    admin_role: str = Field(default="Chat.Admin", description="App role of administrators")
    allowed_tenants: str = Field(
        default="", description="Comma-separated tenant ids; empty: AZURE_TENANT_ID only; * any tenant"
    )
    allowed_groups: str = Field(default="", description="Comma-separated group object ids; empty: no group check")
    session_idle_minutes: float = Field(default=480, gt=0, le=60 * 24 * 30)
    session_max_hours: float = Field(default=24, gt=0, le=24 * 90)

    @property
    def session_max_seconds(self) -> int:
        """The absolute session limit, as a cookie's Max-Age."""
        return int(self.session_max_hours * 3600)

    oidc_issuer: str | None = Field(
        default=None, validation_alias="OIDC_ISSUER", description="Absent: Entra ID's issuer for AZURE_TENANT_ID"
    )
    api_audience: str | None = Field(
        default=None, validation_alias="API_AUDIENCE", description="Bearer tokens' audience; absent: api://<client id>"
    )
    graph_url: str = Field(default="https://graph.microsoft.com/v1.0", validation_alias="GRAPH_URL")
    scopes: str = Field(default="openid profile email offline_access User.Read", description="Asked at sign-in")
    jwks_min_refresh_seconds: float = Field(default=300, ge=0, le=86_400, validation_alias="JWKS_MIN_REFRESH_SECONDS")

    @staticmethod
    def _split(value: str) -> frozenset[str]:
        return frozenset(part.strip().lower() for part in value.split(",") if part.strip())

    @property
    def allowed_group_ids(self) -> frozenset[str]:
        return self._split(self.allowed_groups)


class DatabaseSettings(BaseSettings):
    """The SQL database's pool and how it is signed in to (the URL itself is DATABASE_URL)."""

    model_config = _config("DATABASE_")

    pool_size: int = Field(default=10, ge=1, le=1000, description="Connections kept open per process (PostgreSQL)")
    max_overflow: int = Field(default=10, ge=0, le=1000, description="Extra connections allowed under load")
    auth: Literal["password", "entra"] = Field(
        default="password",
        description="entra: sign in to Azure Database for PostgreSQL with a token from the managed identity",
    )
    ca_path: Path | None = Field(
        default=None, description="CA certificates (PEM) to verify the server with; absent: the system's"
    )


class CosmosSettings(BaseSettings):
    """Azure Cosmos DB (NoSQL API), under the names the Azure samples use."""

    model_config = _config("AZURE_COSMOSDB_")

    endpoint: str | None = Field(default=None, description="https://<account>.documents.azure.com:443/")
    key: SecretStr | None = Field(default=None, description="Absent: Entra ID (managed identity, az login)")
    database: str = Field(default="scalechat", min_length=1, max_length=255)
    create_containers: bool = Field(
        default=True,
        description="Create the database and containers when missing (needs a key or a control-plane role); "
        "false: only check them and report what is missing",
    )
    max_retry_wait_seconds: float = Field(
        default=10, ge=0, le=300, description="How long one request may wait out 429s before it gives up"
    )
    ca_certificate_path: Path | None = Field(
        default=None, description="Trust this CA for the endpoint (a local emulator's own certificate)"
    )


class PromptLogSettings(BaseSettings):
    """The prompt log for analytics (the original app's `chat_log`): where to, what, for how long."""

    model_config = _config("PROMPTLOG_")

    sink: Literal["auto", "cosmos", "sql", "jsonl", "off"] = Field(
        default="auto", description="auto: cosmos when AZURE_COSMOSDB_ENDPOINT is set, else the SQL database"
    )
    path: Path | None = Field(default=None, description="Folder of the jsonl files; absent: <data dir>/promptlog")
    content: Literal["full", "redacted", "metadata"] = Field(
        default="redacted",
        description="full: prompts and answers as written; redacted: with e-mail addresses, phone and card "
        "numbers and PROMPTLOG_REDACT_PATTERNS masked; metadata: no text at all",
    )
    redact_patterns: str = Field(
        default="", description="More regular expressions to mask, separated by newlines or ';;'"
    )
    retention_days: int = Field(default=90, ge=0, le=36_500, description="0: keep forever")
    queue_size: int = Field(default=10_000, ge=1, le=10_000_000, description="Records held in memory for the writer")
    batch_size: int = Field(default=100, ge=1, le=10_000)
    outbox_path: Path | None = Field(
        default=None, description="Where records wait while the sink is down; absent: <data dir>/promptlog-outbox"
    )

    @field_validator("redact_patterns")
    @classmethod
    def _patterns_compile(cls, value: str) -> str:
        # Checked at start, not at the first record: a typo must stop start-up, not leak text.
        for source in re.split(r"\n|;;", value):
            if source.strip():
                try:
                    re.compile(source.strip())
                except re.error as error:
                    raise ValueError(f"{source.strip()!r} is not a valid regular expression ({error})") from None
        return value


class ModelSettings(BaseSettings):
    model_config = _config("MODEL_")

    provider: Literal["auto", "azure", "openai", "simulator"] = "auto"
    context_window: int | None = Field(default=None, ge=256, le=10_000_000)
    retry_budget_seconds: float = Field(default=5.0, ge=0, le=300)
    connect_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    read_timeout_seconds: float = Field(default=120.0, gt=0, le=3600)


class Settings(BaseSettings):
    model_config = _config()

    host: str = Field(default="127.0.0.1", validation_alias="SCALECHAT_HOST")
    port: int = Field(default=8000, ge=1, le=65535, validation_alias="SCALECHAT_PORT")
    data_dir: Path = Field(default=Path("data"), validation_alias="SCALECHAT_DATA_DIR")
    web_dir: Path | None = Field(
        default=None, validation_alias="SCALECHAT_WEB_DIR", description="Absent: the web app built into the package"
    )
    database_url: str | None = Field(default=None, description="Absent: SQLite in the data folder")
    store_backend: Literal["auto", "sql", "cosmos"] = Field(
        default="auto",
        validation_alias="STORE_BACKEND",
        description="Where conversations live; auto: Cosmos DB when AZURE_COSMOSDB_ENDPOINT is set and "
        "DATABASE_URL is not, else the SQL database",
    )
    public_url: str | None = Field(
        default=None,
        validation_alias="SCALECHAT_PUBLIC_URL",
        description="https://chat.contoso.com: the address users reach; absent: taken from each request",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        validation_alias="FORWARDED_ALLOW_IPS",
        description="Proxies whose X-Forwarded-* headers are trusted: addresses or CIDRs, comma-separated; * for all",
    )
    local_user_id: str = "local-user"
    local_user_name: str = "Local user"

    default_system_prompt: str = "You are a helpful assistant."
    max_content_chars: int = Field(default=100_000, ge=1, le=10_000_000)
    max_title_chars: int = Field(default=200, ge=1, le=10_000)
    max_system_prompt_chars: int = Field(default=20_000, ge=0, le=1_000_000)

    shutdown_grace_seconds: float = Field(default=10.0, ge=0, le=600)
    checkpoint_interval_seconds: float = Field(default=1.0, gt=0, le=60)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_message_text: bool = Field(default=False, description="Put users' text in logs (off: never)")

    azure_openai: AzureOpenAISettings = Field(default_factory=AzureOpenAISettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    simulator: SimulatorSettings = Field(default_factory=SimulatorSettings)
    azure: AzureIdentitySettings = Field(default_factory=AzureIdentitySettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    cosmos: CosmosSettings = Field(default_factory=CosmosSettings)
    promptlog: PromptLogSettings = Field(default_factory=PromptLogSettings)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is None or value.startswith("sqlite+aiosqlite://"):
            return value
        return asyncpg_url(value)

    @model_validator(mode="after")
    def _provider_is_complete(self) -> Settings:
        if self.model.provider == "azure" and not (self.azure_openai.endpoint and self.azure_openai.deployment):
            raise ValueError("MODEL_PROVIDER=azure needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT")
        if self.azure_openai.endpoint and not self.azure_openai.deployment:
            raise ValueError("AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT is not")
        if self.model.provider == "openai" and not self.openai.base_url:
            raise ValueError("MODEL_PROVIDER=openai needs OPENAI_BASE_URL")
        if self.auth.mode == "entra":
            azure = self.azure
            if not azure.client_id or not (azure.tenant_id or self.auth.oidc_issuer):
                raise ValueError("AUTH_MODE=entra needs AZURE_CLIENT_ID and AZURE_TENANT_ID (or OIDC_ISSUER)")
            credentials = [
                azure.client_secret is not None,
                azure.client_certificate_path is not None,
                azure.use_managed_identity_for_sign_in,
            ]
            if sum(credentials) != 1:
                raise ValueError(
                    "AUTH_MODE=entra needs exactly one of AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH "
                    "or AZURE_USE_MANAGED_IDENTITY_FOR_SIGN_IN=true"
                )
        if self.auth.mode == "entra" and not self.allowed_tenant_ids:
            raise ValueError(
                "AUTH_MODE=entra needs AZURE_TENANT_ID or AUTH_ALLOWED_TENANTS (use * to let any tenant in)"
            )
        if self.store_backend == "cosmos" and not self.cosmos.endpoint:
            raise ValueError("STORE_BACKEND=cosmos needs AZURE_COSMOSDB_ENDPOINT")
        if self.promptlog.sink == "cosmos" and not self.cosmos.endpoint:
            raise ValueError("PROMPTLOG_SINK=cosmos needs AZURE_COSMOSDB_ENDPOINT")
        if self.database.auth == "entra" and not self.effective_database_url.startswith("postgresql"):
            raise ValueError("DATABASE_AUTH=entra needs a postgresql+asyncpg:// DATABASE_URL")
        if self.database.auth == "entra" and tls_mode(self.effective_database_url) in ("disable", "allow", "prefer"):
            raise ValueError(
                "DATABASE_AUTH=entra sends a token as the password: DATABASE_URL's sslmode must be "
                "require, verify-ca or verify-full"
            )
        if self.public_url is not None and not self.public_url.startswith(("https://", "http://")):
            raise ValueError("SCALECHAT_PUBLIC_URL must start with https:// or http://")
        return self

    @property
    def auth_mode(self) -> Literal["local", "entra", "easyauth"]:
        return self.auth.mode

    @property
    def allowed_tenant_ids(self) -> frozenset[str]:
        configured = AuthSettings._split(self.auth.allowed_tenants)
        if configured:
            return configured
        return frozenset({self.azure.tenant_id.lower()}) if self.azure.tenant_id else frozenset()

    @property
    def managed_identity_client_id(self) -> str | None:
        """The managed identity for Azure resources: under AUTH_MODE=entra AZURE_CLIENT_ID is the sign-in app."""
        if self.azure.managed_identity_client_id:
            return self.azure.managed_identity_client_id
        return None if self.auth.mode == "entra" else self.azure.client_id

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'scalechat.db'}"

    @property
    def conversation_backend(self) -> Literal["sql", "cosmos"]:
        """Where conversations, presets, users and sessions live."""
        if self.store_backend != "auto":
            return self.store_backend
        return "cosmos" if self.cosmos.endpoint and not self.database_url else "sql"

    @property
    def promptlog_sink(self) -> Literal["cosmos", "sql", "jsonl", "off"]:
        if self.promptlog.sink != "auto":
            return self.promptlog.sink
        return "cosmos" if self.cosmos.endpoint else "sql"

    @property
    def promptlog_path(self) -> Path:
        return self.promptlog.path or self.data_dir / "promptlog"

    @property
    def promptlog_outbox_path(self) -> Path:
        return self.promptlog.outbox_path or self.data_dir / "promptlog-outbox"

    @property
    def provider(self) -> Literal["azure", "openai", "simulator"]:
        if self.model.provider != "auto":
            return self.model.provider
        if self.azure_openai.endpoint:
            return "azure"
        if self.openai.base_url:
            return "openai"
        return "simulator"

    def check_can_serve_on(self, host: str) -> None:
        """Local mode makes every request the one local user: only safe on loopback."""
        if self.auth_mode == "local" and not is_loopback(host):
            raise SettingsError(
                f"AUTH_MODE=local serves everyone as one local user, so it only listens on loopback; "
                f"refusing to serve on {host}. Configure sign-in or use 127.0.0.1."
            )

    def masked(self) -> dict[str, Any]:
        """The effective settings with every secret replaced by '****'."""
        data = self.model_dump(mode="json")
        data["database_url"] = mask_url(self.effective_database_url)
        for group, key in (
            ("openai", "base_url"),
            ("simulator", "url"),
            ("azure_openai", "endpoint"),
            ("cosmos", "endpoint"),
        ):
            if data[group][key]:
                data[group][key] = mask_url(data[group][key])
        data["provider (effective)"] = self.provider
        data["store_backend (effective)"] = self.conversation_backend
        data["promptlog sink (effective)"] = self.promptlog_sink
        return data


class SettingsError(Exception):
    """A setting that stops start-up; its message is one line naming the setting."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# Query options asyncpg takes as text (SQLAlchemy passes them on as keyword arguments).
_ASYNCPG_OPTIONS = ("ssl", "target_session_attrs", "prepared_statement_cache_size", "passfile", "krbsrvname", "gsslib")
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def asyncpg_url(url: str) -> str:
    """A PostgreSQL URL as SQLAlchemy's asyncpg driver takes it.

    Accepts the postgresql:// and postgres:// forms that Azure and libpq tools print, and their
    `sslmode=` (asyncpg calls it `ssl=`). Errors name the option, never the URL (it may hold a password).
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql+asyncpg", "postgresql", "postgres"):
        raise ValueError("must start with sqlite+aiosqlite://, postgresql+asyncpg:// or postgresql://")
    address, _, query = rest.partition("?")
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        option = "ssl" if name == "sslmode" else name
        if option not in _ASYNCPG_OPTIONS:
            raise ValueError(f"unknown option {name!r} after '?' (known: sslmode, {', '.join(_ASYNCPG_OPTIONS)})")
        if option == "ssl" and value not in _SSL_MODES:
            raise ValueError(f"{name} must be one of {', '.join(_SSL_MODES)}")
        if options.get(option, value) != value:
            raise ValueError(f"{option} is given twice, differently (sslmode and ssl are the same option)")
        options[option] = value
    return f"postgresql+asyncpg://{address}" + (f"?{urlencode(options)}" if options else "")


def tls_mode(url: str) -> str | None:
    """The TLS mode a PostgreSQL URL gets: its `ssl=` (from `sslmode=`), else verify-full for any host
    but this machine. asyncpg's own default, `prefer`, falls back to plain text without a word, and
    with DATABASE_AUTH=entra the password is a bearer token someone on the path could replay."""
    from sqlalchemy import make_url

    parsed = make_url(url)
    explicit = parsed.query.get("ssl")
    if isinstance(explicit, str):
        return explicit
    host = parsed.host or ""
    return None if not host or is_loopback(host) else "verify-full"


def mask_url(url: str) -> str:
    """Hide the password in a URL such as postgresql+asyncpg://user:pw@host/db."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:****@{host}"


_ALIASES = {
    "host": "SCALECHAT_HOST",
    "port": "SCALECHAT_PORT",
    "data_dir": "SCALECHAT_DATA_DIR",
    "web_dir": "SCALECHAT_WEB_DIR",
}


_SENSITIVE = ("key", "secret", "password", "token", "url", "endpoint", "connection")


def _describe(exc: ValidationError, prefix: str) -> str:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "?"
    if field.isupper():  # a field read under its own name (validation_alias), whatever its group's prefix
        name = field
    else:
        name = _ALIASES.get(field, prefix + field.upper()) if not prefix else prefix + field.upper()
    # URLs and keys may hold credentials: never echo what was given for them.
    shown = "" if any(word in field for word in _SENSITIVE) else f" (got {error.get('input')!r})"
    return f"invalid setting {name}: {error['msg']}{shown}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; raise SettingsError with one clear line if any is invalid."""
    groups: dict[str, Any] = {}
    group_types: dict[str, type[BaseSettings]] = {
        "azure_openai": AzureOpenAISettings,
        "openai": OpenAISettings,
        "simulator": SimulatorSettings,
        "azure": AzureIdentitySettings,
        "auth": AuthSettings,
        "model": ModelSettings,
        "database": DatabaseSettings,
        "cosmos": CosmosSettings,
        "promptlog": PromptLogSettings,
    }
    for name, group_type in group_types.items():
        if name in overrides:
            continue
        try:
            groups[name] = group_type()
        except ValidationError as exc:
            raise SettingsError(_describe(exc, group_type.model_config.get("env_prefix", ""))) from None
    try:
        return Settings(**groups, **overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        if not error["loc"]:  # a rule across settings: its message names them
            raise SettingsError(f"invalid settings: {str(error['msg']).removeprefix('Value error, ')}") from None
        raise SettingsError(_describe(exc, "")) from None
