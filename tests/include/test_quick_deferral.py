"""quick_deferral.FirstLookAfter: a deferred provider operator's trigger, first look delayed.

The trigger the provider builds is carried as its class path and serialized kwargs, as the
triggerer receives any trigger; the inner trigger here is a real BaseTrigger that reports when
it first looked.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.providers.amazon.aws.triggers.glue import GlueJobCompleteTrigger
from airflow.serialization.serialized_objects import BaseSerialization
from airflow.triggers.base import BaseTrigger, TriggerEvent

from covid_lake.tasks.deferral import FIRST_LOOK_SECONDS, FirstLookAfter, trigger_class


class LookClock(BaseTrigger):
    """Fires at once with the time of its first look."""

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{__name__}.LookClock", {"label": self.label}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TriggerEvent({"label": self.label, "looked_at": time.time()})


async def _events(trigger: BaseTrigger) -> list[TriggerEvent]:
    return [event async for event in trigger.run()]


def test_the_inner_trigger_looks_only_after_the_delay_and_its_events_pass_through():
    wrapped = FirstLookAfter.wrapping(LookClock("glue"), 0.4)
    [event] = asyncio.run(_events(wrapped))
    assert event.payload["label"] == "glue"
    assert event.payload["looked_at"] >= wrapped.first_look_at


def test_a_first_look_already_due_does_not_wait():
    wrapped = FirstLookAfter("tests.include.test_quick_deferral.LookClock", {"label": "late"},
                             first_look_at=time.time() - 60)
    [event] = asyncio.run(_events(wrapped))
    assert event.payload["looked_at"] - time.time() < 1


def test_the_provider_trigger_survives_the_triggerers_serialization_round_trip():
    glue = GlueJobCompleteTrigger(job_name="covid-lake-load-redshift", run_id="jr_1", waiter_delay=5,
                                  waiter_max_attempts=7, aws_conn_id="aws_default",
                                  botocore_config={"retries": {"max_attempts": 3}})
    before = time.time()
    classpath, kwargs = FirstLookAfter.wrapping(glue, FIRST_LOOK_SECONDS).serialize()
    # what the triggerer stores and rebuilds (Airflow's own serializer for trigger kwargs)
    stored = BaseSerialization.deserialize(BaseSerialization.serialize(kwargs))
    rebuilt = trigger_class(classpath)(**stored)
    assert isinstance(rebuilt, FirstLookAfter)
    assert before + FIRST_LOOK_SECONDS <= rebuilt.first_look_at <= time.time() + FIRST_LOOK_SECONDS
    inner = trigger_class(rebuilt.trigger_classpath)(**rebuilt.trigger_kwargs)
    assert isinstance(inner, GlueJobCompleteTrigger)
    assert inner.serialize() == glue.serialize()
