"""Exceptions of the glintefy package. Every failure of a glintefy call is a GlintefyError."""


class GlintefyError(Exception):
    """A glintefy operation failed. str(e) is the message (the tool's own, when it gave one)."""


class BinaryNotFoundError(GlintefyError):
    """The glintefy binary is not installed where the package looks (see glintefy.find_binary)."""


class CommandFailedError(GlintefyError):
    """The binary ran and failed. Attributes: argv (the command), returncode, stdout, stderr
    (text), and message (the tool's message: its stderr, stripped)."""

    def __init__(self, message, argv=None, returncode=None, stdout="", stderr=""):
        GlintefyError.__init__(self, message)
        self.message = message
        self.argv = list(argv or [])
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


class UnsupportedCommandError(CommandFailedError):
    """The binary found does not have this command (it is older than the package, or the
    command has not been built into it yet)."""
