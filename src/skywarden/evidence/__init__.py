"""Evidence-grade inputs: a hash chain over every accepted raw record, and replay.

``chain`` (the byte layout), ``rawlog`` (the chain in a run directory), ``canonical``
(the outputs as comparable bytes) and ``stamp`` (version and configuration) depend on
nothing above ``model``; ``runs``, ``stores`` and ``bundle`` rebuild the stages to
replay a run directory or a store and write a signed evidence folder. See
docs/evidence.md.
"""
