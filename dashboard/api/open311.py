"""Open311 GeoReport v2 under /open311/v2 (http://wiki.open311.org/GeoReport_v2): services, service definitions,
service requests (GET and POST) and one request, each in json or xml.

A machine API of its own, apart from /api/v1: reads need no key, and a POST authenticates with the `api_key` in its
form body only (a channel or admin account's bearer token). No session cookie is ever read here (auth.enforce lets
/open311/ through untouched), so a signed-in browser tricked into posting a form lends it nothing: without a key it
is refused like anyone. Errors are the spec's list of {code, description} (XML: <errors><error>): 403 for a
missing or bad api_key, 404 for a missing service, request, resource or format, 429 over the key's rate limit, 400
for anything else, each description naming the field.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import redis
from flask import Blueprint, Response, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, TooManyRequests
from werkzeug.routing import PathConverter

from dashboard.api.auth import Principal, principal_for_token
from dashboard.api.open311_format import FORMATS, render, render_errors
from dashboard.api.rate_limit import rate_limit
from dashboard.api.registry import Route, hooks, runtime
from dashboard.services import validate
from dashboard.services.clock import utcnow
from dashboard.services.errors import FieldError, Forbidden, NotFound
from dashboard.services.open311 import RequestQuery, catalog_services, find_request, find_requests
from dashboard.services.open311_intake import Submitted, existing_answer, idempotency_key, parse_post, submit
from dashboard.services.races import first_commit_wins

PREFIX = "/open311"
POSTERS = ("channel", "admin")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SPAN = timedelta(days=90)  # the spec: a search spans at most 90 days, the last 90 when not given
MAX_LISTED = 1000  # ids or service codes in one search
MAX_KEY_LEN = 256
# Resources that exist under other methods: what the catch-all answers 405 for instead of 404.
GET_ONLY = re.compile(r"v2/services(?:/[^/]+)?\.[^/]+|v2/requests/[^/]+\.[^/]+")
GET_AND_POST = re.compile(r"v2/requests\.[^/]+")
_REQUEST_ID = re.compile(r"[0-9]{1,19}")
REST = "open311_rest"


class RestConverter(PathConverter):
    """`<path:…>` that also spans control characters (werkzeug's `.` stops at an encoded newline, and such a path
    would fall through to the app's plain 404); it must start with `[^/]` for werkzeug's matcher to try it."""

    regex = "[^/](?s:.*?)"


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound(f"format {fmt[:20]!r} is not served here: use json or xml")
    return fmt


def _error_format() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


# ---- services ---------------------------------------------------------------------------------------------


def services(fmt: str) -> Response:
    """GET services.{fmt}: every minor class of the catalog as a service."""
    fmt = _format(fmt)
    with runtime().session() as session:
        rows = [s.row() for s in catalog_services(session=session).values()]
    return render(fmt, "services", rows)


def service_definition(service_code: str, fmt: str) -> Response:
    """GET services/{code}.{fmt}: the service's attributes (none when it has one filing condition)."""
    fmt = _format(fmt)
    with runtime().session() as session:
        found = catalog_services(session=session).get(service_code)
    if found is None:
        raise NotFound(f"service_code {service_code[:20]!r} is not a service here (GET services lists them)")
    return render(fmt, "service_definition", found.definition())


# ---- reading requests -------------------------------------------------------------------------------------


def _listed(name: str, *, max_len: int = 20_000) -> list[str]:
    """A comma-delimited argument that may also be declared several times, as separate non-empty items."""
    parts = []
    for raw in request.args.getlist(name):
        text = validate.text(raw, name, max_len=max_len, multiline=False) or ""
        parts += [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > MAX_LISTED:
        raise FieldError(name, f"lists at most {MAX_LISTED} items")
    return parts


def _date(name: str, tz: str, *, end_of_day: bool) -> datetime | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise FieldError(name, "is given more than once")
    raw = values[0] if values else None
    # w3 format with its offset, e.g. 2010-01-01T00:00:00Z; a bare date is the center's local day.
    return validate.instant(raw, name, tz=tz, end_of_day=end_of_day, offset_required=True)


def _query(tz: str) -> RequestQuery:
    ids = tuple(
        validate.int_arg(p, "service_request_id", low=1, high=validate.INT64_MAX) or 0
        for p in _listed("service_request_id")
    )
    codes = tuple(validate.code(c, "service_code", max_len=16) or "" for c in _listed("service_code"))
    statuses = tuple(validate.choice(s, "status", ("open", "closed")) for s in _listed("status"))
    start = _date("start_date", tz, end_of_day=False)
    end = _date("end_date", tz, end_of_day=True)
    if start is not None and end is not None:
        if end < start:
            raise FieldError("end_date", "lies before start_date")
        if end - start > SPAN:
            raise FieldError("end_date", "a search may span at most 90 days from start_date")
    elif start is not None:
        end = start + SPAN
    else:
        end = end or utcnow()
        start = end - SPAN
    return RequestQuery(ids=ids, service_codes=codes, start=start, end=end, statuses=statuses)


def requests_list(fmt: str) -> Response:
    """GET requests.{fmt}: Open311 requests by ids, or by service, date range (90 days at most) and status."""
    fmt = _format(fmt)
    rt = runtime()
    query = _query(rt.settings.timezone)
    with rt.session() as session:
        found = catalog_services(session=session)
        rows = find_requests(query, session=session, services=found, tz=rt.settings.timezone)
    return render(fmt, "service_requests", rows)


def request_one(request_id: str, fmt: str) -> Response:
    """GET requests/{id}.{fmt}: one request (a list of one, as the spec shows it)."""
    fmt = _format(fmt)
    rt = runtime()
    row = None
    if _REQUEST_ID.fullmatch(request_id) and 0 < int(request_id) <= validate.INT64_MAX:
        with rt.session() as session:
            found = catalog_services(session=session)
            row = find_request(int(request_id), session=session, services=found, tz=rt.settings.timezone)
    if row is None:
        raise NotFound(f"service_request_id {request_id[:24]!r}: no such service request")
    return render(fmt, "service_requests", [row])


# ---- posting a request ------------------------------------------------------------------------------------


def _poster(form: dict[str, list[str]]) -> Principal:
    """The channel account whose api_key the form carries; 403 for a missing, bad or unfit key."""
    values = form.get("api_key") or []
    if len(values) > 1:
        raise Forbidden("api_key: is given more than once")
    key = values[0] if values else ""
    if not key:
        where = "not in the URL (URLs are logged) but " if request.args.get("api_key") else ""
        raise Forbidden(f"api_key: is required, {where}in an application/x-www-form-urlencoded body")
    principal = principal_for_token(key) if len(key) <= MAX_KEY_LEN else None
    if principal is None:
        raise Forbidden("api_key: invalid or revoked")
    if principal.role not in POSTERS:
        raise Forbidden(f"api_key: belongs to a {principal.role} account; service requests need a channel's key")
    return principal


def request_create(fmt: str) -> Response:
    """POST requests.{fmt}: a form-encoded service request becomes a case; a repeat answers the first one."""
    fmt = _format(fmt)
    form = request.form.to_dict(flat=False) if request.mimetype in FORM_TYPES else {}
    principal = _poster(form)  # who is asking before what they sent: a 403 never leaks field checks
    token_id = principal.token_id
    if token_id is None:  # principal_for_token always carries one; a session principal has no key to post with
        raise Forbidden("api_key: is not a channel's token")
    rate_limit("open311", principal)
    rt = runtime()
    tz = rt.settings.timezone
    key = idempotency_key(request.headers.get("Idempotency-Key"), token_id)
    with rt.session() as session:
        posted = parse_post(form, services=catalog_services(session=session))

    def attempt(session: Session) -> Submitted:
        return submit(
            posted,
            session=session,
            grids=rt.grid_index(),
            county_code=rt.settings.county_code,
            tz=tz,
            channel=principal.name,
            token_id=token_id,
            key=key,
            now=utcnow(),
        )

    def winner(session: Session) -> Submitted | None:
        # A concurrent retry with the same key committed first: answer with its request.
        if key is None:
            return None
        return existing_answer(session=session, key=key, channel=principal.name, posted=posted, tz=tz)

    done = first_commit_wins(rt.session, attempt, winner)
    if done.created:
        hooks().after_commit()
    answer = {"service_request_id": str(done.case_id), "service_notice": done.service_notice}
    return render(fmt, "service_requests", [{**answer, "account_id": done.account_id}])


# ---- everything else under /open311 -----------------------------------------------------------------------


def unknown(rest: str) -> Response:
    """Any other path or method under /open311: the spec's error list rather than a bare 404/405."""
    both = GET_AND_POST.fullmatch(rest)
    if both or GET_ONLY.fullmatch(rest):
        response = render_errors(_error_format(), 405, f"{request.method} is not served here")
        response.headers["Allow"] = "GET, POST" if both else "GET"
        return response
    return render_errors(
        _error_format(),
        404,
        "no such Open311 resource: GeoReport v2 serves /open311/v2/services.{json|xml}, services/{code}.{fmt}, "
        "requests.{fmt} (GET, POST) and requests/{id}.{fmt}",
    )


ROUTES: tuple[Route, ...] = (
    Route("/v2/services.<fmt>", ("GET",), services),
    Route("/v2/services/<service_code>.<fmt>", ("GET",), service_definition),
    Route("/v2/requests.<fmt>", ("GET",), requests_list),
    Route("/v2/requests.<fmt>", ("POST",), request_create),
    Route("/v2/requests/<request_id>.<fmt>", ("GET",), request_one),
    Route(f"/<{REST}:rest>", ("GET", "POST", "PUT", "PATCH", "DELETE"), unknown),
)


# ---- errors -----------------------------------------------------------------------------------------------


def _error(status: int, description: str) -> Response:
    return render_errors(_error_format(), status, description)


def _field_error(exc: FieldError) -> Response:
    return _error(400, str(exc))


def _not_found(exc: NotFound) -> Response:
    return _error(404, str(exc))


def _forbidden(exc: Forbidden) -> Response:
    return _error(403, str(exc))


def _too_many(exc: TooManyRequests) -> Response:
    response = _error(429, f"api_key: {exc.description}")
    retry = getattr(exc, "retry_after", None)
    if retry is not None:
        response.headers["Retry-After"] = str(retry)
    return response


def _http(exc: HTTPException) -> Response:
    status = exc.code or 400
    if status == 413:
        return _error(413, "body: larger than this server accepts")
    return _error(status, exc.description or exc.name)


def _unavailable(exc: Exception) -> Response:
    # Nothing was half-written (the transaction rolled back): the client may retry.
    name = "database" if isinstance(exc, OperationalError) else "redis"
    response = _error(503, f"{name}: unavailable; retry shortly")
    response.headers["Retry-After"] = "5"
    return response


def blueprint() -> Blueprint:
    """The /open311 blueprint, served from ROUTES, answering every error in the spec's shape."""
    bp = Blueprint("open311", __name__, url_prefix=PREFIX)
    bp.record_once(lambda state: state.app.url_map.converters.setdefault(REST, RestConverter))
    for route in ROUTES:
        bp.add_url_rule(route.rule, view_func=route.view, methods=list(route.methods))
    bp.register_error_handler(FieldError, _field_error)
    bp.register_error_handler(NotFound, _not_found)
    bp.register_error_handler(Forbidden, _forbidden)
    bp.register_error_handler(TooManyRequests, _too_many)
    bp.register_error_handler(HTTPException, _http)
    bp.register_error_handler(OperationalError, _unavailable)
    bp.register_error_handler(redis.RedisError, _unavailable)
    return bp
