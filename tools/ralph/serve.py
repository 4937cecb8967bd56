"""Run Ralph's LRS (``ralph.api:app``) on HOST PORT under uvicorn, as ``ralph runserver -b fs`` does, with
two differences for tests: no auto-reloader (one process, stopped by one signal), and the file-system
backend appends to a target's statements file. Ralph 5.1's ``FSLRSBackend`` writes with its data
backend's default operation, ``create``, which refuses a file that exists: every POST after the first one
of an account fails with 500 "Statements bulk indexation failed". Everything else (authentication,
validation, deduplication by id, queries) is Ralph's own.

Configuration comes from the environment, as for ``ralph runserver``: RALPH_RUNSERVER_BACKEND=fs,
RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH, RALPH_AUTH_FILE (made with ``ralph auth ... -w``).
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")
