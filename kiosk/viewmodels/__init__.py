"""View-models of the hall's display and console apps.

Plain Python, no Kivy: each takes the hall's published state (pydantic payloads from
``queue_server.mqtt.schemas``) and turns it into frozen snapshots a screen only has to
paint, and turns button presses into commands.  Tests drive them without a display.
"""
