"""Truth generators, one module per family: drones, manned aircraft, birds.

Each generator is a pure function of a configuration, the sector geography, a launch
time and its own random stream, returning a ``Target``; the scheduler decides when.
"""
