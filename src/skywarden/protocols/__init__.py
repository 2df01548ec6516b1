"""The field's protocols, outbound and inbound: Cursor-on-Target (TAK), ASTERIX CAT062.

One module per protocol, each built on the published library of its community (pytak and
takproto for CoT, asterix-decoder to check our CAT062 encoder). See docs/protocols.md.
"""
