"""Open311's two formats: JSON (the spec's Spark mapping of its XML) and XML as the spec shows it.

A list answer is a JSON array and, in XML, a root element holding one child per item (`<services><service>`,
`<service_requests><request>`, `<errors><error>`); an object answer (the service definition) is a JSON object and
an XML element with a child per field. In XML a null is an empty element, booleans are `true`/`false`, and the
characters XML 1.0 cannot carry (C0 controls, U+FFFE/U+FFFF, lone surrogates) become U+FFFD, so what a case holds
can never make the document unreadable. Markup in the data is escaped by the serializer, never interpreted.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}
# A list element's children: the singular the spec uses under each plural.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def xml_text(value: Any) -> str:
    """A scalar as XML character data (None → empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _fill(element, ITEMS.get(name, "item"), inner)
    else:
        element.text = xml_text(value)


def to_xml(root: str, data: list[Any] | dict[str, Any]) -> str:
    """The document: `root` holding `data` (a list of items, or an object's fields)."""
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _fill(element, ITEMS[root], item)
    else:
        for key, value in data.items():
            _fill(element, key, value)
    return DECLARATION + ET.tostring(element, encoding="unicode")


def render(fmt: str, root: str, data: list[Any] | dict[str, Any], status: int = 200) -> Response:
    """`data` in `fmt` (json or xml), UTF-8 and said so in the Content-Type."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        # A lone surrogate cannot reach a case (validate.text refuses it), but JSON must stay valid UTF-8 anyway.
        body = json.dumps(data, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")
    response = Response(body, status=status, mimetype=MIMETYPES[fmt])
    response.headers["Content-Type"] = f"{MIMETYPES[fmt]}; charset=utf-8"
    return response


def render_errors(fmt: str, status: int, description: str) -> Response:
    """The spec's error list: one error whose code is the HTTP status."""
    return render(fmt, "errors", [{"code": status, "description": description}], status)
