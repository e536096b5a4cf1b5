"""Label review: suspected label errors, verdicts, their CSV form, corrections applied to splits."""
