from clustermarket.piccolo_apps import domain_app

APP_CONFIG = domain_app(
    "calendar", depends_on=("schools", "accounts", "teams", "catalogue", "projects")
)
