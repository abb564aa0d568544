from clustermarket.piccolo_apps import domain_app

# It counts the moderated tables of these apps (QueueItemCount): their tables come first.
APP_CONFIG = domain_app(
    "moderation",
    depends_on=("schools", "accounts", "teams", "catalogue", "projects", "sharing", "forum"),
)
