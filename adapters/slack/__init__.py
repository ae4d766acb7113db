"""The Slack surface: ``/interview``, DMs and channel threads, via slack-bolt's AsyncApp.

Entry points: ``run_slack`` (used by ``python -m bot slack``) and ``build_slack_app``.
"""

from adapters.slack.app import build_slack_app, build_slack_bot, run_slack

__all__ = ["build_slack_app", "build_slack_bot", "run_slack"]
