"""`python -m glintefy ARGS...` runs the glintefy binary with ARGS: same commands and flags,
stdin/stdout/stderr and exit status passed through. Without a binary it says how to get one
and exits with 127 (126 when the binary exists but cannot be started)."""
import sys


def main(argv=None):
    from glintefy._binary import exec_binary
    return exec_binary(sys.argv[1:] if argv is None else list(argv))


if __name__ == "__main__":
    sys.exit(main())
