"""A round trip through a third-party Open311 client against the app served for real (threaded Werkzeug).

`georeport` (PyPI, Apache-2.0; requests + xmltodict) reads services, a service definition, request searches and
one request, in json and in xml, and has to understand what we serve. It cannot post (its README says so; the
other clients on PyPI, `three` 0.8.0 and `open311` 1.1, are Python 2 only), so the POST is the spec's own
form-encoded request sent with `requests`, as any app would send it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests

from dashboard.services.clock import utcnow
from tests.integration.conftest import make_token
from tests.integration.test_open311_api import OFFSET, spec_form

georeport = pytest.importorskip("georeport")


def _as_list(value: object) -> list:
    # xmltodict gives a dict for a single child and a list for several.
    return value if isinstance(value, list) else [value]


def test_georeport_reads_what_the_spec_form_post_created(live_server, grid_app, inside_point) -> None:
    lon, lat = inside_point
    base = f"{live_server}/open311/v2"
    key = make_token(grid_app, "channel")
    sent = requests.post(f"{base}/requests.xml", data=spec_form(key, lon, lat), timeout=30)
    assert sent.status_code == 200 and sent.headers["Content-Type"] == "text/xml; charset=utf-8"
    request_id = re.search(r"<service_request_id>(\d+)</service_request_id>", sent.text).group(1)
    served = requests.get(f"{base}/services.json", timeout=30).json()
    since = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    for fmt in ("json", "xml"):
        client = georeport.GeoReport(base, jurisdiction="tongzhou.gov.cn", output_format=fmt)
        services = client.get_service_list()
        assert [s["service_code"] for s in services] == [s["service_code"] for s in served]
        assert {str(s["metadata"]).lower() for s in services} == {"true", "false"}

        definition = client.get_service_definition("0101")
        assert definition["service_code"] == "0101"
        if fmt == "json":
            attribute = definition["attributes"][0]
            values = attribute["values"]
        else:
            attribute = _as_list(definition["attributes"]["attribute"])[0]
            values = _as_list(attribute["values"]["value"])
        assert attribute["code"] == "condition" and [v["key"] for v in values] == ["010101", "010102"]

        found = _as_list(client.get_service_requests(service_request_id=request_id))
        assert [r["service_request_id"] for r in found] == [request_id]
        searched = _as_list(client.get_service_requests(service_code="0101", status="open", start_date=since))
        assert request_id in [r["service_request_id"] for r in searched]

        one = client.get_service_request(request_id)
        assert (one["service_request_id"], one["status"], one["service_code"]) == (request_id, "open", "0101")
        assert OFFSET.fullmatch(one["requested_datetime"]) and one["description"] == "楼上漏水，邻里纠纷，请求调解"
        assert "张" not in str(one) and "13912345678" not in str(one)

        with pytest.raises(requests.HTTPError) as missing:
            client.get_service_request("999999999")
        assert missing.value.response.status_code == 404
