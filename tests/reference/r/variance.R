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

# calibrated designs (svyvar.survey.design: the SE carries the calibration residuals) and
# replicate designs (svyvar.svrepdesign: the variance recomputed with every replicate's own
# mean, n = the rows of the (sub)design); the synthetic study with NAs, region 6 dropped as in
# calibrated.R
synth <- subset(read.csv("tests/reference/fixtures/core/synth.csv"), region != 6)
d0 <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth)
pop_sex <- data.frame(sex = 1:2, Freq = c(51000, 49000))
pop_area <- data.frame(area = c("rural", "urban"), Freq = c(38000, 62000))
raked <- rake(d0, list(~sex, ~area), list(pop_sex, pop_area))
linear <- calibrate(d0, ~factor(sex) + area, c(100000, 49000, 62000))
jk1 <- as.svrepdesign(clus1, type = "JK1")
boot <- local({ set.seed(20260301); as.svrepdesign(strat, type = "bootstrap", replicates = 50) })
jkn_synth <- as.svrepdesign(d0, type = "JKn")
res <- rbind(
  res,
  one("raked", raked, "y2", na.rm = TRUE), by("raked", raked, "y2", "sex", na.rm = TRUE),
  one("linear", linear, "y2", na.rm = TRUE), by("linear", linear, "y2", "area", na.rm = TRUE),
  one("jk1_clus1", jk1, "api00"), by("jk1_clus1", jk1, "api00", "stype"),
  one("jk1_clus1_subset_E", subset(jk1, stype == "E"), "api00"),
  one("boot_strat", boot, "enroll"), by("boot_strat", boot, "enroll", "stype"),
  one("jkn_synth", jkn_synth, "y2", na.rm = TRUE),
  by("jkn_synth", jkn_synth, "y2", "sex", na.rm = TRUE)
)
repw <- function(d) {
  w <- weights(d, "analysis")
  colnames(w) <- paste0("rep", seq_len(ncol(w)))
  data.frame(pw = weights(d, "sampling"), w)
}
write.csv(cbind(apiclus1[, c("api00", "stype")], repw(jk1)),
          file.path(out, "jk1_clus1.csv"), row.names = FALSE)
write.csv(cbind(apistrat[, c("enroll", "stype")], repw(boot)),
          file.path(out, "boot_strat.csv"), row.names = FALSE)
write.csv(cbind(synth[, c("y2", "sex")], repw(jkn_synth)),
          file.path(out, "jkn_synth.csv"), row.names = FALSE)
write.csv(data.frame(case = c("jk1_clus1", "boot_strat", "jkn_synth"),
                     scale = c(jk1$scale, boot$scale, jkn_synth$scale),
                     rscales = c(paste(jk1$rscales, collapse = " "),
                                 paste(boot$rscales, collapse = " "),
                                 paste(jkn_synth$rscales, collapse = " "))),
          file.path(out, "replicate_scales.csv"), row.names = FALSE)
write.csv(res, file.path(out, "svyvar.csv"), row.names = FALSE)
writeLines(paste("R", R.version$major, R.version$minor, "survey", packageVersion("survey")),
           file.path(out, "VERSION.txt"))
