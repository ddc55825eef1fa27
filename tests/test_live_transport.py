"""The WebSocket transport as a browser meets it, against the real server (`python app.py`)."""
from __future__ import annotations

from websockets.sync.client import connect

from tests.live_server import BoardServer


def test_a_browsers_compression_offer_is_declined_and_messages_still_flow(tmp_path):
    """Every browser offers permessage-deflate; accepted, each reader's connection would carry its
    own zlib state and every broadcast would be compressed once per reader."""
    server = BoardServer(tmp_path).wait_ready()
    try:
        url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        with connect(url, compression="deflate", open_timeout=10) as ws:
            assert ws.response.status_code == 101
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
            assert ws.recv(timeout=10).startswith('0{"sid"')  # Engine.IO's open packet
            ws.send("40")  # connect the default namespace
            assert ws.recv(timeout=10).startswith("40")
    finally:
        server.stop()
