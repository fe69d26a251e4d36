"""The dashboard's interface strings in English and Spanish.

A small keyed table (as :mod:`dhkit.legal.strings`): templates read strings by key and a
test fails when a key lacks a language. Numbers are formatted by the report's
:class:`dhkit.report.i18n.Translator`, so a figure reads the same on the site and in print.

>>> s("compare", "es")
'Comparar'
"""

from __future__ import annotations

from dhkit.report.evidence import WORDS as REPORT_WORDS

LANGS = ("en", "es")

#: words the printed report already translates (legal statuses, recommendations, weighting):
#: taken from it, so the site and the report never word them differently
_FROM_REPORT = ("recs", "area", "items", "met", "partly_met", "not_met", "unknown", "actors",
                "evidence", "codes", "weights")

STRINGS: dict[str, dict[str, str]] = {
    **{key: REPORT_WORDS[key] for key in _FROM_REPORT},
    "site_title": {"en": "Results dashboard", "es": "Tablero de resultados"},
    "skip": {"en": "Skip to content", "es": "Saltar al contenido"},
    "home": {"en": "Overview", "es": "Resumen"},
    "indicators": {"en": "Indicators", "es": "Indicadores"},
    "indicator": {"en": "Indicator", "es": "Indicador"},
    "compare": {"en": "Compare", "es": "Comparar"},
    "legal": {"en": "Legal review", "es": "Revisión legal"},
    "downloads": {"en": "Downloads", "es": "Descargas"},
    "about": {"en": "About the data", "es": "Acerca de los datos"},
    "codebook": {"en": "Codebook", "es": "Libro de códigos"},
    "codebook_intro": {
        "en": "The variables of the survey instrument: name, question, type and answer codes. "
              "It describes the questions only; no answer of any respondent is published here.",
        "es": "Las variables del instrumento de la encuesta: nombre, pregunta, tipo y códigos "
              "de respuesta. Describe solo las preguntas; aquí no se publica ninguna respuesta "
              "de ninguna persona."},
    "codebook_link": {"en": "The variables of the instrument are described in the codebook",
                      "es": "Las variables del instrumento se describen en el libro de códigos"},
    "cb_name": {"en": "Variable", "es": "Variable"},
    "cb_label": {"en": "Question", "es": "Pregunta"},
    "cb_type": {"en": "Type", "es": "Tipo"},
    "cb_choices": {"en": "Answer codes", "es": "Códigos de respuesta"},
    "cb_sensitive": {"en": "self-completed", "es": "autodiligenciada"},
    "cb_csv": {"en": "codebook as CSV", "es": "libro de códigos en CSV"},
    "countries": {"en": "Countries", "es": "Países"},
    "countries_title": {"en": "Country comparison", "es": "Comparación entre países"},
    "countries_intro": {
        "en": "Each country's figures are its own published national estimates (its design, "
              "weights and disclosure rules); no rows are pooled across countries.",
        "es": "Las cifras de cada país son sus propias estimaciones nacionales publicadas (su "
              "diseño, ponderaciones y reglas de divulgación); no se combinan filas entre "
              "países."},
    "within_spoken": {"en": "the two groups differ significantly in this country",
                      "es": "los dos grupos difieren de forma significativa en este país"},
    "country_differences": {"en": "Differences between countries",
                            "es": "Diferencias entre países"},
    "country_pair": {"en": "Countries (b − a)", "es": "Países (b − a)"},
    "difference_pp": {"en": "Difference (pp)", "es": "Diferencia (pp)"},
    "country_diff_spoken": {"en": "significant (p < 0.05)", "es": "significativa (p < 0,05)"},
    "reading": {"en": "How to read the tables", "es": "Cómo leer los cuadros"},
    "reading_intro": {
        "en": "Every table on this page follows these rules; each table points back here.",
        "es": "Todos los cuadros de esta página siguen estas reglas; cada cuadro remite aquí."},
    "reading_pointer": {
        "en": "Country figures, range, combined figure and differences: see",
        "es": "Cifras de país, rango, cifra combinada y diferencias: véase"},
    "diff_pointer": {
        "en": "Country b minus country a, in percentage points; ▲ p < 0.05. How the test is "
              "made: see",
        "es": "País b menos país a, en puntos porcentuales; ▲ p < 0,05. Cómo se hace la "
              "prueba: véase"},
    "ranges": {"en": "Ranges across countries", "es": "Rangos entre países"},
    "ranges_note": {
        "en": "From the lowest to the highest published country estimate; countries whose "
              "figure is suppressed or not collected are left out and named.",
        "es": "De la estimación nacional publicada más baja a la más alta; los países cuya "
              "cifra está suprimida o no se recogió quedan fuera y se nombran."},
    "lowest": {"en": "lowest", "es": "más bajo"},
    "highest": {"en": "highest", "es": "más alto"},
    "left_out": {"en": "left out", "es": "fuera"},
    "language": {"en": "Language", "es": "Idioma"},
    "other_lang": {"en": "Español", "es": "English"},
    "key_figures": {"en": "Key figures", "es": "Cifras clave"},
    "pick": {"en": "Pick an indicator", "es": "Elija un indicador"},
    "show": {"en": "Show", "es": "Mostrar"},
    "overall": {"en": "Overall", "es": "Total"},
    "by_domain": {"en": "By domain", "es": "Por dominio"},
    "domain": {"en": "Domain", "es": "Dominio"},
    "level": {"en": "Group", "es": "Grupo"},
    "estimate_pct": {"en": "Per cent", "es": "Porcentaje"},
    "ci": {"en": "95% CI", "es": "IC 95 %"},
    "n": {"en": "Unweighted n", "es": "n no ponderado"},
    "flag": {"en": "Note", "es": "Nota"},
    "caution": {"en": "interpret with caution", "es": "interpretar con cautela"},
    "sig_spoken": {"en": "significant difference, see the notes",
                   "es": "diferencia significativa, véanse las notas"},
    "suppressed": {"en": "not shown (base below threshold)",
                   "es": "no se muestra (base bajo el umbral)"},
    "base": {"en": "Base", "es": "Base"},
    "chart": {"en": "Chart", "es": "Gráfico"},
    "all_answers": {"en": "All answers", "es": "Todas las respuestas"},
    "answer": {"en": "Answer", "es": "Respuesta"},
    "answers_note": {"en": "Largest share first; catch-all answers (such as “Other”) last.",
                     "es": "Primero la mayor proporción; las respuestas genéricas (como "
                           "«Otro») al final."},
    "answers_note_ordinal": {"en": "Answers in the order of their scale.",
                             "es": "Respuestas en el orden de su escala."},
    "chart_note": {"en": "Dots are estimates, lines their 95% confidence intervals; "
                         "suppressed estimates are left out.",
                   "es": "Los puntos son estimaciones y las líneas sus intervalos de confianza "
                         "del 95 %; las estimaciones suprimidas se omiten."},
    "download_table": {"en": "Download this table", "es": "Descargar esta tabla"},
    "csv": {"en": "CSV", "es": "CSV"},
    "xlsx": {"en": "Excel", "es": "Excel"},
    "section": {"en": "Chapter", "es": "Capítulo"},
    "compare_title": {"en": "Compare two groups", "es": "Comparar dos grupos"},
    "compare_intro": {
        "en": "Pick an indicator, a domain and two of its groups. The difference is tested "
              "with a design-based t-test on the linearised covariance of the two estimates "
              "(not adjusted for multiple comparisons).",
        "es": "Elija un indicador, un dominio y dos de sus grupos. La diferencia se contrasta "
              "con una prueba t basada en el diseño sobre la covarianza linealizada de las dos "
              "estimaciones (sin ajuste por comparaciones múltiples)."},
    "group_a": {"en": "First group", "es": "Primer grupo"},
    "group_b": {"en": "Second group", "es": "Segundo grupo"},
    "category": {"en": "Category", "es": "Categoría"},
    "difference": {"en": "Difference (second − first), percentage points",
                   "es": "Diferencia (segundo − primero), puntos porcentuales"},
    "p_value": {"en": "p-value", "es": "valor p"},
    "significant": {"en": "The difference is significant at the {pct} level.",
                    "es": "La diferencia es significativa al nivel del {pct}."},
    "not_significant": {"en": "The difference is not significant at the {pct} level.",
                        "es": "La diferencia no es significativa al nivel del {pct}."},
    "untestable": {"en": "No test: both shares are fixed by definition (0 % or 100 %), so the "
                         "difference has no sampling variation.",
                   "es": "Sin prueba: ambas proporciones están fijadas por definición (0 % o "
                         "100 %), así que la diferencia no tiene variación muestral."},
    "hidden_pair": {"en": "Not shown: one of the groups has a base below the suppression "
                          "threshold.",
                    "es": "No se muestra: uno de los grupos tiene una base inferior al umbral "
                          "de supresión."},
    "same_group": {"en": "Pick two different groups.", "es": "Elija dos grupos distintos."},
    "needs_js": {"en": "The comparison needs JavaScript; the same tests are in contrasts.csv "
                       "(Downloads).",
                 "es": "La comparación necesita JavaScript; las mismas pruebas están en "
                       "contrasts.csv (Descargas)."},
    "legal_title": {"en": "Legal and policy checklist", "es": "Lista de verificación legal "
                                                              "y de políticas"},
    "legal_intro": {"en": "Share of checklist items by answer, per area (items that apply).",
                    "es": "Proporción de ítems de la lista por respuesta, por área (ítems "
                          "aplicables)."},
    "total": {"en": "Total", "es": "Total"},
    "gaps": {"en": "Items not met", "es": "Ítems no cumplidos"},
    "linked_recs": {"en": "Recommendations", "es": "Recomendaciones"},
    "no_legal": {"en": "This study has no legal assessment yet.",
                 "es": "Este estudio aún no tiene evaluación legal."},
    "no_recs": {"en": "This study has no recommendations yet.",
                "es": "Este estudio aún no tiene recomendaciones."},
    "checklist_items": {"en": "checklist items", "es": "ítems de la lista"},
    "files": {"en": "Files", "es": "Archivos"},
    "dl_estimates": {"en": "All published estimates (overall and by domain), with CIs, bases "
                           "and flags", "es": "Todas las estimaciones publicadas (total y por "
                                              "dominio), con IC, bases y marcas"},
    "dl_pairs": {"en": "Every two-group comparison with its design-based test",
                 "es": "Cada comparación entre dos grupos con su prueba basada en el diseño"},
    "dl_workbook": {"en": "Workbook: one sheet of estimates, one of comparisons",
                    "es": "Libro: una hoja de estimaciones y otra de comparaciones"},
    "dl_manifest": {"en": "Manifest: dhkit version, settings and file hashes",
                    "es": "Manifiesto: versión de dhkit, parámetros y huellas de los archivos"},
    "dl_json": {"en": "The same data as JSON", "es": "Los mismos datos en JSON"},
    "disclosure_rule": {
        "en": "Values in parentheses: unweighted base of {caution}–{caution_hi}, interpret with "
              "caution. *: not shown, unweighted base below {suppress}.",
        "es": "Valores entre paréntesis: base no ponderada de {caution} a {caution_hi}, "
              "interpretar con cautela. *: no se muestra, base no ponderada inferior a "
              "{suppress}."},
    "synthetic": {"en": "Synthetic data: every figure here comes from a generated demo study, "
                        "not from any real child.",
                  "es": "Datos sintéticos: todas las cifras provienen de un estudio de "
                        "demostración generado, no de ningún niño o niña real."},
    "precision_public": {
        "en": "Each indicator page shows every figure with its 95% confidence interval and "
              "unweighted base; the downloads hold the same.",
        "es": "Cada página de indicador muestra cada cifra con su intervalo de confianza del "
              "95 % y su base no ponderada; las descargas contienen lo mismo."},
    "published_only": {"en": "Only published, disclosure-checked aggregates are shown.",
                       "es": "Solo se muestran agregados publicados y revisados para evitar "
                             "la divulgación."},
    "generated": {"en": "Generated by dhkit {version}.", "es": "Generado por dhkit {version}."},
    # team server
    "team": {"en": "Team", "es": "Equipo"},
    "login": {"en": "Sign in", "es": "Iniciar sesión"},
    "logout": {"en": "Sign out", "es": "Cerrar sesión"},
    "username": {"en": "User name", "es": "Nombre de usuario"},
    "password": {"en": "Password", "es": "Contraseña"},
    "signed_in_as": {"en": "Signed in as {user} ({role})",
                     "es": "Sesión de {user} ({role})"},
    "bad_login": {"en": "Wrong user name or password.",
                  "es": "Nombre de usuario o contraseña incorrectos."},
    "too_many": {"en": "Too many attempts; try again in {s} seconds.",
                 "es": "Demasiados intentos; vuelva a intentarlo en {s} segundos."},
    "precision": {"en": "Precision", "es": "Precisión"},
    "precision_title": {"en": "Standard errors and design effects",
                        "es": "Errores estándar y efectos de diseño"},
    "se": {"en": "SE (pp)", "es": "EE (pp)"},
    "deff": {"en": "Design effect", "es": "Efecto de diseño"},
    "nw": {"en": "Weighted n", "es": "n ponderado"},
    "appendix": {"en": "Sampling-error appendix", "es": "Anexo de errores de muestreo"},
    "imports": {"en": "Import and quarantine", "es": "Importación y cuarentena"},
    "imports_note": {"en": "Counts only; no microdata values are shown.",
                     "es": "Solo recuentos; no se muestran valores de microdatos."},
    "table": {"en": "Table", "es": "Tabla"},
    "rows": {"en": "Rows", "es": "Filas"},
    "quarantined": {"en": "Quarantined", "es": "En cuarentena"},
    "file": {"en": "File", "es": "Archivo"},
    "when": {"en": "When (UTC)", "es": "Cuándo (UTC)"},
    "accepted": {"en": "Accepted", "es": "Aceptadas"},
    "problems": {"en": "Validation problems by code", "es": "Problemas de validación por código"},
    "code": {"en": "Code", "es": "Código"},
    "n_problems": {"en": "Problems", "es": "Problemas"},
    "rows_by_table": {"en": "Rows by table", "es": "Filas por tabla"},
    "import_log": {"en": "Files imported", "es": "Archivos importados"},
    "warnings_kept": {"en": "Warnings (data kept)", "es": "Advertencias (datos conservados)"},
    "warnings_note": {
        "en": "Warnings quarantine nothing: the rows they concern stay in the tables and in "
              "every estimate. Check them (dhkit import --report lists each one) and, where "
              "an export lost rows, re-import it.",
        "es": "Las advertencias no ponen nada en cuarentena: las filas afectadas siguen en "
              "las tablas y en todas las estimaciones. Revíselas (dhkit import --report las "
              "lista una a una) y, si a una exportación le faltan filas, vuelva a importarla."},
    "restricted": {"en": "Restricted", "es": "Restringido"},
    "restricted_title": {"en": "Law-enforcement capacity: restricted answers",
                         "es": "Capacidad de las fuerzas del orden: respuestas restringidas"},
    "restricted_banner": {"en": "RESTRICTED — for national authorities only. Every view is "
                                "recorded in the audit log.",
                          "es": "RESTRINGIDO — solo para autoridades nacionales. Cada consulta "
                                "queda registrada en el registro de auditoría."},
    "question": {"en": "Question", "es": "Pregunta"},
    "year": {"en": "Year", "es": "Año"},
    "value": {"en": "Answer", "es": "Respuesta"},
    "note": {"en": "Note", "es": "Nota"},
    "no_restricted": {"en": "No restricted answers have been imported.",
                      "es": "No se han importado respuestas restringidas."},
    "users": {"en": "Users", "es": "Usuarios"},
    "role": {"en": "Role", "es": "Rol"},
    "created": {"en": "Created (UTC)", "es": "Creado (UTC)"},
    "add_user": {"en": "Add a user", "es": "Añadir un usuario"},
    "remove": {"en": "Remove", "es": "Eliminar"},
    "add": {"en": "Add", "es": "Añadir"},
    "done": {"en": "Done.", "es": "Hecho."},
    "forbidden": {"en": "You may not see this page.", "es": "No puede ver esta página."},
    "not_found": {"en": "Page not found.", "es": "Página no encontrada."},
    "full_csv": {"en": "Estimates with SEs and design effects (CSV)",
                 "es": "Estimaciones con EE y efectos de diseño (CSV)"},
    "role_analyst": {"en": "analyst", "es": "analista"},
    "role_restricted": {"en": "restricted", "es": "restringido"},
    "role_admin": {"en": "admin", "es": "administración"},
}


def s(key: str, lang: str = "en", **kwargs) -> str:
    """The string ``key`` in ``lang`` (English if the language lacks it)."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
