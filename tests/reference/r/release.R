# The microdata release's replicate weights (dhkit release, licensed tier): R svrepdesign on
# the released columns gives the estimate and SE dhkit's replicate engine must equal.
# Input written by `PYTHONPATH=src python tests/reference/release_fixture.py`.
suppressMessages(library(survey))
fx <- "tests/reference/fixtures/release"
d <- read.csv(file.path(fx, "release_repw.csv"))
s <- read.csv(file.path(fx, "release_repw_settings.csv"))
des <- svrepdesign(data = d, weights = ~weight, repweights = "repw_[0-9]+",
                   type = as.character(s$type), scale = as.numeric(s$scale), rscales = 1,
                   mse = as.logical(s$mse), combined.weights = TRUE)
m <- svymean(~any_tfcsea, des, na.rm = TRUE)
write.csv(data.frame(estimate = sprintf("%.17g", coef(m)), se = sprintf("%.17g", SE(m))),
          file.path(fx, "release_repw_r.csv"), row.names = FALSE)
