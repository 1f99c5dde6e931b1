"""The profile page's forms."""

from django import forms
from django.conf import settings

from accounts.models import Notification
from accounts.selectors import time_zone_choices
from core import number_format


class NotificationPreferencesForm(forms.Form):
    def __init__(self, *args, kinds: list[Notification], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.value] = forms.BooleanField(
                label=kind.label, required=False
            )

    def enabled(self) -> dict[Notification, bool]:
        """Return each offered kind mapped to whether it is ticked (a valid form)."""
        return {Notification(name): value for name, value in self.cleaned_data.items()}


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app, or (to verify a sign-in) a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "required": True,
                "spellcheck": "false",
            }
        ),
    )


class DisplayPreferencesForm(forms.Form):
    """How numbers are typed and shown, and the time zone times are shown in."""

    number_format = forms.ChoiceField(
        label="Number format",
        required=False,
        help_text="Amounts, quantities and rates are typed and shown this way; "
        "the API always uses 1234.56.",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Times are shown in it, with its name (stored times stay UTC).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_format = number_format.default_format()
        self.fields["number_format"].choices = [
            ("", f"The default: {default_format.label}"),
            *number_format.NUMBER_FORMAT_CHOICES,
        ]
        self.fields["time_zone"].choices = [
            ("", f"The default: {settings.TIME_ZONE_DEFAULT}"),
            *((zone, zone.replace("_", " ")) for zone in time_zone_choices()),
        ]
