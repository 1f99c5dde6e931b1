"""The profile page's form."""

from django import forms

from accounts.models import Notification


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
