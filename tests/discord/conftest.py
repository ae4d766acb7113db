"""Fixtures: a fake Discord on 127.0.0.1 and the real discord.py client logged in to it.

Defined in ``tests/support/discord.py`` so other packages (the drill) use the same ones.
"""

from tests.support.discord import bot, chat, fake, start_bot  # noqa: F401
