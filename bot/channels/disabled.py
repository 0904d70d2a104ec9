"""A channel whose credentials are not set stays off: the server still starts,
and the channel's webhook says why it does not answer."""

from __future__ import annotations

from http import HTTPStatus

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


def off_blueprint(name: str, service: str) -> Blueprint:
    blueprint = Blueprint(name, __name__)

    @blueprint.route("/", methods=["GET", "POST"])
    @blueprint.route("/<path:path>", methods=["GET", "POST"])
    async def not_configured(_: Request, path: str = "") -> HTTPResponse:
        return response.text(f"{service} is not configured on this server.", status=HTTPStatus.SERVICE_UNAVAILABLE)

    return blueprint
