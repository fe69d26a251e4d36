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
# The same as one contrast of four means (a domain mean is a ratio of two means):
# svyby(covmat = TRUE) fails on a raked design in survey 4.x (influence matrices), so the
# raked case uses this form; it equals pr() on the designs where both run (checked below).
pr_means <- function(design, name) {
  design <- update(design, y_yes = awards01 * (yr.rnd == "Yes"), i_yes = as.numeric(yr.rnd == "Yes"),
                   y_no = awards01 * (yr.rnd == "No"), i_no = as.numeric(yr.rnd == "No"))
  m <- svymean(~y_yes + i_yes + y_no + i_no, design)
  r <- svycontrast(m, quote(log(y_yes / i_yes) - log(y_no / i_no)))
  est <- as.numeric(coef(r)); se <- as.numeric(SE(r)); df <- degf(design)
  q <- qt(0.975, df)
  data.frame(case = name, p_exposed = coef(m)[["y_yes"]] / coef(m)[["i_yes"]],
             p_reference = coef(m)[["y_no"]] / coef(m)[["i_no"]],
             log_ratio = est, se_log = se, ratio = exp(est), ci_low = exp(est - q * se),
             ci_high = exp(est + q * se), df = df)
}
stopifnot(isTRUE(all.equal(pr(clus1, "x")[, -1], pr_means(clus1, "x")[, -1], tolerance = 1e-10)))
# raked: apiclus1 to stype and sch.wide margins (the totals of apipop), as the report's
# child design is raked: the covariance carries the calibration residuals
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sw <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1084, 5110))
raked <- rake(clus1, list(~stype, ~sch.wide), list(pop_stype, pop_sw))
res <- rbind(pr(strat, "apistrat"), pr(clus1, "apiclus1"), pr(clus2, "apiclus2_withreplacement"),
             pr_means(raked, "apiclus1_raked"))
write.csv(res, file.path(out, "prevalence_ratio.csv"), row.names = FALSE)
