"""create_app(): the one place where plugins, middleware, stores and routes are wired."""

from __future__ import annotations

from litestar import Litestar, Request
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.stores.base import Store
from litestar.stores.registry import StoreRegistry

from clustermarket.accounts.account_controllers import ROUTES as ACCOUNT_PAGE_ROUTES
from clustermarket.accounts.class_controllers import ClassController
from clustermarket.accounts.confirm_controllers import ROUTES as ACCOUNT_CONFIRM_ROUTES
from clustermarket.accounts.controllers import (
    AuthController,
    PupilController,
    PupilDataController,
    StaffController,
)
from clustermarket.accounts.pauses import ROUTES as PAUSE_ROUTES
from clustermarket.accounts.picture_controllers import PictureSignInController, is_picture_sign_in
from clustermarket.accounts.rollover_controllers import RolloverController
from clustermarket.calendar.controllers import ROUTES as CALENDAR_ROUTES
from clustermarket.catalogue.controllers import ROUTES as CATALOGUE_ROUTES
from clustermarket.clusters.controllers import ROUTES as PLATFORM_ROUTES
from clustermarket.clusters.look_controllers import ROUTES as CLUSTER_SETUP_ROUTES
from clustermarket.coop.controllers import ROUTES as COOP_ROUTES
from clustermarket.db import close_pool, open_pool, use_web_busy_timeout
from clustermarket.db_connections import OneConnectionPerRequest
from clustermarket.forum.controllers import ROUTES as FORUM_ROUTES
from clustermarket.jobs.controllers import ROUTES as JOB_ROUTES
from clustermarket.jobs.embedded import EmbeddedRunner
from clustermarket.logs import configure_logging
from clustermarket.market.closing_controllers import ROUTES as CONFIRM_ROUTES
from clustermarket.market.controllers import ROUTES as MARKET_ROUTES
from clustermarket.market.day_admin_controllers import ROUTES as DAY_ADMIN_ROUTES
from clustermarket.market.expense_controllers import ROUTES as EXPENSE_ROUTES
from clustermarket.market.stall_controllers import ROUTES as STALL_ROUTES
from clustermarket.market.till_controllers import ROUTES as TILL_ROUTES
from clustermarket.media.controllers import ROUTES as MEDIA_ROUTES
from clustermarket.moderation.controllers import ROUTES as MODERATION_ROUTES
from clustermarket.orders import hooks as order_hooks
from clustermarket.orders.controllers import ROUTES as ORDER_ROUTES
from clustermarket.orders.webhooks import ROUTES as WEBHOOK_ROUTES
from clustermarket.orders.webhooks import WEBHOOK_PATH
from clustermarket.projects.controllers import ROUTES as PROJECT_ROUTES
from clustermarket.reports.controllers import ROUTES as REPORT_ROUTES
from clustermarket.schools.controllers import SchoolController
from clustermarket.settings import Settings, get_settings
from clustermarket.sharing.controllers import ROUTES as SHARING_ROUTES
from clustermarket.sharing.own_words_controllers import ROUTES as OWN_WORDS_ROUTES
from clustermarket.sharing.pitch_controllers import ROUTES as PITCH_ROUTES
from clustermarket.site.controllers import ROUTES as SITE_ROUTES
from clustermarket.site.privacy import ROUTES as PRIVACY_ROUTES
from clustermarket.teams.controllers import ROUTES as TEAM_ROUTES
from clustermarket.transition.controllers import ROUTES as TRANSITION_ROUTES
from clustermarket.web import badge, content_version, public_data
from clustermarket.web.auth import SessionUserMiddleware
from clustermarket.web.clusters import ClusterRouting, requires_cluster
from clustermarket.web.compression import MINIMUM_SIZE, PAGE_LEVEL, CompressWhenWorthIt
from clustermarket.web.csrf_guard import CSRFTokenGuard
from clustermarket.web.errors import EXCEPTION_HANDLERS
from clustermarket.web.forms import FORM_BODY_LIMIT, refuse_control_characters
from clustermarket.web.page_cache import PublicPageCache
from clustermarket.web.public_data import PublicData
from clustermarket.web.request_log import RequestLog
from clustermarket.web.requests import AppRequest
from clustermarket.web.security import security_header_values, security_headers
from clustermarket.web.sessions import RotatingSessionConfig
from clustermarket.web.static import StaticFiles
from clustermarket.web.stores import LocalFileStore, start_store_cleanup, stop_store_cleanup
from clustermarket.web.templating import template_config

STRIPE_WEBHOOK_PATH = WEBHOOK_PATH  # the one path exempt from CSRF


def store_registry(settings: Settings) -> StoreRegistry:
    """In-process stores for one worker; Redis when several workers must share them."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore
        from redis.asyncio import Redis

        # Short timeouts: a stopped Redis fails a request at once instead of hanging it.
        client = Redis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=3)
        root = RedisStore(client, namespace="clustermarket", handle_client_shutdown=True)

        def redis_factory(name: str) -> Store:
            return root.with_namespace(name)

        return StoreRegistry(default_factory=redis_factory)
    # One worker without Redis: files under DATA_DIR, so a restart signs nobody out.
    return StoreRegistry(
        default_factory=lambda name: LocalFileStore(settings.data_dir / "stores" / name)
    )


async def _is_login_post(request: Request) -> bool:
    # async: Litestar would run a plain function in a worker thread on every request.
    path = request.scope["path"]  # without a /c/<slug> prefix (web/clusters.py)
    return request.method == "POST" and (path == "/login" or is_picture_sign_in(path))


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    from piccolo_conf import DB

    order_hooks.connect()  # pre-orders answer the market's questions (market/hooks.py)
    jobs = EmbeddedRunner(settings)
    use_web_busy_timeout(DB)  # a locked SQLite answers 503 within seconds
    stores = store_registry(settings)
    version = content_version.version_for(settings, stores)
    clusters_version = content_version.CLUSTERS.make(settings, stores)

    async def on_startup(app: Litestar) -> None:
        content_version.register(version)
        content_version.CLUSTERS.register(clusters_version)
        await open_pool(DB, settings)
        await start_store_cleanup(app, settings)
        if settings.jobs_in_app:
            jobs.start()

    async def on_shutdown(app: Litestar) -> None:
        await jobs.stop()
        await stop_store_cleanup(app)
        await close_pool(DB)
        content_version.unregister(version)
        content_version.CLUSTERS.unregister(clusters_version)

    session_config = RotatingSessionConfig(
        store="sessions",
        key="cm_session",
        secure=settings.https,
        httponly=True,
        samesite="lax",
        max_age=60 * 60 * 12,  # a school day and evening; class computers are shared
    )
    # A flood guard only; the sign-in rules themselves are in accounts/signin_limits.py.
    login_rate_limit = RateLimitConfig(
        rate_limit=("minute", settings.login_flood_per_address),
        store="rate_limit",
        check_throttle_handler=_is_login_post,
        set_rate_limit_headers=False,
    )
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="csrftoken",
        header_name="x-csrftoken",
        cookie_secure=settings.https,
        cookie_samesite="lax",
        cookie_httponly=True,  # pages carry the token; no script needs the cookie
        exclude=[STRIPE_WEBHOOK_PATH],
    )
    # Photos are at most 8 MB (media/images.py); photo forms allow more (web/forms.py).
    max_body = FORM_BODY_LIMIT
    app = Litestar(
        route_handlers=[
            *SITE_ROUTES,
            *PRIVACY_ROUTES,
            *TRANSITION_ROUTES,
            *CALENDAR_ROUTES,
            *MODERATION_ROUTES,
            *TEAM_ROUTES,
            *CATALOGUE_ROUTES,
            *PROJECT_ROUTES,
            *MEDIA_ROUTES,
            *MARKET_ROUTES,
            *STALL_ROUTES,
            *TILL_ROUTES,
            *CONFIRM_ROUTES,
            *DAY_ADMIN_ROUTES,
            *EXPENSE_ROUTES,
            *ACCOUNT_CONFIRM_ROUTES,
            *ACCOUNT_PAGE_ROUTES,
            *REPORT_ROUTES,
            *SHARING_ROUTES,
            *OWN_WORDS_ROUTES,
            *PITCH_ROUTES,
            *COOP_ROUTES,
            *FORUM_ROUTES,
            *ORDER_ROUTES,
            *WEBHOOK_ROUTES,
            *JOB_ROUTES,
            *PAUSE_ROUTES,
            *PLATFORM_ROUTES,
            *CLUSTER_SETUP_ROUTES,
            AuthController,
            PupilController,
            PupilDataController,
            StaffController,
            ClassController,
            RolloverController,
            PictureSignInController,
            SchoolController,
        ],
        middleware=[
            session_config.middleware,
            DefineMiddleware(SessionUserMiddleware, exclude=["^/static/", "^/health$"]),
            login_rate_limit.middleware,
            CSRFTokenGuard(csrf),  # before Litestar's CSRF check (non-ASCII tokens)
        ],
        before_send=[security_headers(settings.https)],
        before_request=refuse_control_characters,  # one check for every form's text
        csrf_config=csrf,
        # HTML and other text; photos are compressed already, static files in web/static.py.
        compression_config=CompressionConfig(
            backend="gzip",
            gzip_compress_level=PAGE_LEVEL,  # 3: zlib's fast matcher (web/compression.py)
            minimum_size=MINIMUM_SIZE,  # and no gzip stream made below it (web/compression.py)
            middleware_class=CompressWhenWorthIt,
            exclude=["^/media/"],
        ),
        stores=stores,
        plugins=[HTMXPlugin()],
        request_class=AppRequest,  # HTMXRequest without its reference cycle
        template_config=template_config(reload=settings.templates_reload),
        guards=[requires_cluster("/health", STRIPE_WEBHOOK_PATH)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        state=State(
            {
                "settings": settings,
                public_data.STATE_KEY: PublicData(version),
                badge.KEPT_KEY: PublicData(version),  # staff's waiting counts (web/badge.py)
            }
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=None,
        request_max_body_size=max_body,
        debug=False,
        logging_config=None,
    )
    # One database connection per request (db_connections.py).
    app.asgi_handler = OneConnectionPerRequest(app.asgi_handler)
    # Signed-out public pages from memory, before the session, CSRF and rate-limit middleware.
    pages = PublicPageCache(app.asgi_handler, version, csrf, session_cookie=session_config.key)
    # Which cluster the request is for, before everything that depends on it (web/clusters.py).
    clusters = ClusterRouting(pages, settings.cluster_routing, clusters_version)
    app.on_startup.append(clusters.directory.preload)  # after the pool opens
    app.asgi_handler = RequestLog(clusters)  # one line per request, around everything
    # Static files before all of that: from memory, compressed, hashed names (web/static.py).
    app.asgi_handler = StaticFiles(app.asgi_handler, security_header_values(settings.https))
    return app


configure_logging()  # one line per request and the rest, to standard error (logs.py)
