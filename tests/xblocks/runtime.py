"""A minimal XBlock runtime for the tests: in-memory JSON state, recorded events, a chosen i18n service.

It subclasses ``xblock.runtime.Runtime`` the way a real host does (the workbench, Open edX, the site):
field data through ``KvsFieldData``, handlers through ``Runtime.handle`` with a webob ``Request``, and
``publish`` recording the events. State goes through JSON on every write, as it would in a database.
"""

import gettext
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dx_assessment.i18n import to_locale
from webob import Request, Response
from xblock.fields import Scope, ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData, MemoryIdManager, Runtime

LEARNER = "learner-1"


class JsonKeyValueStore(DictKeyValueStore):
    """Stores a JSON copy of every value, so non-JSON state fails here and not in production."""

    def set(self, key, value):
        super().set(key, json.loads(json.dumps(value)))

    def set_many(self, update_dict):
        for key, value in update_dict.items():
            self.set(key, value)


@dataclass(frozen=True)
class Event:
    usage_id: str
    user_id: Any
    name: str
    data: dict


class MemoryRuntime(Runtime):
    def __init__(self, *, i18n: Any = None) -> None:
        self.ids = MemoryIdManager()
        self.kvs = JsonKeyValueStore()
        services = {"field-data": KvsFieldData(self.kvs)}
        if i18n is not None:
            services["i18n"] = i18n
        super().__init__(self.ids, self.ids, services=services)
        self.events: list[Event] = []

    # -- what a runtime must provide --------------------------------------------------------------

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/handler/{block.scope_ids.usage_id}/{handler_name}/{suffix}"

    def resource_url(self, resource):
        return f"/resource/{resource}"

    def local_resource_url(self, block, uri):
        return f"/local/{block.scope_ids.block_type}/{uri}"

    def publish(self, block, event_type, event_data):
        self.events.append(Event(block.scope_ids.usage_id, block.scope_ids.user_id, event_type, event_data))

    # -- helpers for the tests ----------------------------------------------------------------------

    def add(self, xml: str) -> str:
        return self.parse_xml_string(xml)

    def block(self, usage_id: str, user_id: Any = LEARNER):
        def_id = self.id_reader.get_definition_id(usage_id)
        block_type = self.id_reader.get_block_type(def_id)
        return self.construct_xblock(block_type, ScopeIds(user_id, block_type, def_id, usage_id))

    def render_html(self, usage_id: str, view: str = "student_view", user_id: Any = LEARNER) -> str:
        """The wrapped fragment's body, with its JSON init arguments decoded (as a browser reads them)."""
        html = self.render(self.block(usage_id, user_id), view).body_html()
        scripts = re.findall(r'<script type="json/xblock-args"[^>]*>(.*?)</script>', html, re.DOTALL)
        return html + "".join(json.dumps(json.loads(script), ensure_ascii=False) for script in scripts)

    def post(
        self,
        usage_id: str,
        handler: str,
        payload: Any = None,
        *,
        user_id: Any = LEARNER,
        body: bytes | None = None,
    ) -> Response:
        data = body if body is not None else json.dumps(payload).encode()
        request = Request.blank("/", method="POST", body=data, content_type="application/json")
        return self.handle(self.block(usage_id, user_id), handler, request)

    def user_state(self, usage_id: str, user_id: Any = LEARNER) -> dict[str, Any]:
        return {
            key.field_name: value
            for key, value in self.kvs.db_dict.items()
            if key.scope == Scope.user_state and key.user_id == user_id and key.block_scope_id == usage_id
        }

    def named(self, name: str) -> list[dict]:
        return [event.data for event in self.events if event.name == name]


class OpenEdxLikeI18n:
    """Like Open edX's XBlockI18nService: the block's ``<module dir>/translations`` catalog, domain text."""

    def __init__(self, block_class: type, language: str) -> None:
        module_dir = Path(sys.modules[block_class.__module__].__file__).parent
        self.translator = gettext.translation(
            "text", localedir=str(module_dir / "translations"), languages=[to_locale(language)], fallback=True
        )

    def __getattr__(self, name):
        return getattr(self.translator, "gettext" if name == "ugettext" else name)


class DjangoLikeI18n:
    """Like the workbench's service (Django's translation module): knows the language, not the catalog."""

    def __init__(self, language: str) -> None:
        self.language = language

    def get_language(self) -> str:
        return self.language

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return singular if number == 1 else plural
