"""``python -m bench.staff_import.upload MUNICIPALITY_ID FILE YYYY-MM-DD RETIRE(0|1)``: store a staff file as
an import job, as the import screen does with an upload (prints the job's id and the seconds it took).

A process of its own, as the web process that takes an upload is not the worker that runs it: the
benchmark's process then measures the worker's memory, not the upload's (storing a 30 MB file as a
``bytea`` parameter passes it through the driver's escaping, several times its size for a moment).
"""

import datetime
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from lms_site.organisation.models import Municipality, StaffImport
    from lms_site.organisation.tenancy import municipality_scope

    municipality_id, path, day, retire = argv
    municipality = Municipality.objects.get(pk=int(municipality_id))
    started = time.perf_counter()
    with municipality_scope(municipality):
        job = StaffImport.objects.create(
            municipality=municipality,
            file_name=Path(path).name,
            content=Path(path).read_bytes(),
            effective_date=datetime.date.fromisoformat(day),
            retire_missing=retire == "1",
        )
    print(job.pk, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
