"""Errors that gankit raises for bad input; each message names the problem and the fix."""


class GankitError(Exception):
    """Base class: the CLI prints these as one clear line instead of a traceback."""

    exit_code = 2


class ConfigError(GankitError, ValueError):
    """A config key, value or combination that cannot be used."""


class DataError(GankitError):
    """A dataset that is missing, corrupt, empty or of the wrong shape."""


class CheckpointError(GankitError):
    """A run folder or checkpoint that cannot be read, or cannot be resumed with this config."""


class RunBusy(GankitError):
    """Another process is training this run folder: one writer per run."""


class TrainingDiverged(GankitError):
    """The game produced a NaN/inf or ran away; the last good checkpoint is kept."""

    exit_code = 1


class TrainingInterrupted(GankitError):
    """SIGINT/SIGTERM arrived: a checkpoint was written and training stopped."""

    exit_code = 130


class GankitWarning(UserWarning):
    """Something gankit worked around (an older checkpoint used, a stale lock taken over); the CLI prints one line."""


class AudioUnavailable(GankitError):
    """FluidSynth or a General MIDI soundfont is missing: MIDI and piano rolls are still written."""
