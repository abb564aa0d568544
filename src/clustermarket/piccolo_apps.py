"""One Piccolo app per domain, each with its migrations in migrations/<domain>/."""

from piccolo.conf.apps import AppConfig, table_finder

from clustermarket.settings import PROJECT_ROOT


def domain_app(name: str, depends_on: tuple[str, ...] = ()) -> AppConfig:
    return AppConfig(
        app_name=name,
        migrations_folder_path=str(PROJECT_ROOT / "migrations" / name),
        table_classes=table_finder(modules=[f"clustermarket.{name}.tables"], exclude_imported=True),
        migration_dependencies=[f"clustermarket.{d}.piccolo_app" for d in depends_on],
    )
