"""Versioned prompt files (data). Read only through app.core.prompts."""
