"""Exceptions prepub raises when a run cannot be done. Findings are never exceptions.

::

    PrepubError
      RulePackError        a rule pack is invalid (file, rule code, field, reason)
      InputError           the input is not a usable article (missing, binary, undecodable,
                           over the size limit)
      AuditLogError        an audit log cannot be read or written
      StageError           a stage crashed; carries the stage name and the original error

Every message is one line a user can act on; the CLI prints it as ``error: ...`` and exits 2.
"""

from __future__ import annotations


class PrepubError(Exception):
    """Root of every error prepub raises on purpose."""


class RulePackError(PrepubError):
    """A rule pack failed to load or validate.

    Example:
        >>> try:
        ...     load_rule_packs("my_rules/")
        ... except RulePackError as exc:
        ...     print(exc)  # my_rules/advice.toml: rule ADV-EN-001: regex[0]: ...
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class InputError(PrepubError):
    """The input cannot be read as an article."""


class AuditLogError(PrepubError):
    """An audit log cannot be appended to or read."""


class StageError(PrepubError):
    """A pipeline stage raised; the article fails closed (never ``publish``)."""

    def __init__(self, stage: str, cause: BaseException) -> None:
        self.stage = stage
        self.cause = cause
        super().__init__(f"stage {stage} failed: {type(cause).__name__}: {cause}")
