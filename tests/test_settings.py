"""Settings come from the environment; a value that does not parse stops start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import Settings, SettingsError

EVERY_VARIABLE = {
    "DATABASE_URL": "postgresql://skein@db.example:5433/graph",
    "SKEIN_DATA_DIR": "/var/lib/skein",
    "SKEIN_MAX_DEPTH": "7",
    "SKEIN_RATE_LIMIT": "60",
    "SKEIN_QUERY_TIMEOUT_MS": "250",
    "SKEIN_MAX_BODY_BYTES": "4096",
    "SKEIN_POOL_MIN_SIZE": "0",
    "SKEIN_POOL_MAX_SIZE": "3",
    "SKEIN_POOL_TIMEOUT_MS": "500",
}

# SKEIN_DATA_DIR is absent: every string is a path.
UNPARSEABLE = [
    ("DATABASE_URL", "mysql://db/graph"),
    ("SKEIN_MAX_DEPTH", "abc"),
    ("SKEIN_MAX_DEPTH", "0"),
    ("SKEIN_RATE_LIMIT", "1.5"),
    ("SKEIN_QUERY_TIMEOUT_MS", "-1"),
    ("SKEIN_MAX_BODY_BYTES", "1MiB"),
    ("SKEIN_POOL_MIN_SIZE", "-1"),
    ("SKEIN_POOL_MAX_SIZE", "0"),
    ("SKEIN_POOL_TIMEOUT_MS", "two seconds"),
]


def test_every_variable_parses() -> None:
    assert Settings.from_env(EVERY_VARIABLE) == Settings(
        database_url="postgresql://skein@db.example:5433/graph",
        data_dir=Path("/var/lib/skein"),
        max_depth=7,
        rate_limit=60,
        query_timeout_ms=250,
        max_body_bytes=4096,
        pool_min_size=0,
        pool_max_size=3,
        pool_timeout_ms=500,
    )


def test_unset_and_empty_variables_take_the_contract_defaults() -> None:
    settings = Settings.from_env({"SKEIN_MAX_DEPTH": "", "PATH": "/usr/bin"})
    assert settings.database_url is None
    assert settings.data_dir == Path(".skein")
    assert settings.max_depth == 10
    assert settings.rate_limit == 1200
    assert settings.query_timeout_ms == 5000
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.pool_timeout_ms == 2000


def test_surrounding_whitespace_is_ignored() -> None:
    assert Settings.from_env({"SKEIN_MAX_DEPTH": " 4\n"}).max_depth == 4


@pytest.mark.parametrize(("variable", "value"), UNPARSEABLE, ids=[f"{v}={x}" for v, x in UNPARSEABLE])
def test_a_value_that_does_not_parse_names_its_variable_on_one_line(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    message = str(caught.value)
    assert message.startswith(f"{variable}=")
    assert "\n" not in message


def test_the_message_stays_on_one_line_when_the_value_holds_a_newline() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SKEIN_RATE_LIMIT": "12\nrm -rf /"})
    assert "\n" not in str(caught.value)
    assert "SKEIN_RATE_LIMIT" in str(caught.value)


def test_a_pool_minimum_above_its_maximum_is_rejected() -> None:
    with pytest.raises(SettingsError, match="SKEIN_POOL_MIN_SIZE") as caught:
        Settings.from_env({"SKEIN_POOL_MIN_SIZE": "5", "SKEIN_POOL_MAX_SIZE": "3"})
    assert "\n" not in str(caught.value)
