# Reference fixtures for Design.var (R svyvar on a linearization design): the population
# variance estimate with its SE, overall, by a domain (svyby) and in a subset, on R's own
# data sets (api: stratified with FPC, one-stage and two-stage clusters; nhanes: missing values).
# Sourced by tests/reference/make_reference.R from the repository root.
suppressMessages(library(survey))
out <- "tests/reference/fixtures/variance"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
options(survey.lonely.psu = "fail")
data(api)
data(nhanes)

strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
clus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
clus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
nh <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes)

one <- function(case, design, var, na.rm = FALSE) {
  v <- svyvar(as.formula(paste0("~", var)), design, na.rm = na.rm)
  data.frame(case = case, indicator = var, domain = "", level = "",
             estimate = as.numeric(coef(v)), se = as.numeric(SE(v)))
}
by <- function(case, design, var, by, na.rm = FALSE) {
  b <- svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), design, svyvar,
             na.rm = na.rm)
  data.frame(case = case, indicator = var, domain = by, level = as.character(b[[by]]),
             estimate = as.numeric(coef(b)), se = as.numeric(SE(b)))
}
res <- rbind(
  one("strat", strat, "api00"), by("strat", strat, "api00", "stype"),
  one("strat", strat, "enroll"),
  one("clus1", clus1, "api00"), by("clus1", clus1, "api00", "stype"),
  one("clus2", clus2, "api00"),
  one("nhanes", nh, "HI_CHOL", na.rm = TRUE), by("nhanes", nh, "HI_CHOL", "race", na.rm = TRUE),
  one("strat_subset_E", subset(strat, stype == "E"), "api00")
)
write.csv(res, file.path(out, "svyvar.csv"), row.names = FALSE)
writeLines(paste("R", R.version$major, R.version$minor, "survey", packageVersion("survey")),
           file.path(out, "VERSION.txt"))
