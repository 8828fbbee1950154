"""What the skill remembers or skips between requests to save work gives exactly what working it out
afresh gives: pages said (whole or from partway), the start of a place, the store's borrowed
connections on errors, and the handler picked for a request."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

import pytest
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentRequest, Request, RequestEnvelope, Session
from ask_sdk_runtime.dispatch_components.request_components import (
    GenericRequestHandlerChain,
    GenericRequestMapper,
)
from footwork.core import load_catalog
from footwork.core.levels import levels
from footwork.core.narration import MODES, Narration, narrate
from footwork.core.ssml import to_ssml
from footwork.core.transcript import to_text
from footwork.skill import replies
from footwork.skill.builder import skill_builder
from footwork.skill.conversation import request_handlers
from footwork.skill.handler import Handler, IndexedRequestMapper, intent_name
from footwork.skill.place import _positions, _start_of, moved, place_at, place_of_page, start_of
from footwork.skill.skill_events import SkillDisabled
from footwork.skill.stores import StoreError
from footwork.skill.stores.sqlite import SQLiteStore

CATALOG = load_catalog()
ROUTINES = [routine.id for routine in CATALOG.routines]


def _narrations(routine_id: str) -> list[Narration]:
    routine = CATALOG.get(routine_id)
    assert routine is not None
    return [narrate(routine, level, mode, briefing, pace)
            for level, mode, briefing, pace in itertools.product(
                levels(routine), MODES, ("full", "reminder"), ("normal", "slow"))]


def _offsets(narration: Narration, index: int) -> list[int]:
    """0 and every cue of page ``index`` where a position opens: where a page is said from."""
    positions = _positions(narration)
    first = positions.starts[index]
    keys = positions.keys
    cues = len(narration.pages[index].cues)
    return [0, *(n for n in range(1, cues) if keys[first + n] != keys[first + n - 1])]


def _afresh(narration: Narration, index: int, offset: int) -> tuple[object, ...]:
    """What speak_index worked out for every request before pages were remembered."""
    page = narration.pages[index]
    skipped = offset or replies.settled(narration, index)
    if skipped:
        cues = page.cues[skipped:]
        ssml, text = to_ssml(cues, page.prompt), to_text(cues, page.prompt)
    else:
        ssml, text = page.ssml, page.text
    said = place_at(narration, index, offset)
    reprompt = None if page.prompt is None else replies.escape(page.prompt)
    due = None if page.prompt is None else place_of_page(narration, index + 1)
    return (replies.inner(ssml), text, said, replies.card_title(said, narration.routine), reprompt, due)


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_a_page_said_from_memory_is_the_page_put_together_afresh(routine_id: str) -> None:
    for narration in _narrations(routine_id):
        for index in range(len(narration.pages)):
            for offset in _offsets(narration, index):
                said = replies._page_said(narration, index, offset)
                assert replies._page_said(narration, index, offset) is said  # from memory
                assert (said.body, said.text, said.place, said.title, said.reprompt, said.due) == _afresh(
                    narration, index, offset)


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_only_the_last_page_has_no_prompt(routine_id: str) -> None:
    # speak_index records the routine as done on a page without a prompt, and else says the page after.
    for narration in _narrations(routine_id):
        last = len(narration.pages) - 1
        assert [page.prompt is None for page in narration.pages] == [False] * last + [True]


def test_a_page_remembered_for_another_narration_is_not_taken_for_this_one() -> None:
    routine = CATALOG.get(ROUTINES[0])
    assert routine is not None
    narration = narrate(routine)
    said = replies._page_said(narration, 0, 0)
    # A narration equal to the first but another object: its id differs, or the kept object tells them apart.
    twin = Narration(narration.routine, narration.level, narration.mode, narration.timeline, narration.pages)
    again = replies._page_said(twin, 0, 0)
    assert again.narration is twin and said.narration is narration
    assert (again.body, again.text, again.place) == (said.body, said.text, said.place)


def test_pages_remembered_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replies, "PAGES_REMEMBERED", 3)
    monkeypatch.setattr(replies, "_pages_said", {})
    routine = CATALOG.get(ROUTINES[0])
    assert routine is not None
    for narration in _narrations(routine.id)[:4]:
        replies._page_said(narration, 0, 0)
    assert len(replies._pages_said) == 3


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_the_start_of_a_place_from_memory_is_the_start_worked_out_afresh(routine_id: str) -> None:
    for narration in _narrations(routine_id):
        positions = _positions(narration)
        for index in range(len(narration.pages)):
            place = place_of_page(narration, index)
            # The page's own place, the same from where its position opens (after a change of mode or
            # level), and parts this narration may lack (set three, round nine, the other side).
            for asked in (place, moved(place), moved(place, set=3, round=9),
                          moved(place, side="left" if place.side == "right" else "right")):
                found = start_of(narration, asked)
                assert start_of(narration, asked) == found == _start_of(positions, narration, asked)
                assert positions.started[asked] == found


def test_starts_remembered_per_narration_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import footwork.skill.place as place_module

    monkeypatch.setattr(place_module, "STARTS_REMEMBERED", 2)
    routine = CATALOG.get(ROUTINES[0])
    assert routine is not None
    narration = narrate(routine, mode="hands-free", pace="slow", briefing="reminder")
    positions = _positions(narration)
    positions.started.clear()
    for round_number in range(1, 6):
        start_of(narration, moved(place_of_page(narration, 0), round=round_number))
    assert len(positions.started) == 2


# --- the store's borrowed connections -----------------------------------------------------------------


def test_a_failed_statement_is_a_store_error_naming_the_action_and_the_connection_is_not_kept(
        tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    store.init()
    kept = store.open_connections()
    with pytest.raises(StoreError, match=r"db\.sqlite3: checking things failed: .*no such table") as raised:
        with store._connection("checking things") as connection:
            connection.execute("INSERT INTO nowhere VALUES (1)")
    # "no such table" is an OperationalError: the connection is still fit and is given back.
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    assert store.open_connections() == kept
    with pytest.raises(StoreError, match="checking again failed"):
        with store._connection("checking again") as connection:
            connection.execute("CREATE TABLE t (x UNIQUE)")
            connection.execute("INSERT INTO t VALUES (1)")
            connection.execute("INSERT INTO t VALUES (1)")  # IntegrityError: not an OperationalError
    assert store.open_connections() == kept - 1  # closed, not given back
    store.close()


def test_an_error_that_is_not_sqlites_passes_through_rolled_back_and_the_connection_closed(
        tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "db.sqlite3")
    store.init()
    with pytest.raises(KeyError):
        with store._connection("writing") as connection:
            connection.execute("BEGIN")
            connection.execute("INSERT INTO users (user_id, attributes, updated_at) VALUES ('a', '{}', 'x')")
            raise KeyError("mine")
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        connection.execute("SELECT 1")
    assert store.get_by_user_id("a") is None  # the transaction was rolled back
    store.close()


# --- picking the handler ----------------------------------------------------------------------------


def _inputs() -> list[HandlerInput]:
    """A request of every type and intent Footwork's handlers name, and others no handler names."""
    names: set[str | None] = {None, "AMAZON.FallbackIntent", "NoSuchIntent", ""}
    types = {"LaunchRequest", "IntentRequest", "SessionEndedRequest", "AlexaSkillEvent.SkillDisabled",
             "AlexaSkillEvent.SkillEnabled", "AudioPlayer.PlaybackStarted", "System.ExceptionEncountered",
             "Made.Up"}
    for handler in request_handlers(CATALOG):
        assert isinstance(handler, Handler)
        names.update(handler.intents)
        types.add(handler.request_type)
    inputs = []
    for request_type in sorted(types):
        for name in sorted(names, key=str):
            if request_type == "IntentRequest":
                request: Request = IntentRequest(intent=None if name is None else Intent(name=name))
            else:
                request = Request(object_type=request_type)  # type: ignore[abstract]  # the base, any type
            envelope = RequestEnvelope(request=request, session=Session(new=False, attributes={}))
            inputs.append(HandlerInput(request_envelope=envelope))
    inputs.append(HandlerInput(request_envelope=RequestEnvelope(request=None)))
    return inputs


class _OnlyOnTuesdays(Handler):
    """A handler with a can_handle of its own, between plain ones (as a pack's might be)."""

    asked = 0

    def can_handle(self, handler_input: HandlerInput) -> bool:
        type(self).asked += 1
        return intent_name(handler_input) == "AMAZON.YesIntent"


def _picked(mapper: GenericRequestMapper, handler_input: HandlerInput) -> object:
    try:
        chain = mapper.get_request_handler_chain(handler_input)
    except Exception as error:  # noqa: BLE001 - the same failure is the same answer
        return (type(error), str(error))
    return None if chain is None else chain.request_handler


@pytest.mark.parametrize("extra", [False, True])
def test_the_indexed_mapper_picks_the_handler_the_sdks_mapper_picks(extra: bool) -> None:
    handlers = list(request_handlers(CATALOG))
    if extra:
        handlers.insert(5, _OnlyOnTuesdays(CATALOG))
    builder = skill_builder(CATALOG, SQLiteStore(":memory:"))
    chains = [GenericRequestHandlerChain(request_handler=SkillDisabled())]
    chains += [GenericRequestHandlerChain(request_handler=h) for h in handlers]
    sdks, ours = GenericRequestMapper(chains), IndexedRequestMapper(chains)
    for handler_input in _inputs():
        assert _picked(ours, handler_input) == _picked(sdks, handler_input)
    # What the app and the Lambda handler run: our builder gives the indexed mapper over its own chains.
    (mapper,) = builder.runtime_configuration.request_mappers
    assert isinstance(mapper, IndexedRequestMapper)
    assert [c.request_handler.__class__ for c in mapper.request_handler_chains] == [
        SkillDisabled, *(h.__class__ for h in request_handlers(CATALOG))]


def test_a_handler_with_its_own_can_handle_is_still_asked_in_its_turn() -> None:
    chains = [GenericRequestHandlerChain(request_handler=h) for h in
              (_OnlyOnTuesdays(CATALOG), *request_handlers(CATALOG))]
    mapper = IndexedRequestMapper(chains)
    _OnlyOnTuesdays.asked = 0
    yes = RequestEnvelope(request=IntentRequest(intent=Intent(name="AMAZON.YesIntent")))
    chain = mapper.get_request_handler_chain(HandlerInput(request_envelope=yes))
    assert chain is not None and isinstance(chain.request_handler, _OnlyOnTuesdays)
    assert _OnlyOnTuesdays.asked == 1

