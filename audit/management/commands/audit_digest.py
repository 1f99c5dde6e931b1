from audit.services import audit_digest_write
from core.commands import ScheduledCommand


class Command(ScheduledCommand):
    help = (
        "Write the next signed audit digest, covering every record whose chain "
        "moved since the previous one (scheduled hourly)."
    )

    def handle(self, *args, **options):
        written = audit_digest_write()
        self.job_counts["DigestsWritten"] = 0 if written is None else 1
        if written is None:
            self.stdout.write("No digest written: no chain moved since the last one.")
            return
        digest = written.digest
        chains = len(digest.leaves)
        self.stdout.write(
            f"Digest #{digest.number}: {chains} chain{'' if chains == 1 else 's'}, "
            f"entries from {written.first_entry_at:%Y-%m-%d %H:%M:%S} to "
            f"{written.last_entry_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"stored at {written.location}"
        )
