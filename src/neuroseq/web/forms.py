"""Forms: field-level checks and labels. Business rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from neuroseq.assessment import EARLIEST_DATE, AssessmentError, decode_text
from neuroseq.web.models import CareTeam, ClientStatus, Role, ViewerKind
from neuroseq.web.models.accounts import normalise_email


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return normalise_email(self.cleaned_data.get("username"))

    error_messages = {
        "invalid_login": "Email or password is not right. Check both and try again.",
        "inactive": "This account is not active. Ask your organisation admin.",
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError("Expected the six digits your authenticator app shows.")
        return token


class ClientFilterForm(forms.Form):
    q = forms.CharField(label="Search name or id", required=False, max_length=100)
    team = forms.ModelChoiceField(
        label="Care team", queryset=CareTeam.objects.none(), required=False, empty_label="All teams"
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *ClientStatus.choices], required=False
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class ClientForm(forms.Form):
    display_id = forms.CharField(
        label="Pseudonymous id",
        max_length=32,
        help_text="Shown in lists and exports instead of the name, e.g. RC-0042.",
    )
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    birth_date = forms.DateField(
        label="Birth date", help_text="YYYY-MM-DD", widget=forms.DateInput(attrs={"type": "date"})
    )
    care_team = forms.ModelChoiceField(label="Care team", queryset=CareTeam.objects.none())
    status = forms.ChoiceField(label="Status", choices=ClientStatus.choices)
    placement = forms.CharField(label="Placement (optional)", max_length=200, required=False)
    caregivers = forms.CharField(label="Caregivers (optional)", max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, teams: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["care_team"].queryset = teams
        if editing:
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = (
                "The form is missing its version; reload the page and make the change again."
            )
        else:
            del self.fields["version"]

    def clean_birth_date(self) -> Any:
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("Expected a date in the past.")
        if value < EARLIEST_DATE:
            raise forms.ValidationError(f"Expected a date on or after {EARLIEST_DATE}.")
        return value


class AssessmentStartForm(forms.Form):
    assessment_date = forms.CharField(
        label="Date of the assessment",
        help_text="The day of the review, as YYYY-MM-DD. Ages are worked out from it.",
        widget=forms.DateInput(attrs={"type": "date"}),
        max_length=10,
    )
    rater = forms.CharField(
        label="Who is rating (optional)",
        help_text="A name or role, e.g. the staffing lead.",
        max_length=120,
        required=False,
    )


def decode_document(text: str, *, yaml_file: bool) -> Any:
    """JSON (or YAML) text to data; ``ValueError`` with a message for the form field.

    The one place an imported document is decoded, so the size, nesting and count limits
    of ``neuroseq.assessment.decode_text`` apply here.
    """
    try:
        return decode_text(text, yaml_text=yaml_file, max_bytes=settings.NEUROSEQ_MAX_JSON_BYTES)
    except AssessmentError as exc:
        message = str(exc)
        raise ValueError(f"{message[0].upper()}{message[1:]}.") from None


class AssessmentInputForm(forms.Form):
    """Import an assessment file: pasted, or uploaded (JSON, or YAML by file name)."""

    file = forms.FileField(
        label="Assessment file (.json, .yaml)",
        required=False,
        help_text="A file from neuroseq example, the command line or another system.",
    )
    inputs = forms.CharField(
        label="Or paste the file's text",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        required=False,
        help_text="The child's pseudonym and birth date are taken from this client's record.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, text = data.get("file"), (data.get("inputs") or "").strip()
        if upload is None and not text:
            self.add_error("inputs", "Choose a file or paste its text.")
            return data
        name = ""
        if upload is not None:
            limit = settings.NEUROSEQ_MAX_JSON_BYTES
            if upload.size > limit:
                self.add_error("file", f"Expected a file of at most {limit // 1024} KB.")
                return data
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "Expected a UTF-8 text file (JSON or YAML).")
                return data
            name = upload.name.lower()
        field = "file" if upload is not None else "inputs"
        try:
            parsed = decode_document(text, yaml_file=name.endswith((".yaml", ".yml")))
        except ValueError as exc:
            self.add_error(field, str(exc))
            return data
        if not isinstance(parsed, dict):
            self.add_error(field, "Expected an object ({...}) at the top.")
            return data
        data["inputs"] = parsed
        return data


AssessmentImportForm = AssessmentInputForm


class AmendForm(forms.Form):
    reason = forms.CharField(
        label="What is being corrected, and why",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


class MemberForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        help_text="They get a link by email to choose their own password; it works once.",
    )
    full_name = forms.CharField(label="Full name", max_length=200)
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; a few unrelated words are easy to remember.",
    )
    new_password2 = forms.CharField(
        label="The same password again",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="User email contains", required=False, max_length=254)
    client = forms.CharField(label="Client id", required=False, max_length=32)
    action = forms.CharField(label="Action starts with", required=False, max_length=60)
    date_from = forms.DateField(
        label="From (YYYY-MM-DD)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To (YYYY-MM-DD)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Expected a date on or after the From date.")
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=120)


class TeamMemberForm(forms.Form):
    team = forms.ModelChoiceField(label="Care team", queryset=CareTeam.objects.none())
    member = forms.ModelChoiceField(label="Member", queryset=CareTeam.objects.none())

    def __init__(self, *args: Any, teams: Any, people: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams.order_by("name")
        self.fields["member"].queryset = (
            people.exclude(role=Role.VIEWER).select_related("user").order_by("user__email")
        )
        self.fields["member"].label_from_instance = lambda m: m.user.email


class ViewerLinkForm(forms.Form):
    viewer = forms.ModelChoiceField(label="Caregiver or teacher", queryset=CareTeam.objects.none())
    kind = forms.ChoiceField(
        label="They are the child's",
        choices=ViewerKind.choices,
        initial=ViewerKind.CAREGIVER,
        widget=forms.RadioSelect,
        help_text='A caregiver reads about "your child"; a teacher reads about the pupil by name.',
        required=False,
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ViewerKind.CAREGIVER

    def __init__(self, *args: Any, viewers: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["viewer"].queryset = viewers
        self.fields["viewer"].label_from_instance = lambda m: m.user.email
