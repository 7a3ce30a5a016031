"""Assert what was refused, not how it reads: the codes of a `ValidationError` (and of its subclasses)."""

from django.core.exceptions import ValidationError


def error_codes(error: ValidationError) -> dict[str, list[str | None]]:
    """`{field: [code, …]}` of a refusal; errors bound to no field are under `"__all__"` (as in a form)."""
    return {field: [e.code for e in errors] for field, errors in error.update_error_dict({}).items()}
