"""Templates (web/templating.py): `{% from … import … %}` reads as Jinja's own, with the
imported macros' module reused while every template shares the environment's globals, and
made afresh when the importing template brings globals of its own."""

from __future__ import annotations

from jinja2 import DictLoader

from clustermarket.web.templating import RowsEnvironment, TokenAwareTemplate

TEMPLATES = {
    "_parts.html": "{% macro hello(name) %}Hello {{ name }}{{ mark | default('') }}{% endmacro %}",
    "page.html": '{% from "_parts.html" import hello %}{{ hello(who) }}',
}


def _environment() -> RowsEnvironment:
    env = RowsEnvironment(loader=DictLoader(TEMPLATES), autoescape=True)
    env.template_class = TokenAwareTemplate
    return env


def test_imported_macros_come_from_one_cached_module_when_the_globals_are_shared() -> None:
    env = _environment()
    page = env.get_template("page.html")
    assert page.render(who="<Sam>") == "Hello &lt;Sam&gt;"
    parts = env.get_template("_parts.html")
    first = parts._module
    assert first is not None  # made by the first render's import
    assert page.render(who="Ali") == "Hello Ali"
    assert parts._module is first


def test_a_template_with_globals_of_its_own_gets_macros_that_see_them() -> None:
    env = _environment()
    marked = env.get_template("page.html", globals={"mark": "!"})
    assert marked.render(who="Sam") == "Hello Sam!"
