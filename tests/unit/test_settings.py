"""Settings: Azure's own variable names, masking, one-line errors, loopback rule."""

from __future__ import annotations

import pytest

from scalechat.errors import InvalidRequest
from scalechat.settings import Settings, SettingsError, is_loopback, load_settings, mask_url
from scalechat.store.base import Cursor


def test_azure_names_select_the_azure_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "chat")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k")
    monkeypatch.setenv("AZURE_CLIENT_ID", "mi-client")
    settings = load_settings()
    assert settings.provider == "azure"
    assert settings.azure_openai.deployment == "chat"
    assert settings.azure.client_id == "mi-client"
    assert settings.masked()["azure_openai"]["api_key"] == "**********"


def test_nothing_configured_means_the_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL", "MODEL_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    assert load_settings().provider == "simulator"


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_RETRY_BUDGET_SECONDS", "-1")
    with pytest.raises(SettingsError, match="MODEL_RETRY_BUDGET_SECONDS"):
        load_settings()


def test_a_secret_is_not_echoed_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "")
    monkeypatch.setenv("SIMULATOR_CHUNKS", "0")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "SIMULATOR_CHUNKS" in str(raised.value)


def test_loopback_rule() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3") and not is_loopback("example.com")
    with pytest.raises(SettingsError):
        Settings().check_can_serve_on("0.0.0.0")


def test_database_password_is_masked() -> None:
    assert mask_url("postgresql+asyncpg://u:p%40ss@h:5432/d") == "postgresql+asyncpg://u:****@h:5432/d"
    assert mask_url("sqlite+aiosqlite:///data/x.db") == "sqlite+aiosqlite:///data/x.db"


def test_cursor_round_trip_and_rejection() -> None:
    from datetime import UTC, datetime

    cursor = Cursor(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "abc")
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "x", "W10", "WyIyMDI2LTAxLTAyIiwiYSJd"):  # last: a naive timestamp
        with pytest.raises(InvalidRequest):
            Cursor.decode(bad)


def entra(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    monkeypatch.setenv("AUTH_MODE", "entra")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_entra_mode_needs_the_app_and_exactly_one_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    entra(monkeypatch, AZURE_TENANT_ID="t")
    with pytest.raises(SettingsError, match="AZURE_CLIENT_ID"):
        load_settings()
    monkeypatch.setenv("AZURE_CLIENT_ID", "app")
    with pytest.raises(SettingsError, match="exactly one of AZURE_CLIENT_SECRET"):
        load_settings()
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PATH", "/x.pem")
    with pytest.raises(SettingsError, match="exactly one"):
        load_settings()
    monkeypatch.delenv("AZURE_CLIENT_CERTIFICATE_PATH")
    settings = load_settings()
    assert settings.auth_mode == "entra"
    assert "s3cret-value" not in str(settings.masked())
    # AZURE_CLIENT_ID is the sign-in app now, not a managed identity for Azure OpenAI.
    assert settings.managed_identity_client_id is None
    monkeypatch.setenv("AZURE_MANAGED_IDENTITY_CLIENT_ID", "mi")
    assert load_settings().managed_identity_client_id == "mi"


def test_outside_entra_mode_azure_client_id_is_the_managed_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_CLIENT_ID", "mi-client")
    assert load_settings().managed_identity_client_id == "mi-client"


def test_auth_settings_errors_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_MODE", "magic")
    with pytest.raises(SettingsError, match="AUTH_MODE"):
        load_settings()
    monkeypatch.setenv("AUTH_MODE", "local")
    monkeypatch.setenv("SCALECHAT_PUBLIC_URL", "chat.contoso.com")
    with pytest.raises(SettingsError, match="SCALECHAT_PUBLIC_URL"):
        load_settings()


def test_allowed_tenants_default_to_the_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    entra(monkeypatch, AZURE_TENANT_ID="T1", AZURE_CLIENT_ID="app", AZURE_CLIENT_SECRET="s")
    assert load_settings().allowed_tenant_ids == {"t1"}
    monkeypatch.setenv("AUTH_ALLOWED_TENANTS", "T2, t3")
    assert load_settings().allowed_tenant_ids == {"t2", "t3"}


def test_entra_mode_refuses_to_let_any_tenant_in_by_omission(monkeypatch: pytest.MonkeyPatch) -> None:
    entra(monkeypatch, OIDC_ISSUER="https://login.microsoftonline.com/organizations/v2.0")
    monkeypatch.setenv("AZURE_CLIENT_ID", "app")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "s")
    with pytest.raises(SettingsError, match="AUTH_ALLOWED_TENANTS"):
        load_settings()
    monkeypatch.setenv("AUTH_ALLOWED_TENANTS", "*")
    assert load_settings().allowed_tenant_ids == {"*"}
