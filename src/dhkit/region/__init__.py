"""The regional layer: several national studies compared without pooling their microdata.

``region.toml`` names the country studies (each a normal study folder with its own key,
design, weights and catalogue) and a harmonisation file that maps each country's
indicators, domains and categories to common ids. Every country figure comes from that
country's own design through the national pipeline (:func:`dhkit.report.build.analyse`,
the function behind ``dhkit report``); the regional layer then works only on the
*public* view of each country's estimates (suppressed values already blanked), so a
suppressed cell cannot reach a regional figure.

Modules: :mod:`~dhkit.region.config` (region.toml and the harmonisation file, validated
on load), :mod:`~dhkit.region.estimates` (country estimates → harmonised cells with
provenance), :mod:`~dhkit.region.compare` (ranges, combined estimates, differences),
:mod:`~dhkit.region.report` (HTML, PDF, Excel, tidy files, manifest).
"""
