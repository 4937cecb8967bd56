"""``python -m bench.staff_import.worker JOB_ID``: run one queued staff import as a worker process does
(``staff_import_run_task``) and print the seconds it took, the process's peak resident memory in MB and
the job's outcome (JSON). A process of its own per import, as a worker's child is, so that the memory is
the import's and not what earlier runs of the benchmark left behind."""

import json
import resource
import sys
import time


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from lms_site.organisation.models import StaffImport
    from lms_site.organisation.tasks import staff_import_run_task
    from lms_site.organisation.tenancy import platform_wide

    job_id = int(argv[0])
    started = time.perf_counter()
    staff_import_run_task(job_id)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with platform_wide():
        job = StaffImport.objects.get(pk=job_id)
    print(
        json.dumps({"seconds": elapsed, "peak_rss_mb": peak_mb, "summary": job.summary, "errors": job.errors})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
