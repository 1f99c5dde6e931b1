from django.core.management.base import CommandError

from core.commands import ScheduledCommand
from invoicing.notifications import send_rejected_invoices_digest


class Command(ScheduledCommand):
    help = "E-mail AP clerks the rejected invoices awaiting correction, with their top finding."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the invoices and who would get the e-mail; send nothing.",
        )

    def handle(self, *args, dry_run, **options):
        try:
            digest = send_rejected_invoices_digest(dry_run=dry_run)
        except OSError as exc:  # smtplib's errors are OSErrors too
            raise CommandError(
                f"The digest was not sent: the mail server failed ({exc})."
            ) from None
        self.job_counts.update(
            RejectedInvoices=len(digest.invoices), EmailsSent=digest.sent
        )
        if not digest.invoices:
            self.stdout.write("No rejected invoices: nothing to send.")
            return
        self.stdout.write(
            f"{len(digest.invoices)}{'+' if digest.more else ''} rejected invoice(s):"
        )
        for invoice in digest.invoices:
            self.stdout.write(
                f"  {invoice.invoice_number} ({invoice.vendor_name}, "
                f"{invoice.po_number}): {invoice.top_finding or 'no finding recorded'}"
            )
        names = ", ".join(user.get_username() for user in digest.recipients)
        if dry_run:
            self.stdout.write(
                f"Dry run: would e-mail {names or 'nobody'}; sent nothing."
            )
        elif not digest.recipients:
            self.stdout.write(
                "No AP clerk with an e-mail address wants the digest: nothing sent."
            )
        else:
            self.stdout.write(f"Sent {digest.sent} e-mail(s): {names}.")
