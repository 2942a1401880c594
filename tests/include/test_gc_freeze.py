"""tasks/gc_freeze.before_task, in a fresh interpreter (freezing is process-wide): what a task
process holds when the task starts is frozen; the young generations' cyclic garbage is freed
first; what the task builds afterwards stays collectable
(https://docs.python.org/3/library/gc.html#gc.freeze)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import gc, json, weakref
from covid_lake.tasks import gc_freeze

class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the collector frees it

freed = []
held = Node()                       # alive when the task starts
garbage = Node()                    # cyclic garbage, still in the young generation
weakref.finalize(garbage, freed.append, "young garbage")
del garbage
before = gc.get_freeze_count()
gc_freeze.before_task({"ti": None})
frozen = gc.get_freeze_count() - before
held_is_walked = any(o is held for o in gc.get_objects())
later = Node()                      # what the task builds
weakref.finalize(later, freed.append, "task's garbage")
del later
gc.collect()
print(json.dumps({"frozen": frozen, "held_is_walked": held_is_walked, "freed": freed}))
"""


def test_before_task_frees_young_garbage_freezes_the_rest_and_leaves_the_task_collectable():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["frozen"] > 1000  # the interpreter's and the imports' objects
    assert out["held_is_walked"] is False
    assert out["freed"] == ["young garbage", "task's garbage"]
