"""Moved to refuge.matching.fellegi_sunter. Only refuge/tracing/matching.py still imports
this name (tracing is changed on another branch): delete this file once it imports
fellegi_sunter."""

from refuge.matching.fellegi_sunter import Model  # noqa: F401
