"""Request handlers: functions a web framework calls once per request (ASY502).

A function is one when a decorator routes it (FastAPI/Starlette/Sanic/Quart `@app.get("/x")`,
aiohttp `@routes.post("/x")` on a `web.RouteTableDef()`, Litestar `@get("/x")`, Django's
`@require_POST`), or when it takes a request object (annotated with a request type, or a
parameter named `request` without an annotation: Django views, aiohttp handlers, Starlette
endpoints). Pytest test functions and fixtures are not handlers, whatever their parameters
(pytest's `request` fixture). The names are data: rules/handlers.toml.
"""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context


def is_request_handler(function: cst.CSTNode | None, ctx: Context) -> bool:
    if not isinstance(function, cst.FunctionDef):
        return False
    table = ctx.tables.db.handlers
    for decorator in function.decorators:
        if _routes(decorator.decorator, ctx):
            return True
    if function.name.value.startswith("test") or any(_is_fixture(d.decorator, ctx) for d in function.decorators):
        return False  # pytest's own `request` fixture is not a web request
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        annotated = None
        if param.annotation is not None:
            annotated = ctx.annotation_type(param.annotation.annotation)
            if annotated is not None and annotated in table.request_types:
                return True
        if param.name.value in table.request_parameter_names and param.annotation is None:
            return True
    return False


def _is_fixture(decorator: cst.BaseExpression, ctx: Context) -> bool:
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = ctx.qualified_name(target) or ""
    return name.endswith(".fixture")


def _routes(decorator: cst.BaseExpression, ctx: Context) -> bool:
    table = ctx.tables.db.handlers
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = ctx.qualified_name(target)
    if name is not None and ctx.canonical(name) in table.route_decorators:
        return True
    if not isinstance(decorator, cst.Call) or not isinstance(target, cst.Attribute):
        return False
    if target.attr.value not in table.route_methods:
        return False
    router = ctx.value_type(target.value)
    if router is not None and ctx.canonical(router) in table.router_types:
        return True
    first = decorator.args[0].value if decorator.args and decorator.args[0].keyword is None else None
    if isinstance(first, (cst.SimpleString, cst.ConcatenatedString)):
        path = first.evaluated_value
        return isinstance(path, str) and path.startswith("/")
    return False
