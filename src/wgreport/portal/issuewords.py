"""A member's validation issues in the reader's language: moved to `wgreport.issuewords`
(the live preview shows them too, and may not import the portal); kept here by name."""

from __future__ import annotations

from ..issuewords import HINTS, MESSAGES, code_meaning, issue_hint, issue_message

__all__ = ["HINTS", "MESSAGES", "code_meaning", "issue_hint", "issue_message"]
