# Reference fixtures for dhkit.survey core estimation (design, means, totals, ratios,
# domains, proportion intervals, design effects, contrasts, lonely PSUs, multistage FPC).
# Sourced by tests/reference/make_reference.R from the repository root. Writes CSV/JSON
# into tests/reference/fixtures/core/. Needs R survey 4.x.
suppressMessages(library(survey))
out <- "tests/reference/fixtures/core"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
options(survey.lonely.psu = "fail")

data(api)
data(nhanes)
wcsv <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE, na = "")
wcsv(apiclus1, "apiclus1.csv"); wcsv(apiclus2, "apiclus2.csv")
wcsv(apistrat, "apistrat.csv"); wcsv(apisrs, "apisrs.csv"); wcsv(nhanes, "nhanes.csv")

# ---- synthetic study: 6 strata, clustered children, NAs, a lonely stratum ----------------
set.seed(20260401)
make_synth <- function() {
  rows <- list()
  psu_id <- 0
  for (h in 1:6) {
    npsu <- if (h == 6) 1 else c(5, 6, 4, 7, 5)[h]
    for (p in 1:npsu) {
      psu_id <- psu_id + 1
      m <- sample(6:14, 1)
      rows[[length(rows) + 1]] <- data.frame(
        region = h, psu = psu_id, hh = seq_len(m),
        npsu_pop = c(40, 55, 30, 70, 45, 10)[h])
    }
  }
  d <- do.call(rbind, rows)
  n <- nrow(d)
  d$child_id <- seq_len(n)
  d$w <- round(runif(n, 50, 400), 3)
  d$sex <- sample(1:2, n, TRUE)
  d$area <- sample(c("urban", "rural"), n, TRUE, prob = c(.6, .4))
  d$age <- sample(12:17, n, TRUE)
  d$y1 <- rbinom(n, 1, plogis(-1 + 0.3 * d$sex + 0.2 * (d$area == "urban")))
  d$y2 <- rbinom(n, 1, 0.3); d$y2[sample(n, 40)] <- NA
  d$score <- round(rnorm(n, 50 + 3 * d$sex, 10), 2); d$score[sample(n, 25)] <- NA
  d$hours <- round(rgamma(n, 2, 0.5), 2)
  d$device <- sample(c("phone", "computer", "tablet"), n, TRUE, prob = c(.6, .25, .15))
  d$device[sample(n, 15)] <- NA
  opts <- c("facebook", "tiktok", "whatsapp", "instagram")
  d$platforms <- sapply(seq_len(n), function(i) {
    k <- rbinom(1, 3, .5); if (k == 0) return(NA_character_)
    paste(sort(sample(opts, k)), collapse = " ")
  })
  for (o in opts) d[[paste0("platforms_", o)]] <- ifelse(is.na(d$platforms), NA,
    as.integer(grepl(o, d$platforms)))
  d
}
synth <- make_synth()
wcsv(synth, "synth.csv")
# instances: several per child, clustered within the child's PSU
set.seed(7)
inst <- synth[rep(seq_len(nrow(synth)), rpois(nrow(synth), 0.8)), c("child_id", "region", "psu", "w", "sex")]
inst$told_someone <- rbinom(nrow(inst), 1, 0.4)
inst$online <- rbinom(nrow(inst), 1, 0.7)
wcsv(inst, "instances.csv")

# ---- helpers ----------------------------------------------------------------------------
res <- list()
add <- function(case, indicator, domain, level, estimate, se, ci_low = NA, ci_high = NA,
                deff = NA, df = NA, p = NA) {
  res[[length(res) + 1]] <<- data.frame(case = case, indicator = indicator, domain = domain,
    level = as.character(level), estimate = as.numeric(estimate), se = as.numeric(se),
    ci_low = as.numeric(ci_low), ci_high = as.numeric(ci_high), deff = as.numeric(deff),
    df = as.numeric(df), p = as.numeric(p), stringsAsFactors = FALSE)
}
dom_degf <- function(des, byf, lev) degf(des[!is.na(byf) & byf == lev, ])

# mean / proportion of one variable, overall and by domains, with t-interval on domain degf
mean_case <- function(case, des, var, by = NULL, deff = TRUE, level = 0.95) {
  f <- as.formula(paste0("~", var))
  if (is.null(by)) {
    m <- svymean(f, des, na.rm = TRUE, deff = deff)
    ci <- confint(m, df = degf(des), level = level)
    add(case, names(coef(m)), "", "", coef(m), SE(m), ci[, 1], ci[, 2],
        if (isFALSE(deff)) NA else deff(m), degf(des))
  } else {
    bf <- as.formula(paste0("~", paste(by, collapse = "+")))
    b <- svyby(f, bf, des, svymean, na.rm = TRUE, deff = deff)
    byf <- interaction(des$variables[by], drop = TRUE)
    labs <- as.character(interaction(b[by], sep = ":"))
    keys <- as.character(interaction(b[by], sep = "."))
    cf <- coef(b); s <- SE(b); nms <- names(cf)
    nstat <- length(cf) / nrow(b)
    stats <- attr(b, "svyby")$variables
    dfs <- sapply(keys, function(k) dom_degf(des, byf, k))
    qt2 <- qt(1 - (1 - level) / 2, dfs)
    for (j in seq_len(nstat)) {
      est <- b[[stats[j]]]; se <- b[[if (nstat > 1) paste0("se.", stats[j]) else "se"]]
      dd <- if (isFALSE(deff)) matrix(NA, nrow(b), nstat) else
        matrix(b[[grep("^DEff", names(b))[j]]], nrow(b), nstat)
      add(case, stats[j], paste(by, collapse = ":"), labs, est, se,
          est - qt2 * se, est + qt2 * se, dd[, j], dfs)
    }
  }
}

total_case <- function(case, des, var, by = NULL, deff = TRUE) {
  f <- as.formula(paste0("~", var))
  if (is.null(by)) {
    m <- svytotal(f, des, na.rm = TRUE, deff = deff)
    ci <- confint(m, df = degf(des))
    add(case, names(coef(m)), "", "", coef(m), SE(m), ci[, 1], ci[, 2], deff(m), degf(des))
  } else {
    bf <- as.formula(paste0("~", paste(by, collapse = "+")))
    b <- svyby(f, bf, des, svytotal, na.rm = TRUE, deff = deff)
    byf <- interaction(des$variables[by], drop = TRUE)
    labs <- as.character(interaction(b[by], sep = ":"))
    keys <- as.character(interaction(b[by], sep = "."))
    stats <- attr(b, "svyby")$variables
    dfs <- sapply(keys, function(k) dom_degf(des, byf, k))
    qt2 <- qt(0.975, dfs)
    nstat <- length(stats)
    for (j in seq_along(stats)) {
      est <- b[[stats[j]]]; se <- b[[if (nstat > 1) paste0("se.", stats[j]) else "se"]]
      dd <- matrix(b[[grep("^DEff", names(b))[j]]], nrow(b), nstat)
      add(case, stats[j], paste(by, collapse = ":"), labs, est, se,
          est - qt2 * se, est + qt2 * se, dd[, j], dfs)
    }
  }
}

ciprop_case <- function(case, des, var, method, by = NULL, level = 0.95) {
  f <- as.formula(paste0("~", var))
  if (is.null(by)) {
    r <- svyciprop(f, des, method = method, level = level, na.rm = TRUE)
    ci <- attr(r, "ci")
    add(case, var, "", "", coef(r), SE(r), ci[1], ci[2], NA, degf(des))
  } else {
    byf <- des$variables[[by]]
    for (lev in sort(unique(byf[!is.na(byf)]))) {
      sub <- des[!is.na(byf) & byf == lev, ]
      r <- svyciprop(f, sub, method = method, level = level, na.rm = TRUE)
      ci <- attr(r, "ci")
      add(case, var, by, lev, coef(r), SE(r), ci[1], ci[2], NA, degf(sub))
    }
  }
}

# ---- designs ----------------------------------------------------------------------------
dclus1 <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus1_nofpc <- svydesign(ids = ~dnum, weights = ~pw, data = apiclus1)
dstrat <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dstrat_nofpc <- svydesign(ids = ~1, strata = ~stype, weights = ~pw, data = apistrat)
dsrs <- svydesign(ids = ~1, weights = ~pw, fpc = ~fpc, data = apisrs)
dclus2 <- svydesign(ids = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
dclus2_uc <- svydesign(ids = ~dnum + snum, weights = ~pw, data = apiclus2)
dnh <- svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes)
# apiclus2 fpc as sampling fractions (same design)
apiclus2$f1 <- with(apiclus2, ave(dnum, 1, FUN = function(x) length(unique(x)))) / apiclus2$fpc1
apiclus2$f2 <- with(apiclus2, ave(snum, dnum, FUN = length)) / apiclus2$fpc2
wcsv(apiclus2, "apiclus2.csv")
dclus2_frac <- svydesign(ids = ~dnum + snum, fpc = ~f1 + f2, data = apiclus2)

synth_ok <- subset(synth, region != 6)
dsyn <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth_ok)
dsyn_fpc <- svydesign(ids = ~psu, strata = ~region, weights = ~w, fpc = ~npsu_pop, data = synth_ok)
dinst <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = subset(inst, region != 6))

# ---- means / proportions ----------------------------------------------------------------
apiclus1$sch_wide_yes <- as.numeric(apiclus1$sch.wide == "Yes")
dclus1 <- update(dclus1, sch_wide_yes = as.numeric(sch.wide == "Yes"))
for (v in c("api00", "sch_wide_yes", "acs.k3", "stype")) {
  mean_case("clus1_mean", dclus1, v)
  mean_case("clus1_mean_by_stype", dclus1, v, by = "stype")
  mean_case("clus1_mean_by_stype_both", dclus1, v, by = c("stype", "both"))
}
for (v in c("api00", "acs.k3", "stype")) mean_case("clus1_mean_nofpc", dclus1_nofpc, v)
for (v in c("api00", "acs.core", "sch.wide")) {
  mean_case("strat_mean", dstrat, v); mean_case("strat_mean_by_awards", dstrat, v, by = "awards")
  mean_case("strat_nofpc_mean", dstrat_nofpc, v)
}
for (v in c("api00", "enroll")) mean_case("srs_mean", dsrs, v)
for (v in c("api00", "enroll", "stype")) {
  mean_case("clus2_mean", dclus2, v); mean_case("clus2_mean_by_stype", dclus2, v, by = "stype")
  mean_case("clus2_uc_mean", dclus2_uc, v); mean_case("clus2_frac_mean", dclus2_frac, v)
}
for (v in c("HI_CHOL", "agecat")) {
  mean_case("nhanes_mean", dnh, v); mean_case("nhanes_mean_by_race", dnh, v, by = "race")
  mean_case("nhanes_mean_by_race_sex", dnh, v, by = c("race", "RIAGENDR"))
}
for (v in c("y1", "y2", "score", "device", paste0("platforms_", c("facebook", "tiktok", "whatsapp", "instagram")))) {
  mean_case("synth_mean", dsyn, v); mean_case("synth_mean_by_sex", dsyn, v, by = "sex")
  mean_case("synth_mean_by_sex_area", dsyn, v, by = c("sex", "area"))
  mean_case("synth_fpc_mean_by_area", dsyn_fpc, v, by = "area")
}
for (v in c("told_someone", "online")) {
  mean_case("instances_mean", dinst, v); mean_case("instances_mean_by_sex", dinst, v, by = "sex")
}
mean_case("synth_mean_90", dsyn, "y1", level = 0.90)
# deff = "replace"
for (v in c("api00", "sch_wide_yes")) {
  mean_case("clus1_mean_deffrep", dclus1, v, deff = "replace")
  mean_case("clus1_mean_by_stype_deffrep", dclus1, v, by = "stype", deff = "replace")
}
mean_case("synth_mean_by_sex_deffrep", dsyn, "y2", by = "sex", deff = "replace")

# zero weights: rows kept in the design with weight 0 (R: probability Inf)
synth_zw <- synth_ok; synth_zw$w[seq(3, nrow(synth_zw), by = 17)] <- 0
wcsv(synth_zw, "synth_zero_weights.csv")
dzw <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth_zw)
for (v in c("y1", "y2", "device")) {
  mean_case("zero_weights_mean", dzw, v); mean_case("zero_weights_mean_by_sex", dzw, v, by = "sex")
}
total_case("zero_weights_total", dzw, "score")

# ---- totals -----------------------------------------------------------------------------
for (v in c("enroll", "sch_wide_yes", "stype")) {
  total_case("clus1_total", dclus1, v); total_case("clus1_total_by_stype", dclus1, v, by = "stype")
}
for (v in c("enroll", "api00")) total_case("clus2_total", dclus2, v)
for (v in c("y2", "score")) {
  total_case("synth_total", dsyn, v); total_case("synth_total_by_area", dsyn, v, by = "area")
}
m <- svytotal(~enroll, dclus1, na.rm = TRUE, deff = "replace")
add("clus1_total_deffrep", "enroll", "", "", coef(m), SE(m), NA, NA, deff(m), degf(dclus1))

# ---- ratios -----------------------------------------------------------------------------
r <- svyratio(~api.stu, ~enroll, dclus1, deff = TRUE)
ci <- confint(r, df = degf(dclus1))
add("clus1_ratio", "api.stu/enroll", "", "", coef(r), SE(r), ci[1], ci[2], deff(r), degf(dclus1))
rb <- svyby(~api.stu, ~stype, denominator = ~enroll, design = dclus1, svyratio)
for (i in seq_len(nrow(rb))) add("clus1_ratio_by_stype", "api.stu/enroll", "stype", rb$stype[i],
  rb[i, 2], rb[i, 3], NA, NA, NA, dom_degf(dclus1, apiclus1$stype, rb$stype[i]))
r <- svyratio(~score, ~hours, dsyn, na.rm = TRUE, deff = TRUE)
add("synth_ratio", "score/hours", "", "", coef(r), SE(r), NA, NA, deff(r), degf(dsyn))
r <- svyratio(~api00, ~api99, dclus2, deff = TRUE)
add("clus2_ratio", "api00/api99", "", "", coef(r), SE(r), NA, NA, deff(r), degf(dclus2))

# ---- proportion intervals ---------------------------------------------------------------
for (meth in c("logit", "beta", "xlogit", "mean", "likelihood")) {
  ciprop_case(paste0("clus1_ciprop_", meth), dclus1, "sch_wide_yes", meth)
  ciprop_case(paste0("synth_ciprop_", meth), dsyn, "y2", meth)
  ciprop_case(paste0("synth_ciprop_", meth, "_by_sex"), dsyn, "y2", meth, by = "sex")
  ciprop_case(paste0("nhanes_ciprop_", meth), dnh, "HI_CHOL", meth)
  ciprop_case(paste0("synth_ciprop_", meth, "_90"), dsyn, "y1", meth, level = 0.9)
}

# ---- contrasts (joint covariance from svyby covmat=TRUE) ----------------------------------
con <- function(case, des, var, by, w) {
  b <- svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), des, svymean,
             na.rm = TRUE, covmat = TRUE)
  cc <- svycontrast(b, w)
  z <- coef(cc) / SE(cc)
  add(case, var, by, paste(w, collapse = ","), coef(cc), SE(cc), NA, NA, NA, degf(des),
      2 * pt(-abs(z), degf(des)))
  v <- vcov(b)
  write.csv(data.frame(level = rownames(b), estimate = coef(b), v, check.names = FALSE),
            file.path(out, paste0("vcov_", case, ".csv")), row.names = FALSE)
}
con("contrast_synth_y1_sex", dsyn, "y1", "sex", c(-1, 1))
con("contrast_synth_hours_area", dsyn, "hours", "area", c(1, -1))
con("contrast_clus1_api00_stype", dclus1, "api00", "stype", c(1, -0.5, -0.5))
dnh <- update(dnh, female = as.numeric(RIAGENDR == 2))
con("contrast_nhanes_female_race", dnh, "female", "race", c(0, 1, -1, 0))

# ---- lonely PSUs (the full synthetic file: region 6 has one PSU) ---------------------------
for (opt in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = opt)
  dl <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth)
  for (v in c("y1", "y2", "score")) {
    mean_case(paste0("lonely_", opt), dl, v)
    mean_case(paste0("lonely_", opt, "_by_area"), dl, v, by = "area")
  }
  total_case(paste0("lonely_", opt, "_total"), dl, "y1")
}
options(survey.lonely.psu = "fail")
dl <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = synth)
msg <- tryCatch({svymean(~y1, dl); "no error"}, error = function(e) conditionMessage(e))
writeLines(msg, file.path(out, "lonely_fail_message.txt"))

# nesting error message
msg <- tryCatch({svydesign(ids = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, data = nhanes); "no error"},
                error = function(e) conditionMessage(e))
writeLines(msg, file.path(out, "nest_message.txt"))

# degf of each design
degfs <- data.frame(design = c("clus1", "strat", "srs", "clus2", "clus2_uc", "nhanes", "synth"),
  degf = c(degf(dclus1), degf(dstrat), degf(dsrs), degf(dclus2), degf(dclus2_uc), degf(dnh), degf(dsyn)))
wcsv(degfs, "degf.csv")

all <- do.call(rbind, res)
write.csv(all, file.path(out, "estimates.csv"), row.names = FALSE, na = "")
writeLines(c(paste("R", getRversion()), paste("survey", packageVersion("survey")),
             format(Sys.Date())), file.path(out, "VERSION.txt"))
message("core fixtures: ", nrow(all), " rows")
