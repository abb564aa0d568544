from clustermarket.piccolo_apps import domain_app

APP_CONFIG = domain_app("teams", depends_on=("schools", "accounts"))
