# Reference fixtures for dhkit.survey.regression (svyglm, regTermTest, svypredmeans) and
# dhkit.survey.relative (ratio of two domain proportions via svycontrast on svyby).
# Sourced by tests/reference/make_reference.R from the repository root; writes into
# tests/reference/fixtures/regression/. Needs R survey 4.x. The GLMs use glm.control()
# R defaults; dhkit follows glm.fit step by step, so they compare at 1e-8.
suppressMessages(library(survey))
out <- "tests/reference/fixtures/regression"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
options(survey.lonely.psu = "fail")
data(api)
data(nhanes)
ctl <- glm.control()  # R defaults: dhkit follows glm.fit step by step
yes <- function(d) transform(d, yes = as.numeric(sch.wide == "Yes"))
apistrat <- yes(apistrat); apiclus1 <- yes(apiclus1); apiclus2 <- yes(apiclus2)
synth <- read.csv("tests/reference/fixtures/core/synth.csv")
synth_ok <- subset(synth, region != 6)

dstrat <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus2 <- svydesign(ids = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = apiclus2)
dnh <- svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes)
dsyn <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth_ok)
rclus1 <- as.svrepdesign(dclus1, type = "JK1")
rstrat <- as.svrepdesign(dstrat, type = "JKn")
# raked: apiclus1 to stype and sch.wide margins (the totals of apipop)
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sw <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1084, 5110))
draked <- rake(dclus1, list(~stype, ~sch.wide), list(pop_stype, pop_sw))

fits <- list(
  strat_gauss = svyglm(api00 ~ ell + meals + mobility, dstrat, control = ctl),
  clus1_gauss_factor = svyglm(api00 ~ ell + factor(stype), dclus1, control = ctl),
  clus2_logit = svyglm(yes ~ ell + meals + factor(stype), dclus2, family = quasibinomial(), control = ctl),
  strat_pois = svyglm(enroll ~ ell + meals, dstrat, family = quasipoisson(), control = ctl),
  nhanes_logit = svyglm(HI_CHOL ~ factor(race) + agecat + RIAGENDR, dnh, family = quasibinomial(), control = ctl),
  nhanes_pois = svyglm(HI_CHOL ~ factor(race) + agecat + RIAGENDR, dnh, family = quasipoisson(), control = ctl),
  syn_logit_domain = svyglm(y1 ~ sex + factor(area) + age, dsyn, family = quasibinomial(),
                            subset = age >= 14, control = ctl),
  rep_clus1_gauss = svyglm(api00 ~ ell + meals, rclus1, control = ctl),
  rep_strat_logit = svyglm(yes ~ ell + meals + factor(stype), rstrat, family = quasibinomial(), control = ctl),
  raked_clus1_logit = svyglm(yes ~ ell + meals, draked, family = quasibinomial(), control = ctl)
)
rows <- list()
for (case in names(fits)) {
  m <- fits[[case]]
  s <- summary(m)$coefficients
  ci <- confint(m)
  disp <- summary(m)$dispersion
  rows[[case]] <- data.frame(case = case, i = seq_len(nrow(s)), term = rownames(s),
    estimate = s[, 1], se = s[, 2], t = s[, 3], p = s[, 4], df = m$df.residual,
    ci_low = ci[, 1], ci_high = ci[, 2], dispersion = as.numeric(disp))
}
write.csv(do.call(rbind, rows), file.path(out, "glm.csv"), row.names = FALSE)

tests <- list(
  list("nhanes_logit", ~factor(race), "F"), list("nhanes_logit", ~factor(race), "Chisq"),
  list("clus2_logit", ~factor(stype), "F"), list("nhanes_pois", ~agecat, "F"),
  list("rep_strat_logit", ~factor(stype), "F"), list("strat_gauss", ~ell + meals, "F")
)
tt <- do.call(rbind, lapply(tests, function(x) {
  m <- fits[[x[[1]]]]
  r <- if (x[[3]] == "F") regTermTest(m, x[[2]]) else regTermTest(m, x[[2]], df = Inf)
  data.frame(case = x[[1]], terms = paste(attr(terms(x[[2]]), "term.labels"), collapse = "+"),
             test = x[[3]], statistic = if (x[[3]] == "F") as.numeric(r$Ftest) else as.numeric(r$chisq),
             df = r$df, ddf = if (x[[3]] == "F") r$ddf else Inf, p = as.numeric(r$p))
}))
write.csv(tt, file.path(out, "regterm.csv"), row.names = FALSE)

pm_cases <- list(
  nhanes_race = svypredmeans(svyglm(HI_CHOL ~ agecat + RIAGENDR, dnh, family = quasibinomial(), control = ctl), ~factor(race)),
  strat_stype = svypredmeans(svyglm(yes ~ ell + meals, dstrat, family = quasibinomial(), control = ctl), ~factor(stype)),
  nhanes_race_pois = svypredmeans(svyglm(HI_CHOL ~ agecat, dnh, family = quasipoisson(), control = ctl), ~factor(race))
)
pm <- do.call(rbind, lapply(names(pm_cases), function(k) {
  x <- pm_cases[[k]]
  data.frame(case = k, level = names(coef(x)), mean = as.numeric(coef(x)), se = as.numeric(SE(x)))
}))
write.csv(pm, file.path(out, "predmeans.csv"), row.names = FALSE)

ratio_case <- function(case, design, formula, by, num, den) {
  b <- svyby(formula, by, design, svymean, na.rm = TRUE, covmat = TRUE)
  r <- svycontrast(b, substitute(log(a / b), list(a = as.name(num), b = as.name(den))))
  est <- as.numeric(coef(r)); se <- as.numeric(SE(r))
  data.frame(case = case, num = num, den = den, log_ratio = est, se_log = se,
             ratio = exp(est), ci_low_inf = exp(est - qnorm(0.975) * se),
             ci_high_inf = exp(est + qnorm(0.975) * se), degf = degf(design))
}
rr <- rbind(
  ratio_case("nhanes_sex", subset(dnh, !is.na(HI_CHOL)), ~HI_CHOL, ~RIAGENDR, "2", "1"),
  ratio_case("syn_area", dsyn, ~y1, ~area, "urban", "rural"),
  ratio_case("strat_stype", dstrat, ~yes, ~stype, "H", "E"),
  ratio_case("rep_strat_stype", rstrat, ~yes, ~stype, "H", "E")
)
write.csv(rr, file.path(out, "ratio.csv"), row.names = FALSE)
writeLines(paste("R", R.version$major, R.version$minor, "survey", packageVersion("survey")),
           file.path(out, "VERSION.txt"))
