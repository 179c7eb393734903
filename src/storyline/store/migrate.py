"""Bring a database to the newest schema with the Alembic migrations shipped inside the package."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine


def alembic_config() -> Config:
    """An Alembic config pointing at ``storyline/store/migrations`` (works from a wheel or a checkout)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("storyline.store") / "migrations"))
    return config


def head_revision() -> str:
    """The newest migration this version of storyline ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "storyline ships at least one migration"
    return head


def known_revisions() -> set[str]:
    """Every migration this version of storyline ships."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration the database has not had yet, all or nothing."""
    config = alembic_config()
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, config, revision)
        return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _upgrade_sqlite(engine: Engine, config: Config, revision: str) -> None:
    """The migrations inside one explicit SQLite transaction.

    Python's sqlite3 runs CREATE TABLE outside any transaction, so a crash (kill -9) in the middle of creating a
    store left tables without the version row, and every later open failed with "table ... already exists".
    """
    with engine.connect() as connection:
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        saved = dbapi.isolation_level
        dbapi.isolation_level = None  # we send BEGIN and COMMIT ourselves
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
            connection.commit()
        finally:
            dbapi.isolation_level = saved
