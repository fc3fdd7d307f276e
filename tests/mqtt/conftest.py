"""A real Mosquitto on a free port with the generated config, the server, device clients."""

from hall_support import (  # noqa: F401  (fixtures are found by name)
    NOW, REPO, Inbox, broker, broker_files, cfg, creds, device, hall, no_leaked_threads, pinned_clock, server,
)
