"""Template helpers for the portal: permission checks and accessible form fields."""

from django import forms, template
from django.utils import timezone
from django.utils.html import format_html

from identity.authorization import may as principal_may

register = template.Library()


@register.filter
def may(principal, permission):
    """``{% if current_principal|may:"groups:write" %}``: hide what the principal may not use."""
    return principal is not None and principal_may(principal, permission)


@register.filter
def when(moment, empty="Never"):
    """A moment as ``<time>``, "2026-12-01 10:40 UTC": every page shows dates with their zone.

    ``{{ secret.expires_at|when }}``; ``{{ x|when:"—" }}`` for another word when there is none.
    """
    if not moment:
        return empty
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    zone = local.tzname() or "UTC"
    return format_html(
        '<time datetime="{}">{} {}</time>', local.isoformat(timespec="seconds"), local.strftime("%Y-%m-%d %H:%M"), zone
    )


@register.filter
def described(field):
    """Render a bound field's widget tied to its help text and errors (``aria-describedby``)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    attrs = {}
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field):
    """Checkboxes or radio buttons: a fieldset with a legend, one label per choice."""
    widget = field.field.widget
    return isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect))


@register.filter
def is_checkbox(field):
    widget = field.field.widget
    return getattr(widget, "input_type", None) == "checkbox" and not getattr(widget, "allow_multiple_selected", False)


@register.filter
def choice_groups(field):
    """``[(kind, [checkbox…])]`` for checkboxes whose choices are grouped, else ``[]``.

    Django renders grouped choices' subwidgets as one flat list, in the choices' order: this
    puts them back in their groups, so each group can be a fieldset with its own legend.
    """
    choices = getattr(field.field, "choices", ())
    if not is_choice_group(field) or not any(isinstance(options, (list, tuple)) for _, options in choices):
        return []
    subwidgets = iter(field.subwidgets)
    groups = []
    for group, options in choices:
        if isinstance(options, (list, tuple)):
            groups.append((group, [next(subwidgets) for _ in options]))
        else:
            groups.append(("", [next(subwidgets)]))
    return groups
