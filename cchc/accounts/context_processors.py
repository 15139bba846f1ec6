from typing import Any

from django.http import HttpRequest

from .permissions import Action, can


def permissions(request: HttpRequest) -> dict[str, Any]:
    """Expose `can.<action>` to templates so navigation shows only what the role allows."""
    user = getattr(request, "user", None)
    return {"can": {a.value: can(user, a) for a in Action}}
