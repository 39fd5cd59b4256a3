"""Errors a user can act on.

Every error the package raises for bad data or bad options is a :class:`VrcGeoError`, so the app and the
CLI can show its message (never a traceback). Bad option values are also ``ValueError`` so that callers
who think in Python terms can catch them as such.
"""

from __future__ import annotations

__all__ = [
    "BoundaryError",
    "DataNotFoundError",
    "InputFileError",
    "OutputError",
    "ParameterError",
    "SchemaError",
    "ServiceError",
    "VrcGeoError",
]


class VrcGeoError(Exception):
    """Base class: the message says what went wrong and what to do about it."""


class DataNotFoundError(VrcGeoError, FileNotFoundError):
    """No crime or boundary data could be found where we looked."""


class InputFileError(VrcGeoError):
    """A file could not be read at all (not a CSV, not a zip, unsafe zip, unreadable bytes...)."""


class SchemaError(InputFileError, ValueError):
    """A file was read but its columns are not the expected ones."""


class BoundaryError(InputFileError):
    """A boundary file is unreadable or holds no usable areas."""


class ParameterError(VrcGeoError, ValueError):
    """An option has a bad value; the message lists the allowed values or range."""


class ServiceError(VrcGeoError):
    """An online service failed, refused or was out of reach."""


class OutputError(VrcGeoError):
    """A file could not be written (a folder in the way, a full disk, another user's file...)."""
