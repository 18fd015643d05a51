#!/usr/bin/env python3
"""A stand-in for the glintefy binary that `glintefy mcp` runs for its tools
(GLINTEFY_MCP_EXE): records its arguments, and answers `review ... cache` with a JSON report
and `review ... profile` by sleeping, so tests can see argument mapping, progress,
cancellation and time limits without depending on those commands."""
import json
import os
import sys
import time

args = sys.argv[1:]
log = os.environ.get("FAKE_GLINTEFY_LOG")
if log:
    with open(log, "a") as fp:
        fp.write(json.dumps({"pid": os.getpid(), "args": args, "cwd": os.getcwd()}) + "\n")
if "cache" in args:
    print(json.dumps({"summary": "fake review: 2 caches to keep", "args": args}))
elif "profile" in args:
    print("fake profile: working", file=sys.stderr, flush=True)
    time.sleep(60)
else:
    print("fake glintefy: unexpected arguments %r" % args, file=sys.stderr)
    sys.exit(2)
