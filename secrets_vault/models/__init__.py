"""Secrets vault models, one module per concept."""

from .secrets import Secret, SecretStatus, SecretType
from .usages import SecretUsage

__all__ = ["Secret", "SecretStatus", "SecretType", "SecretUsage"]
