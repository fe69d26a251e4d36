# Reference fixtures for the report's prevalence ratio (dhkit.report.ratio): the ratio of
# two domain proportions with its log-scale SE from the joint covariance (svyby covmat +
# svycontrast on log) and a t interval on the design's degrees of freedom.
# Sourced by tests/reference/make_reference.R from the repository root.
suppressMessages(library(survey))
out <- "tests/reference/fixtures/report"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
options(survey.lonely.psu = "fail")
data(api)

pr <- function(design, name) {
  b <- svyby(~awards01, ~yr.rnd, design, svymean, covmat = TRUE)
  r <- svycontrast(b, quote(log(Yes) - log(No)))
  est <- as.numeric(coef(r)); se <- as.numeric(SE(r)); df <- degf(design)
  q <- qt(0.975, df)
  data.frame(case = name, p_exposed = coef(b)[["Yes"]], p_reference = coef(b)[["No"]],
             log_ratio = est, se_log = se, ratio = exp(est), ci_low = exp(est - q * se),
             ci_high = exp(est + q * se), df = df)
}
prep <- function(d) {
  d$awards01 <- as.numeric(d$awards == "Yes")
  d
}
strat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = prep(apistrat))
clus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = prep(apiclus1))
clus2 <- svydesign(id = ~dnum + snum, weights = ~pw, data = prep(apiclus2))
res <- rbind(pr(strat, "apistrat"), pr(clus1, "apiclus1"), pr(clus2, "apiclus2_withreplacement"))
write.csv(res, file.path(out, "prevalence_ratio.csv"), row.names = FALSE)
