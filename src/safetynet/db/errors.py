"""Writes the database cannot take now, with a message for the person who asked.

`WriteRefused` carries Chinese text with {placeholders} (the key of the i18n
catalogue) and its values: `message` is the Chinese sentence, `localized()`
the sentence in the screen's language. Screens catch `WriteRefused` and show
it with st.error; nothing was written when it is raised.
"""

from __future__ import annotations


class WriteRefused(RuntimeError):
    def __init__(self, text: str, **values: object) -> None:
        self.text = text
        self.values = values
        self.message = text.format(**values) if values else text
        super().__init__(self.message)

    def localized(self) -> str:
        from safetynet.i18n import t

        return t(self.text, **self.values)


class DatabaseUnavailable(WriteRefused):
    """The database cannot be written at all (read-only, deleted or replaced under the app, in recovery)."""


class LockTimeout(WriteRefused):
    """Another writer held the lock longer than the configured wait."""
