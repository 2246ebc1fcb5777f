"""The ASGI application of ``monitor serve``: API, pages, health, metrics (SPEC section 6)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

from monitor import __version__
from monitor.exceptions import StoreError
from monitor.settings import Settings
from monitor.store import Store
from monitor.web import api, pages
from monitor.web.filters import BadParameter
from monitor.web.security import SECURITY_HEADERS

STATIC = Path(__file__).resolve().parent / "static"
REQUESTS = Counter(
    "monitor_web_requests_total", "HTTP requests answered by the workbench", ["route", "status"]
)
LATENCY = Histogram(
    "monitor_web_request_duration_seconds", "Time to answer a workbench request", ["route"]
)


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The application over an open store (the caller closes it)."""
    app = FastAPI(
        title="monitor workbench API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.store = store
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_health(app)
    _add_errors(app)
    app.middleware("http")(_headers_and_metrics)
    return app


def _add_health(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> JSONResponse:
        try:
            request.app.state.store.check_connection()
        except StoreError as exc:
            return JSONResponse(
                {
                    "status": "unavailable",
                    "checks": {"database": str(exc)},
                    "error": f"database: {exc}",
                },
                status_code=503,
            )
        return JSONResponse({"status": "ok", "checks": {"database": "ok"}})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _add_errors(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (302, 303):
            return Response(status_code=exc.status_code, headers=exc.headers)
        return JSONResponse(
            {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
        return JSONResponse({"error": f"{where or 'request'}: {err['msg']}"}, status_code=422)

    @app.exception_handler(BadParameter)
    async def bad_parameter(request: Request, exc: BadParameter) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=503)


async def _headers_and_metrics(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    route = getattr(request.scope.get("route"), "path", "other")
    LATENCY.labels(route).observe(time.perf_counter() - started)
    REQUESTS.labels(route, str(response.status_code)).inc()
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
