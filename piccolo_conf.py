"""Piccolo's configuration: the engine chosen by DATABASE_URL and the domains' apps."""

from piccolo.conf.apps import AppRegistry

from clustermarket.db import make_engine
from clustermarket.settings import get_settings

DB = make_engine(get_settings())

# Order does not matter: each app names the apps its migrations depend on.
APP_REGISTRY = AppRegistry(
    apps=[
        "clustermarket.schools.piccolo_app",
        "clustermarket.accounts.piccolo_app",
        "clustermarket.moderation.piccolo_app",
        "clustermarket.teams.piccolo_app",
        "clustermarket.catalogue.piccolo_app",
        "clustermarket.market.piccolo_app",
        "clustermarket.projects.piccolo_app",
        "clustermarket.media.piccolo_app",
        "clustermarket.sharing.piccolo_app",
        "clustermarket.coop.piccolo_app",
        "clustermarket.orders.piccolo_app",
        "clustermarket.jobs.piccolo_app",
        "clustermarket.transition.piccolo_app",
        "clustermarket.calendar.piccolo_app",
        "clustermarket.forum.piccolo_app",
    ]
)
