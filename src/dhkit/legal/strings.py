"""The legal stage's interface strings in English and Spanish.

A small table rather than a gettext catalogue: the strings are few, are read by
templates by key, and a missing key must fail a test rather than show English silently.

>>> t("gap_title", "es")
'Informe de brechas legales y de políticas'
"""

from __future__ import annotations

LANGS = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    "gap_title": {
        "en": "Legal and policy gap report",
        "es": "Informe de brechas legales y de políticas",
    },
    "country": {"en": "Country", "es": "País"},
    "checklist": {"en": "Checklist", "es": "Lista de verificación"},
    "assessment": {"en": "Assessment", "es": "Evaluación"},
    "version": {"en": "version", "es": "versión"},
    "status": {"en": "Status", "es": "Estado"},
    "analyst": {"en": "Analyst", "es": "Analista"},
    "reviewer": {"en": "Reviewer", "es": "Revisor/a"},
    "review_date": {"en": "Review date", "es": "Fecha de revisión"},
    "summary_by_area": {"en": "Summary by area", "es": "Resumen por área"},
    "area": {"en": "Area", "es": "Área"},
    "items": {"en": "Items", "es": "Ítems"},
    "share_note": {
        "en": "Shares are of the items that apply (not applicable excluded); unknown means the evidence reviewed does not settle the item.",
        "es": "Los porcentajes se calculan sobre los ítems aplicables (se excluye «no aplica»); «desconocido» significa que la evidencia revisada no resuelve el ítem.",
    },
    "gaps_not_met": {"en": "Items not met", "es": "Ítems que no se cumplen"},
    "gaps_partly": {"en": "Items partly met", "es": "Ítems que se cumplen parcialmente"},
    "unknown_items": {
        "en": "Items the evidence does not settle",
        "es": "Ítems que la evidencia no resuelve",
    },
    "item": {"en": "Item", "es": "Ítem"},
    "question": {"en": "Question", "es": "Pregunta"},
    "answer": {"en": "Answer", "es": "Respuesta"},
    "standards": {"en": "International standards", "es": "Normas internacionales"},
    "provision": {"en": "National provision", "es": "Disposición nacional"},
    "evidence": {"en": "Evidence note", "es": "Nota de evidencia"},
    "source": {"en": "Source", "es": "Fuente"},
    "recommendations": {"en": "Recommendations", "es": "Recomendaciones"},
    "none": {"en": "none", "es": "ninguna"},
    "no_items": {"en": "No items in this group.", "es": "No hay ítems en este grupo."},
    "page": {"en": "Page", "es": "Página"},
    "of": {"en": "of", "es": "de"},
    "instruments": {"en": "Instruments cited", "es": "Instrumentos citados"},
    "generated": {"en": "Built with dhkit", "es": "Generado con dhkit"},
    "inputs": {"en": "Inputs", "es": "Insumos"},
    "matrix_title": {
        "en": "Cross-country matrix of legal and policy answers",
        "es": "Matriz comparativa entre países de las respuestas legales y de políticas",
    },
    "matrix_note": {
        "en": "One row per checklist item, one column per country.",
        "es": "Una fila por ítem de la lista y una columna por país.",
    },
    "le_title": {
        "en": "Law-enforcement capacity assessment (public findings)",
        "es": "Evaluación de la capacidad de las fuerzas del orden (resultados públicos)",
    },
    "le_restricted_title": {
        "en": "Law-enforcement capacity assessment — RESTRICTED",
        "es": "Evaluación de la capacidad de las fuerzas del orden — RESTRINGIDO",
    },
    "restricted_banner": {
        "en": "RESTRICTED — for national authorities only. Do not copy or publish.",
        "es": "RESTRINGIDO — solo para autoridades nacionales. No copiar ni publicar.",
    },
    "public_note": {
        "en": "Only items classified as public are shown; restricted findings are shared with national authorities separately.",
        "es": "Solo se muestran los ítems clasificados como públicos; los hallazgos restringidos se comparten por separado con las autoridades nacionales.",
    },
    "section": {"en": "Section", "es": "Sección"},
    "year": {"en": "Year", "es": "Año"},
    "value": {"en": "Value", "es": "Valor"},
    "note": {"en": "Note", "es": "Nota"},
    "visibility": {"en": "Visibility", "es": "Visibilidad"},
    "not_answered": {"en": "not answered", "es": "sin respuesta"},
    "recs_title": {"en": "Insights and recommendations", "es": "Hallazgos clave y recomendaciones"},
    "insight": {"en": "Insight", "es": "Hallazgo clave"},
    "recommendation": {"en": "Recommendation", "es": "Recomendación"},
    "actors": {"en": "Responsible actors", "es": "Actores responsables"},
    "evidence_links": {"en": "Evidence", "es": "Evidencia"},
    "indicators": {"en": "Indicators", "es": "Indicadores"},
    "checklist_items": {"en": "Checklist items", "es": "Ítems de la lista"},
    "interview_codes": {"en": "Interview codes", "es": "Códigos de entrevistas"},
    "history": {"en": "Consultation history", "es": "Historial de la consulta"},
    "consult_title": {
        "en": "National consultation: summary of comments",
        "es": "Consulta nacional: resumen de comentarios",
    },
    "sector": {"en": "Sector", "es": "Sector"},
    "comments": {"en": "Comments", "es": "Comentarios"},
    "changes_proposed": {"en": "Changes proposed", "es": "Cambios propuestos"},
    "decision": {"en": "Decision", "es": "Decisión"},
    "reason": {"en": "Reason", "es": "Motivo"},
    "organisation": {"en": "Organisation", "es": "Organización"},
    "comment": {"en": "Comment", "es": "Comentario"},
    "proposed_change": {"en": "Proposed change", "es": "Cambio propuesto"},
    "endorsement": {"en": "Endorsement", "es": "Respaldo"},
    "total": {"en": "Total", "es": "Total"},
    "by_recommendation": {"en": "By recommendation", "es": "Por recomendación"},
    "by_sector": {"en": "Endorsement by sector", "es": "Respaldo por sector"},
    "undecided": {"en": "Undecided", "es": "Sin decisión"},
    # answer values and vocabularies shown in outputs
    "endorse": {"en": "Endorse", "es": "Respalda"},
    "endorse_with_changes": {"en": "Endorse with changes", "es": "Respalda con cambios"},
    "do_not_endorse": {"en": "Do not endorse", "es": "No respalda"},
    "no_position": {"en": "No position", "es": "Sin posición"},
    "accepted": {"en": "Accepted", "es": "Aceptado"},
    "noted": {"en": "Noted", "es": "Tomado en cuenta"},
    "rejected": {"en": "Rejected", "es": "Rechazado"},
    "government": {"en": "Government", "es": "Gobierno"},
    "law_enforcement": {"en": "Law enforcement", "es": "Fuerzas del orden"},
    "justice": {"en": "Justice sector", "es": "Sector justicia"},
    "social_services": {"en": "Social services", "es": "Servicios sociales"},
    "educators": {"en": "Educators", "es": "Educadores"},
    "health": {"en": "Health", "es": "Salud"},
    "industry": {"en": "Industry", "es": "Industria"},
    "caregivers": {"en": "Caregivers", "es": "Cuidadores"},
    "civil_society": {"en": "Civil society", "es": "Sociedad civil"},
    "academia": {"en": "Academia", "es": "Academia"},
    "international": {"en": "International organisations", "es": "Organismos internacionales"},
    "children_youth": {"en": "Children and young people", "es": "Niñas, niños y jóvenes"},
    "other": {"en": "Other", "es": "Otro"},
    "draft": {"en": "draft", "es": "borrador"},
    "reviewed": {"en": "reviewed", "es": "revisado"},
    "final": {"en": "final", "es": "final"},
    "national": {"en": "National", "es": "Nacional"},
    "regional": {"en": "Regional", "es": "Regional"},
    "city": {"en": "City", "es": "Ciudad"},
    "public": {"en": "public", "es": "público"},
    "restricted": {"en": "restricted", "es": "restringido"},
    "yes": {"en": "Yes", "es": "Sí"},
    "partly": {"en": "Partly", "es": "Parcialmente"},
    "no": {"en": "No", "es": "No"},
}


def t(key: str, lang: str = "en") -> str:
    """The string for ``key`` in ``lang`` (KeyError when missing, so tests catch gaps)."""
    return STRINGS[key][lang]


def translator(lang: str):
    """A one-argument ``t`` bound to a language, for templates."""
    if lang not in LANGS:
        from dhkit.errors import DhkitError

        raise DhkitError(
            "LEG-062", f"language {lang!r} is not available; use one of {', '.join(LANGS)}."
        )
    return lambda key: t(key, lang)
