from clustermarket.piccolo_apps import domain_app

APP_CONFIG = domain_app("transition", depends_on=("accounts", "teams"))
