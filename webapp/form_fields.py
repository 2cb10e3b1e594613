"""What every feature's forms share: a filter and a field."""
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


def strip(value):
    """A field filter: what was typed, without surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of labelled checkboxes: usable without JavaScript, unlike a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
