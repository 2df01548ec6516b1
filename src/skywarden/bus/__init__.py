"""skywarden.bus: event transport between the pipeline and its consumers.

``InProcessBus`` is the embedded default (one process); see ``base.Bus`` for the seam a
NATS JetStream transport implements (``jetstream.NatsBus``, imported on demand).
"""

from skywarden.bus.base import TOPICS, Bus, Message
from skywarden.bus.memory import InProcessBus

__all__ = ["TOPICS", "Bus", "InProcessBus", "Message"]
