"""The web simulator's channel: a designer's browser as a test participant on channel
"simulator", and the machine shown back (node and kind, variables, revision, timeout, media,
the flows' problems). The HTTP routes are in `web/simulator.py`."""

from engine.channels.simulator.inputs import SimulatorError, session_of, simulator_event
from engine.channels.simulator.media import MediaFiles
from engine.channels.simulator.service import CHANNEL, Simulator
from engine.channels.simulator.view import message_json

__all__ = [
    "CHANNEL",
    "MediaFiles",
    "Simulator",
    "SimulatorError",
    "message_json",
    "session_of",
    "simulator_event",
]
