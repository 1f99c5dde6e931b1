from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, Profile
from accounts.services import api_token_create, api_token_revoke

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    # E-mail preferences are each user's own choice, on their profile page.
    fields = ("approval_limit",)
    can_delete = False
    verbose_name_plural = "Approval limit"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "approval_limit":
            # Said here rather than on the model, whose help text would need a
            # migration for a label: limits are compared in the base currency.
            field.help_text = (
                "Largest PO this approver may approve, in "
                f"{settings.BASE_CURRENCY} (a PO in another currency is converted "
                "at the exchange rate of the approval's day). Empty = the default "
                "limit from settings."
            )
        return field


class P2PUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "roles",
        "is_active",
    )
    list_filter = ("groups", "is_active", "is_superuser")

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


admin.site.unregister(User)
admin.site.register(User, P2PUserAdmin)


class ApiTokenCreateForm(forms.ModelForm):
    """A new token: whose, what for, how long it lives and whether it may write."""

    lifetime_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
        required=False,
        help_text=f"From 1 to {settings.API_TOKEN_MAX_DAYS} days; empty: "
        f"{settings.API_TOKEN_DEFAULT_DAYS}.",
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name", "read_only")


_SHOWN = (
    "prefix",
    "created_at",
    "expires_at",
    "read_only",
    "last_used_at",
    "revoked_at",
)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "read_only",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "read_only")
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = _SHOWN
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A token acts as its user with no second factor of its own, so only
        # a superuser may issue one (for anyone, a superuser included).
        return request.user.is_superuser

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "lifetime_days", "read_only")
        return ("user", "name", *_SHOWN)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("user", *_SHOWN)
        return ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        token, raw = api_token_create(
            user=obj.user,
            name=obj.name,
            lifetime_days=form.cleaned_data["lifetime_days"],
            read_only=form.cleaned_data["read_only"],
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            f"New API token for {obj.user}: {raw} — copy it now, it is not shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        messages.success(request, f"Revoked {queryset.count()} token(s).")
