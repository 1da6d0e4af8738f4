from akta_cases.settings import CasesSettings
from akta_retention.settings import RetentionSettings


def test_embedded_defaults_need_no_environment(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings = CasesSettings()
    assert settings.mode == "embedded"
    assert settings.bus_url == "memory://"
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.effective_database_url.endswith("/var/cases.db")
    assert settings.effective_database_schema is None
    assert settings.effective_log_format == "console"


def test_a_service_variable_overrides_the_installation_wide_one(monkeypatch):
    monkeypatch.setenv("AKTA_DATABASE_URL", "postgresql+psycopg://db/akta")
    monkeypatch.setenv("AKTA_CASES_DATABASE_URL", "postgresql+psycopg://cases-db/akta")
    monkeypatch.setenv("AKTA_MODE", "real")
    assert CasesSettings().database_url == "postgresql+psycopg://cases-db/akta"
    assert RetentionSettings().database_url == "postgresql+psycopg://db/akta"
    assert RetentionSettings().effective_database_schema == "retention"
    assert RetentionSettings().effective_log_format == "json"


def test_list_settings_are_read_as_json(monkeypatch):
    monkeypatch.setenv("AKTA_BUS_RETRY_DELAYS", "[0.1, 0.2]")
    assert CasesSettings().bus_retry_delays == (0.1, 0.2)


def test_real_mode_refuses_to_fall_back_to_sqlite(monkeypatch):
    import pytest

    monkeypatch.setenv("AKTA_MODE", "real")
    with pytest.raises(SystemExit, match="AKTA_DATABASE_URL"):
        CasesSettings().effective_database_url  # noqa: B018 - the property is the check


def test_real_mode_refuses_the_in_process_bus(monkeypatch):
    import pytest

    from akta_cases.bootstrap import bootstrap

    monkeypatch.setenv("AKTA_MODE", "real")
    monkeypatch.setenv("AKTA_DATABASE_URL", "postgresql+psycopg://nowhere/akta")
    with pytest.raises(SystemExit, match="AKTA_BUS_URL"):
        bootstrap()
