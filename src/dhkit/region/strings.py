"""The regional report's interface strings in English and Spanish.

A small table read by key (as in :mod:`dhkit.legal.strings`): the regional report has
few strings of its own, and a missing key must fail a test rather than show English.

>>> t("range", "es")
'Rango'
"""

from __future__ import annotations

LANGS = ("en", "es")

STRINGS: dict[str, dict[str, str]] = {
    "kicker": {"en": "Regional comparison", "es": "Comparación regional"},
    "synthetic": {
        "en": "Synthetic demonstration: every figure below comes from generated data about no real child. Country names only label the demo's targets.",
        "es": "Demostración sintética: todas las cifras provienen de datos generados que no corresponden a ningún niño real. Los nombres de país solo identifican las metas de la demostración.",
    },
    "contents": {"en": "Contents", "es": "Contenido"},
    # the workbook's data sheets (as the national workbook names its own)
    "sheet_estimates": {"en": "Estimates", "es": "Estimaciones"},
    "sheet_regional": {"en": "Regional", "es": "Regionales"},
    "sheet_differences": {"en": "Differences", "es": "Diferencias"},
    "sheet_within": {"en": "Within countries", "es": "Dentro de cada país"},
    "sheet_countries": {"en": "Countries", "es": "Países"},
    "sheet_legal": {"en": "Legal matrix", "es": "Matriz legal"},
    "glance": {"en": "Regional figures at a glance", "es": "Cifras regionales de un vistazo"},
    "glance_note": {
        "en": "Ranges run from the lowest to the highest published country estimate; the countries at each end are named. Countries whose figure is suppressed or not collected are left out of a range and listed.",
        "es": "Los rangos van de la estimación nacional publicada más baja a la más alta; se nombran los países en cada extremo. Los países cuya cifra está suprimida o no se recogió quedan fuera del rango y se enumeran.",
    },
    "countries": {"en": "The country studies", "es": "Los estudios de país"},
    "country": {"en": "Country", "es": "País"},
    "study": {"en": "Study", "es": "Estudio"},
    "children": {"en": "Children interviewed", "es": "Niñas, niños y adolescentes entrevistados"},
    "psus": {"en": "PSUs", "es": "UPM"},
    "strata": {"en": "Strata", "es": "Estratos"},
    "weights": {"en": "Weights", "es": "Ponderaciones"},
    "calibrated": {"en": "calibrated (raking)", "es": "calibradas (raking)"},
    "not_calibrated": {"en": "design and nonresponse only", "es": "solo diseño y no respuesta"},
    "kish": {"en": "Kish design effect of weighting", "es": "Efecto de diseño de Kish por ponderación"},
    "population": {"en": "Population (12–17, internet users)", "es": "Población (12–17, usuarios de internet)"},
    "languages": {"en": "Languages", "es": "Idiomas"},
    "range": {"en": "Range", "es": "Rango"},
    "combined_population": {"en": "Combined (population-weighted)", "es": "Combinado (ponderado por población)"},
    "combined_equal": {"en": "Combined (countries equal)", "es": "Combinado (países con igual peso)"},
    "base": {"en": "Base", "es": "Base"},
    "total": {"en": "All", "es": "Total"},
    "not_collected": {"en": "not collected", "es": "no recogido"},
    "no_data": {"en": "no respondents", "es": "sin encuestados"},
    "legend": {
        "en": "Each country's published estimate in per cent, with its 95% confidence interval below. (…) unweighted base {low}–{high}: interpret with caution; * unweighted base under {low}: suppressed; n.c. not collected in that country (never read as 0).",
        "es": "La estimación publicada de cada país en porcentaje, con su intervalo de confianza del 95 % debajo. (…) base no ponderada de {low} a {high}: interpretar con cautela; * base no ponderada menor de {low}: suprimida; n.r. no recogido en ese país (nunca se lee como 0).",
    },
    "nc_short": {"en": "n.c.", "es": "n.r."},
    "rule_population": {
        "en": "The weighted mean of the published country estimates, each weighted by the country's population in the base (its weighted base scaled to its stated population); variance = Σ (weight share)² × country variance (independent samples); 95% CI ±1.96 SE.",
        "es": "La media ponderada de las estimaciones nacionales publicadas, cada una ponderada por la población del país en la base (su base ponderada escalada a su población declarada); varianza = Σ (proporción del peso)² × varianza del país (muestras independientes); IC del 95 % ±1,96 EE.",
    },
    "rule_equal": {
        "en": "The unweighted mean of the published country estimates (each country counts equally); variance = Σ country variance / k² (independent samples); 95% CI ±1.96 SE.",
        "es": "La media simple de las estimaciones nacionales publicadas (cada país cuenta igual); varianza = Σ varianza del país / k² (muestras independientes); IC del 95 % ±1,96 EE.",
    },
    "rule_suppressed_exclude": {
        "en": "A combined figure never includes a suppressed country cell: where one is suppressed, the figure is computed without that country and says so (“without …”).",
        "es": "Una cifra combinada nunca incluye una celda de país suprimida: cuando hay una, la cifra se calcula sin ese país y lo indica («sin …»).",
    },
    "rule_suppressed_suppress": {
        "en": "A combined figure over a suppressed country cell is itself suppressed (*).",
        "es": "Una cifra combinada sobre una celda de país suprimida se suprime también (*).",
    },
    "rule_range": {
        "en": "The lowest and the highest published country estimate; below it, the countries (ISO codes) at the lowest – highest end. A country whose figure is suppressed or not collected is left out of the range.",
        "es": "La estimación nacional publicada más baja y la más alta; debajo, los países (códigos ISO) en el extremo más bajo – más alto. Un país cuya cifra está suprimida o no se recogió queda fuera del rango.",
    },
    "reading": {"en": "How to read the tables", "es": "Cómo leer los cuadros"},
    "reading_intro": {
        "en": "Every table below follows these rules; they are said once here, and each table points back to them.",
        "es": "Todos los cuadros siguientes siguen estas reglas; se dicen una vez aquí y cada cuadro remite a ellas.",
    },
    "term_cells": {"en": "Country figures", "es": "Cifras de cada país"},
    "term_combined": {"en": "Combined figure", "es": "Cifra combinada"},
    "term_within": {"en": "† Differences within a country", "es": "† Diferencias dentro de un país"},
    "pointer": {
        "en": "Country figures, range, combined figure and differences are made as set out in",
        "es": "Las cifras de país, el rango, la cifra combinada y las diferencias se obtienen como se explica en",
    },
    "diff_pointer": {
        "en": "Country b minus country a, in percentage points; ▲ p < 0.05. How the test is made:",
        "es": "País b menos país a, en puntos porcentuales; ▲ p < 0,05. Cómo se hace la prueba:",
    },
    "page": {"en": "p.", "es": "pág."},
    "without": {"en": "without", "es": "sin"},
    "range_of": {"en": "of the base across countries", "es": "de la base entre países"},
    "lowest": {"en": "lowest", "es": "más bajo"},
    "highest": {"en": "highest", "es": "más alto"},
    "left_out": {"en": "left out", "es": "fuera"},
    "small_multiples": {"en": "Country by country", "es": "País por país"},
    "platform_note": {
        "en": "Countries in rows, platforms in columns, as the regional presentation shows them; a child may name several platforms.",
        "es": "Países en filas y plataformas en columnas, como en la presentación regional; una niña, niño o adolescente puede nombrar varias plataformas.",
    },
    "overlap_note": {
        "en": "Each bar splits the children subjected to TF-CSEA in one country by where it happened; a country whose base is suppressed has no bar.",
        "es": "Cada barra divide a las niñas, niños y adolescentes que sufrieron ESNNA facilitada por la tecnología en un país según dónde ocurrió; un país con base suprimida no tiene barra.",
    },
    "overlap_alt_title": {
        "en": "Where the abuse of children subjected to TF-CSEA happened, by country: online only, in person only, or both",
        "es": "Dónde ocurrió el abuso de niñas, niños y adolescentes que sufrieron ESNNA facilitada por la tecnología, por país: solo en línea, solo en persona o en ambos",
    },
    "caution_spoken": {"en": "interpret with caution", "es": "interpretar con cautela"},
    "overlap_narrow": {
        "en": "A part too narrow for its figure has no label in the chart; the table above gives every figure with its confidence interval.",
        "es": "Una parte demasiado estrecha para su cifra no lleva etiqueta en el gráfico; el cuadro de arriba da todas las cifras con su intervalo de confianza.",
    },
    "differences": {"en": "Differences between countries", "es": "Diferencias entre países"},
    "differences_note": {
        "en": "Country b minus country a, in percentage points; the two samples are independent, so SE = √(SE_a² + SE_b²), with Welch–Satterthwaite degrees of freedom from the two designs; ▲ marks p < 0.05. A difference with a suppressed or missing side is not shown.",
        "es": "País b menos país a, en puntos porcentuales; las dos muestras son independientes, por lo que EE = √(EE_a² + EE_b²), con grados de libertad de Welch–Satterthwaite de ambos diseños; ▲ indica p < 0,05. No se muestra una diferencia con un lado suprimido o ausente.",
    },
    "differences_file": {"en": "Every pair of every row is in differences.csv.",
                         "es": "Todos los pares de todas las filas están en differences.csv."},
    "within_pairs": {"en": "† (the two groups differ within that country): {pairs}.",
                     "es": "† (los dos grupos difieren dentro de ese país): {pairs}."},
    "unweighted_n": {"en": "unweighted n", "es": "n no ponderado"},
    "estimate": {"en": "%", "es": "%"},
    "ci_low": {"en": "95% CI low", "es": "IC 95 % inferior"},
    "ci_high": {"en": "95% CI high", "es": "IC 95 % superior"},
    "countries_at_ends": {"en": "Countries (lowest – highest)", "es": "Países (más bajo – más alto)"},
    "note": {"en": "Note", "es": "Nota"},
    "ci_to": {"en": "{low} to {high}", "es": "{low} a {high}"},
    "same_in_all": {"en": "same in every country", "es": "igual en todos los países"},
    "no_ci": {"en": "no CI: 0% or 100% in every country", "es": "sin IC: 0 % o 100 % en todos los países"},
    "within_note": {
        "en": "Beside a country's figure, † says that in that country the two groups differ significantly (p < 0.05, the country's own design-based test on the covariance of the two estimates, as in its national report); both groups' figures are marked, and the table's note names the pairs.",
        "es": "Junto a la cifra de un país, † indica que en ese país los dos grupos difieren de forma significativa (p < 0,05, la prueba del propio país basada en el diseño y la covarianza de ambas estimaciones, como en su informe nacional); se marcan las cifras de ambos grupos y la nota del cuadro nombra los pares.",
    },
    "within_file": {"en": "Every test, marked or not, is in within.csv.",
                    "es": "Todas las pruebas, marcadas o no, están en within.csv."},
    "within_spoken": {"en": "the two groups differ significantly in this country",
                      "es": "los dos grupos difieren de forma significativa en este país"},
    "significant_spoken": {"en": "significant (p < 0.05)", "es": "significativa (p < 0,05)"},
    "pair": {"en": "Countries (b − a)", "es": "Países (b − a)"},
    "difference": {"en": "Difference (pp)", "es": "Diferencia (pp)"},
    "ci95": {"en": "95% CI", "es": "IC 95 %"},
    "p_value": {"en": "p-value", "es": "valor p"},
    "legal": {"en": "Legal frameworks across countries", "es": "Marcos legales entre países"},
    "legal_note": {
        "en": "Share of applicable checklist items met, partly met, not met and not yet known (no answer in the assessment yet) in each country's legal assessment; the four add up to 100. The full item-by-country matrix is in legal/. A country without an assessment reads “not assessed”.",
        "es": "Proporción de ítems aplicables de la lista de verificación que se cumplen, se cumplen parcialmente, no se cumplen y aún no tienen respuesta en la evaluación legal de cada país; las cuatro suman 100. La matriz completa ítem por país está en legal/. Un país sin evaluación figura como «no evaluado».",
    },
    "unknown": {"en": "not yet known", "es": "aún sin respuesta"},
    "no_answers": {"en": "no answers yet ({n} items)", "es": "aún sin respuestas ({n} ítems)"},
    "not_assessed": {"en": "not assessed", "es": "no evaluado"},
    "area": {"en": "Area", "es": "Área"},
    "met": {"en": "met", "es": "se cumple"},
    "partly_met": {"en": "partly", "es": "en parte"},
    "not_met": {"en": "not met", "es": "no se cumple"},
    "methods": {"en": "How these figures were made", "es": "Cómo se obtuvieron estas cifras"},
    "methods_1": {
        "en": "Each country's figures come from its own study and design — its strata, primary sampling units and final (calibrated where the country calibrated) weights — through the same computation as the country's national report (dhkit report); no rows are pooled across designs.",
        "es": "Las cifras de cada país provienen de su propio estudio y diseño —sus estratos, unidades primarias de muestreo y ponderaciones finales (calibradas cuando el país calibró)— mediante el mismo cálculo que el informe nacional del país (dhkit report); no se combinan filas entre diseños.",
    },
    "methods_2": {
        "en": "Indicators, domains and categories are mapped to common ids by the harmonisation file; an item a country did not collect reads “not collected”, never 0.",
        "es": "Los indicadores, dominios y categorías se asignan a identificadores comunes mediante el archivo de armonización; un ítem que un país no recogió figura como «no recogido», nunca como 0.",
    },
    "methods_3": {
        "en": "Disclosure control holds at every level: a cell the country suppresses (unweighted base under {suppress}) stays suppressed here; the region applies the stricter of its own and the country's thresholds; no range, combined figure or difference includes a suppressed cell.",
        "es": "El control de divulgación se mantiene en todos los niveles: una celda que el país suprime (base no ponderada menor de {suppress}) sigue suprimida aquí; la región aplica el umbral más estricto entre el suyo y el del país; ningún rango, cifra combinada o diferencia incluye una celda suprimida.",
    },
    "methods_4": {
        "en": "Every regional number is traceable: estimates.csv has a country column and, for every cell, the country study, the country's own indicator, category, domain and level, and the row_id of the country's estimates.csv (a copy is in countries/<id>/); manifest.json lists the hashes of every input and output. A figure the region shows that a country's national report does not tabulate (for example the caregivers' reporting) is computed from that country's data by the same engine, design and disclosure rules, and is in countries/<id>/estimates-regional.csv.",
        "es": "Cada número regional es trazable: estimates.csv tiene una columna de país y, para cada celda, el estudio del país, su propio indicador, categoría, dominio y nivel, y el row_id de su estimates.csv (hay una copia en countries/<id>/); manifest.json enumera los hashes de todas las entradas y salidas. Una cifra regional que el informe nacional de un país no tabula (por ejemplo, a quién acudirían los cuidadores) se calcula con los datos de ese país mediante el mismo motor, diseño y reglas de divulgación, y está en countries/<id>/estimates-regional.csv.",
    },
    "methods_5": {
        "en": "Differences between countries treat the two national samples as independent. Differences within a country (girls and boys, urban and rural) are the country's own design-based tests from its national report — the two groups share a design, so their covariance counts — and are marked † in that country's column; within.csv has every test.",
        "es": "Las diferencias entre países tratan las dos muestras nacionales como independientes. Las diferencias dentro de un país (niñas y niños, zona urbana y rural) son las pruebas del propio país basadas en el diseño, tomadas de su informe nacional —los dos grupos comparten un diseño, por lo que su covarianza cuenta— y se marcan con † en la columna de ese país; within.csv contiene todas las pruebas.",
    },
    "table": {"en": "Table", "es": "Cuadro"},
    "figure": {"en": "Figure", "es": "Figura"},
    "per_cent": {"en": "Per cent of base", "es": "Porcentaje de la base"},
    "generated": {"en": "Made with dhkit", "es": "Elaborado con dhkit"},
    "source_row": {"en": "source: {country} {file} row {row}", "es": "fuente: {country} {file} fila {row}"},
}


def t(key: str, lang: str, **kwargs) -> str:
    text = STRINGS[key][lang]
    return text.format(**kwargs) if kwargs else text
