"""Jinja2 set-up: the templates folder and the few filters every page uses."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from types import CodeType
from typing import Any

from jinja2 import Environment, FileSystemLoader, Template, pass_context
from jinja2.runtime import Context, Macro
from jinja2.utils import missing
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.template.config import TemplateConfig
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup, escape

from clustermarket.accounts.services import CurrentUser, short_name
from clustermarket.money import format_pence
from clustermarket.settings import PROJECT_ROOT
from clustermarket.timeutil import uk_date, uk_time
from clustermarket.web.badge import count_of
from clustermarket.web.clusters import ClusterInfo, cluster_or_none, prefix_links, url_root
from clustermarket.web.csrf_guard import TOKEN_RENDERED
from clustermarket.web.static import static_url


@pass_context
def current_user(context: Context) -> CurrentUser | None:
    """The signed-in user, or None; also on pages (like a 404) that no middleware reached."""
    request = context.get("request")
    return request.scope.get("user") if request is not None else None


@pass_context
def cluster(context: Context) -> ClusterInfo | None:
    """The request's cluster (its name, market and look), or None (a page no cluster reached)."""
    request = context.get("request")
    return cluster_or_none(request.scope) if request is not None else None


@pass_context
def cluster_name(context: Context) -> str:
    """The request's cluster's name ("Aylsham Cluster"): pages never name another cluster."""
    here = cluster(context)
    return here.name if here is not None else "Cluster Market"


@pass_context
def badge_count(context: Context) -> int | None:
    """The header badge's count read with the user (web/badge.py), or None: asked once loaded."""
    request = context.get("request")
    return count_of(request.scope) if request is not None else None


@pass_context
def messages(context: Context) -> list[dict[str, str]]:
    """Flash messages (litestar.plugins.flash.flash), shown once; none without a session."""
    request = context.get("request")
    session = request.scope.get("session") if request is not None else None
    if not isinstance(session, dict):
        return []
    return session.pop("_messages", [])


_DICT_ATTRIBUTES = frozenset(dir(dict))


class RowsEnvironment(Environment):
    """Jinja's environment, with `row.name` on a plain dict (every row from the database) read
    as the key at once. Jinja tries the attribute first and the key after the AttributeError:
    about 3 µs a lookup, most of the time of a page of 30 rows. A dict's own attributes
    (`items`, `get`…) still go Jinja's way, so every template reads the same as before."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


# What a call in a template passes besides its arguments (the loop's and block's own names,
# for a `pass_context` callable): a macro takes neither.
_SCOPE_ARGUMENTS = frozenset(("_loop_vars", "_block_vars"))


class RowsContext(Context):
    """Jinja's context, with a call of a macro by position (every row macro: a byline, an
    order's row, a reaction form) made at once: the macro's function on the arguments, those
    left out passed as `missing` (the macro then takes its defaults), its answer marked safe,
    all as Jinja's `Macro.__call__` and `_invoke` do. Jinja's way looks for a `pass_context`
    marker twice, then sorts the arguments into positions, keywords and a caller: 2.6
    against 1.3 µs a call, 30 to 90 calls on a page of rows. A macro that takes a caller
    (named or not), `varargs` or `kwargs`, a call with keywords or too many arguments, and
    every other callable go Jinja's way."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's names)
        if (
            type(__obj) is Macro
            and len(args) <= __obj._argument_count
            and not (__obj.caller or __obj.explicit_caller)
            and not (__obj.catch_kwargs or __obj.catch_varargs)
            and kwargs.keys() <= _SCOPE_ARGUMENTS
            and not __self.environment.is_async
        ):
            if len(args) < __obj._argument_count:
                args += (missing,) * (__obj._argument_count - len(args))
            answer = __obj._func(*args)
            return Markup(answer) if __self.eval_ctx.autoescape else answer
        return Context.call(__self, __obj, *args, **kwargs)


try:  # markupsafe's own C escaper, without the Markup object made around each answer
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - markupsafe without its C part, or another version

    def _escape_inner(text: str) -> str:
        return str(escape(text))


def output_escape(value: Any) -> str:
    """What `{{ value }}` writes: markupsafe's `escape`, as plain text. Jinja only joins what
    an output writes into the page (a macro's or a `{% set %}` block's text is made Markup
    once, as before), so the Markup object `escape` builds around every value (two Python
    calls, about 0.3 µs, hundreds of times on a page of rows) was never needed. A whole
    number has nothing to escape."""
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is int:
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


class TokenAwareTemplate(Template):
    """Notes on the request when the page holds its CSRF token (a form, an htmx header), so
    the token's cookie is sent only then (web/csrf_guard.py)."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled template's functions look `escape` up in their module's namespace,
        # which Jinja fills from jinja2.runtime; every `{{ }}` output calls it.
        template.root_render_func.__globals__["escape"] = output_escape
        return template

    def render(self, *args: Any, **kwargs: Any) -> str:
        out = prefix_links(super().render(*args, **kwargs))  # CLUSTER_ROUTING=path only
        request = kwargs.get("request") or (args[0].get("request") if args else None)
        if request is not None:
            token = ScopeState.from_scope(request.scope).csrf_token
            if isinstance(token, str) and token and token in out:
                request.scope[TOKEN_RENDERED] = True
        return out

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        """Jinja's own, with the globals the importing template has and this one lacks found
        by `set.difference` rather than `set - ChainMap.keys()`: the same keys (none here,
        every template shares the environment's globals), a sixth of the cost (about 6 µs
        of every `{% from … import … %}`, one per htmx sale tap)."""
        if ctx is not None and not ctx.globals_keys.difference(self.globals):
            ctx = None  # nothing to add: Jinja then returns its cached module
        return super()._get_default_module(ctx)


def _configure(engine: Engine) -> None:
    env = engine.engine
    env.template_class = TokenAwareTemplate
    env.filters["money"] = format_pence
    env.filters["uk_time"] = uk_time
    env.filters["uk_date"] = uk_date
    env.globals["short_name"] = short_name
    env.globals["current_user"] = current_user
    env.globals["messages"] = messages
    env.globals["badge_count"] = badge_count
    env.globals["cluster"] = cluster
    env.globals["cluster_name"] = cluster_name
    env.globals["site_root"] = url_root  # "/c/<slug>" under CLUSTER_ROUTING=path, else ""
    env.globals["static_url"] = static_url  # content-hashed URLs, cached for a year
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config(reload: bool = True) -> TemplateConfig:
    # In production (TEMPLATES_RELOAD off) the templates never change: no stat of each
    # template (and of each one it extends, includes or imports) on every render to see
    # whether it did.
    env = RowsEnvironment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=True,
        auto_reload=reload,
    )
    env.context_class = RowsContext
    return TemplateConfig(engine=Engine.from_environment(env), engine_callback=_configure)
