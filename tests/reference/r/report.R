# The national report's child SEs on a raked design (dhkit demo, 300 children): R's
# rake() from the pre-calibration weights, then svymean — the report must equal this.
suppressMessages(library(survey))
fx <- "tests/reference/fixtures/report"
d <- read.csv(file.path(fx, "demo300_children.csv"))
m <- read.csv(file.path(fx, "demo300_margins.csv"))
for (v in c("region", "area", "child_sex")) d[[v]] <- factor(d[[v]])
des <- svydesign(ids = ~psu_id, strata = ~region, weights = ~w_household, data = d)
pm <- function(v) {
  x <- m[m$variable == v, ]
  out <- data.frame(factor(x$level, levels = levels(d[[v]])), x$total)
  names(out) <- c(v, "Freq")
  out
}
r <- rake(des, list(~region, ~area, ~child_sex), list(pm("region"), pm("area"), pm("child_sex")),
          control = list(maxit = 50, epsilon = 1))
est <- svymean(~y, r)
write.csv(data.frame(estimate = as.numeric(coef(est)), se = as.numeric(SE(est)),
                     max_weight_diff = max(abs(weights(r) / d$weight - 1))),
          file.path(fx, "demo300_raked_any_tfcsea.csv"), row.names = FALSE)

# The overlap prevalence ratio (any TF-CSEA, in-person sexual violence 1 against 2) on the
# same raked design: a domain mean is a ratio of two means, so one svycontrast on log of
# four means (svyby(covmat = TRUE) fails on raked designs in survey 4.x).
r <- update(r, y1 = y * (sv == 1), i1 = as.numeric(sv == 1), y2 = y * (sv == 2),
            i2 = as.numeric(sv == 2))
mm <- svymean(~y1 + i1 + y2 + i2, r)
pr <- svycontrast(mm, quote(log(y1 / i1) - log(y2 / i2)))
est <- as.numeric(coef(pr)); se <- as.numeric(SE(pr)); q <- qt(0.975, degf(r))
write.csv(data.frame(p_exposed = coef(mm)[["y1"]] / coef(mm)[["i1"]],
                     p_reference = coef(mm)[["y2"]] / coef(mm)[["i2"]], ratio = exp(est),
                     se_log = se, ci_low = exp(est - q * se), ci_high = exp(est + q * se),
                     df = degf(r)),
          file.path(fx, "demo300_raked_overlap_pr.csv"), row.names = FALSE)
