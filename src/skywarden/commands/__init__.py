"""Sub-commands of the ``skywarden`` CLI, one module each; ``cli.py`` registers them.

Modules here keep heavy imports inside the command functions so ``skywarden --help``
stays fast.
"""
