"""Python's cycle collector kept out of the agent's way.

A full collection walks every object the process holds: Textual's widgets and styles,
SQLAlchemy's tables, all the loaded code. On a 2-vCPU host that is 100-300 ms, and Python
starts one when enough objects were allocated: in the middle of Ctrl+N or Ctrl+S (measured
in a real terminal: six during four phone orders, 1.35 s in all).

So what the app loads as it starts is frozen out of every later walk (it lives as long as
the app anyway), and the full collection waits for a pause: the app calls `tick` when
neither a key nor a click came for a while, and it runs if something reached the oldest
generation since the last one.
The younger generations are collected as Python does (a few ms each). A long busy spell
without a pause still gets a full collection after `BUSY_LIMIT` middle ones, so memory
stays bounded.
"""

from __future__ import annotations

import gc

BUSY_LIMIT = 100  # middle-generation collections before a full one runs regardless


class IdleCollector:
    def __init__(self) -> None:
        self.started = False

    def start(self) -> None:
        """As the app starts: what is loaded is frozen, the full collections deferred."""
        self.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, BUSY_LIMIT)
        self.started = True

    @staticmethod
    def freeze() -> None:
        """What lives now (modules, classes, the database's metadata, the screens' code)
        lives as long as the app: out of every later walk. Textual's caches also leave
        tens of thousands of short-lived objects per page of orders, so a full collection
        came every few searches and held up the keystroke it fell on."""
        gc.freeze()

    def tick(self) -> bool:
        """In a pause: a full collection if something reached the oldest generation since
        the last one. Says whether it ran."""
        if not self.started or gc.get_count()[2] == 0:
            return False
        gc.collect()
        return True
