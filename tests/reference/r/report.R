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
