"""JSON API v1 under /api/v1: tokens or session, the pages' permissions, scoping and audit.

Interactive docs at /api/v1/docs are served from the app's own static files (django-ninja's
Swagger UI bundle): no CDN, no inline script.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from neuroseq.web.api_v1 import problems
from neuroseq.web.api_v1.auth import AUTH
from neuroseq.web.api_v1.routes import router
from neuroseq.web.api_v1.staffing import router as staffing_router


class ProblemAPI(NinjaAPI):
    """The OpenAPI document says what the server sends: errors are problem+json."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
                    elif len(content) > 1:  # a CSV, SVG or FHIR body declared by the route
                        content.pop("application/json", None)
        return schema


api_v1 = ProblemAPI(
    title="neuroseq clinic API",
    version="1.0",
    description=(
        "Clients, assessments (draft, update, submit, sign, amend), scores, maps, plans, "
        "FHIR and exports. Authenticate with `Authorization: Bearer <token>` (create one "
        "on your profile page) or a signed-in session. Errors are RFC 9457 problem "
        "details. Our own open instrument, not the proprietary NMT metrics."
    ),
    auth=AUTH,
    urls_namespace="api_v1",
    docs_url="/docs",
    docs_decorator=login_required,
)
api_v1.add_router("", router)
api_v1.add_router("", staffing_router)
problems.install(api_v1)
