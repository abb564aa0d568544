"""Jinja2 set-up: the templates folder and the few filters every page uses."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.template.config import TemplateConfig

from clustermarket.accounts.services import CurrentUser, short_name
from clustermarket.money import format_pence
from clustermarket.settings import PROJECT_ROOT
from clustermarket.timeutil import uk_date, uk_time
from clustermarket.web.static import static_url


@pass_context
def current_user(context: Context) -> CurrentUser | None:
    """The signed-in user, or None; also on pages (like a 404) that no middleware reached."""
    request = context.get("request")
    return request.scope.get("user") if request is not None else None


@pass_context
def messages(context: Context) -> list[dict[str, str]]:
    """Flash messages (litestar.plugins.flash.flash), shown once; none without a session."""
    request = context.get("request")
    session = request.scope.get("session") if request is not None else None
    if not isinstance(session, dict):
        return []
    return session.pop("_messages", [])


def _configure(engine: Engine) -> None:
    env = engine.engine
    env.filters["money"] = format_pence
    env.filters["uk_time"] = uk_time
    env.filters["uk_date"] = uk_date
    env.globals["short_name"] = short_name
    env.globals["current_user"] = current_user
    env.globals["messages"] = messages
    env.globals["static_url"] = static_url  # content-hashed URLs, cached for a year
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config() -> TemplateConfig:
    return TemplateConfig(
        directory=PROJECT_ROOT / "templates", engine=Engine, engine_callback=_configure
    )
