"""The shipped XLSForms and the script that builds them from their YAML sources."""
