# Reference fixtures for estimates on calibrated (raked, post-stratified, GREG) designs in
# the batch engine, overall and in domains, and for instance-level indicators on a calibrated
# child design (instance scores summed within the child: svyratio of the child sums).
# Sourced by tests/reference/make_reference.R; writes tests/reference/fixtures/calibrated/.
suppressMessages(library(survey))
out <- "tests/reference/fixtures/calibrated"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
options(survey.lonely.psu = "fail")
synth <- read.csv("tests/reference/fixtures/core/synth.csv")
synth <- subset(synth, region != 6)
inst <- read.csv("tests/reference/fixtures/core/instances.csv")
inst <- subset(inst, region != 6)
# per-child sums of the instance scores (and of the instances), 0 for children without any
agg <- function(v, cond = rep(TRUE, nrow(inst))) {
  s <- tapply(v[cond], factor(inst$child_id[cond], levels = synth$child_id), sum)
  s[is.na(s)] <- 0
  as.numeric(s)
}
synth$told_sum <- agg(inst$told_someone)
synth$n_inst <- agg(rep(1, nrow(inst)))
synth$told_online_sum <- agg(inst$told_someone, inst$online == 1)
synth$n_online <- agg(rep(1, nrow(inst)), inst$online == 1)
d0 <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth)
pop_sex <- data.frame(sex = 1:2, Freq = c(51000, 49000))
pop_area <- data.frame(area = c("rural", "urban"), Freq = c(38000, 62000))
designs <- list(
  raked = rake(d0, list(~sex, ~area), list(pop_sex, pop_area)),
  poststrat = postStratify(d0, ~sex, pop_sex),
  linear = calibrate(d0, ~factor(sex) + area, c(100000, 49000, 62000))
)
rows <- list()
for (k in names(designs)) {
  d <- designs[[k]]
  for (v in c("y1", "y2", "score")) {
    f <- as.formula(paste0("~", v))
    m <- svymean(f, d, na.rm = TRUE)
    rows[[length(rows) + 1]] <- data.frame(design = k, var = v, by = "", level = "",
                                           mean = coef(m)[[1]], se = SE(m)[[1]])
    for (b in c("sex", "area", "age")) {
      r <- svyby(f, as.formula(paste0("~", b)), d, svymean, na.rm = TRUE)
      rows[[length(rows) + 1]] <- data.frame(design = k, var = v, by = b,
                                             level = as.character(r[[b]]), mean = r[[v]], se = SE(r))
    }
  }
  # instance-level indicators: ratio of the child sums, overall, by a child domain, and in
  # an instance-level domain (online instances)
  r <- svyratio(~told_sum, ~n_inst, d)
  rows[[length(rows) + 1]] <- data.frame(design = k, var = "told_someone", by = "", level = "",
                                         mean = coef(r)[[1]], se = SE(r)[[1]])
  r <- svyby(~told_sum, ~sex, d, svyratio, denominator = ~n_inst)
  rows[[length(rows) + 1]] <- data.frame(design = k, var = "told_someone", by = "sex",
                                         level = as.character(r$sex), mean = coef(r), se = SE(r))
  r <- svyratio(~told_online_sum, ~n_online, d)
  rows[[length(rows) + 1]] <- data.frame(design = k, var = "told_someone", by = "online",
                                         level = "1", mean = coef(r)[[1]], se = SE(r)[[1]])
}
write.csv(do.call(rbind, rows), file.path(out, "estimates.csv"), row.names = FALSE)
writeLines(paste("R", R.version$major, R.version$minor, "survey", packageVersion("survey")),
           file.path(out, "VERSION.txt"))
