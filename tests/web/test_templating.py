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


# Macro calls of every shape: the app's context (`RowsContext`, a quick way for a call by
# arguments alone) must write what Jinja's own context writes.
MACROS = {
    "_m.html": (
        "{% macro row(item) -%}<li>{{ item.name }}</li>{%- endmacro %}"
        "{% macro two(a, b='<b>') -%}{{ a }}|{{ b }}{%- endmacro %}"
        "{% macro framed() -%}<div>{{ caller() }}</div>{%- endmacro %}"
        "{% macro rest(a) -%}{{ a }}{{ varargs | join(',') }}{{ kwargs | dictsort }}{%- endmacro %}"
        "{% macro outer(item) -%}[{{ row(item) }}]{%- endmacro %}"
        "{% macro opt(a, b=none, c='<c>') -%}{{ a }}/{{ b }}/{{ c }}{%- endmacro %}"
        "{% macro named(caller=none) -%}({{ caller() if caller else 'none' }}){%- endmacro %}"
    ),
    "calls.html": (
        '{% from "_m.html" import row, two, framed, rest, outer, opt, named %}'
        "{% for item in items %}{{ row(item) }}{{ outer(item) }}{% endfor %}"
        "{{ two('<a>') }}{{ two('x', '<y>') }}{{ two(a='k', b='w') }}{{ two('p', b='q') }}"
        "{% call framed() %}<i>{{ items[0].name }}</i>{% endcall %}"
        "{{ rest('r', 1, 2, z='<z>') }}{{ rest('s') }}"
        "{{ opt(1) }}{{ opt(1, '<2>') }}{{ opt(1, 2, 3) }}{{ named() }}"
        "{% call named() %}called{% endcall %}"
        "{% autoescape false %}{{ row(items[0]) }}{{ two('<raw>') }}{% endautoescape %}"
        "{% set kept %}{{ row(items[1]) }}{% endset %}{{ kept }}"
    ),
}


def test_macro_calls_write_what_jinjas_own_context_writes() -> None:
    from jinja2.runtime import Context
    from markupsafe import Markup

    from clustermarket.web.templating import RowsContext

    items = [{"name": "<Tom & Jo>"}, {"name": Markup("<em>safe</em>")}, {"name": 7}]
    written = {}
    for context_class in (Context, RowsContext):
        env = RowsEnvironment(loader=DictLoader(MACROS), autoescape=True)
        env.template_class = TokenAwareTemplate
        env.context_class = context_class
        written[context_class] = env.get_template("calls.html").render(items=items)
    assert written[RowsContext] == written[Context]
    assert "<li>&lt;Tom &amp; Jo&gt;</li>" in written[RowsContext]
    assert "<li><em>safe</em></li>" in written[RowsContext]  # Markup passes as it is
    assert "<div><i>&lt;Tom &amp; Jo&gt;</i></div>" in written[RowsContext]  # caller()
    assert "&lt;a&gt;|&lt;b&gt;" in written[RowsContext]  # the default argument
    assert "1/None/&lt;c&gt;1/&lt;2&gt;/&lt;c&gt;1/2/3(none)(called)" in written[RowsContext]


def test_a_macro_given_too_many_arguments_is_refused_as_jinja_refuses_it() -> None:
    import pytest
    from jinja2.runtime import Context

    from clustermarket.web.templating import RowsContext

    for context_class in (Context, RowsContext):
        env = RowsEnvironment(loader=DictLoader(MACROS), autoescape=True)
        env.context_class = context_class
        page = env.from_string('{% from "_m.html" import row %}{{ row(1, 2) }}')
        with pytest.raises(TypeError, match="takes not more than 1 argument"):
            page.render()


def test_the_apps_templates_use_the_quick_macro_context() -> None:
    from clustermarket.web.templating import RowsContext, template_config

    engine = template_config(reload=False).engine_instance
    assert engine.engine.context_class is RowsContext
