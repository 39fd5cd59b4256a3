"""A person's browser session over Streamlit's websocket (``/_stcore/stream``, protobuf messages).

Shared by ``benchmarks/bench_load.py`` (many people changing filters) and ``tests/test_serve.py`` (fresh
servers opened by several people at once): each rerun is timed to the server's "script finished", and an
exception box or a run that ends badly is kept in ``errors``.
"""

from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

WIDGETS = {"Months": "slider", "Districts (none = all 13)": "multiselect", "Map measure": "radio"}
MEASURES = ["Count", "Rate per 1,000 residents", "Change on previous period"]
RUN_TIMEOUT_S = 600


class Session:
    """One person: a websocket session that reruns the app with changed widget values."""

    def __init__(self, url: str, page: str) -> None:
        self.url, self.page = url, page
        self.ids: dict[str, str] = {}
        self.months: list[str] = []
        self.errors: list[str] = []

    async def __aenter__(self) -> Session:
        ws_url = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self.socket = await websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=self.url, max_size=2**28, open_timeout=60
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()

    async def run(self, states: dict[str, object] | None = None) -> float:
        """Rerun with ``states`` (widget label -> value); seconds until the script finished."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = self.page
        for label, value in (states or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = self.ids[label]
            if isinstance(value, str):
                state.string_value = value
            else:
                state.string_array_value.data.extend(value)
        start = time.perf_counter()
        await self.socket.send(msg.SerializeToString())
        while True:
            data = await asyncio.wait_for(self.socket.recv(), RUN_TIMEOUT_S)
            forward = ForwardMsg()
            forward.ParseFromString(data)
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._notice(forward.delta.new_element)
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app reran itself (st.rerun): the person is still waiting
                if forward.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    self.errors.append(f"script finished with status {forward.script_finished}")
                return time.perf_counter() - start

    def _notice(self, element: object) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors.append(element.exception.message[:200])
        elif kind in ("slider", "multiselect", "radio"):
            widget = getattr(element, kind)
            if widget.label in WIDGETS:
                self.ids[widget.label] = widget.id
                if widget.label == "Months":
                    self.months = list(widget.options)
