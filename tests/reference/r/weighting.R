# Reference fixtures for dhkit.weighting: postStratify, rake, calibrate (linear / raking /
# logit, with bounds) and trimWeights, weights and SEs on the calibrated designs.
#
# Sourced by tests/reference/make_reference.R with the working directory at the repo root.
# Writes CSV files under tests/reference/fixtures/weighting/ so the Python tests need no R.
# Data: R's shipped api data (population margins from apipop) and a small synthetic study
# generated here from a fixed seed. R survey 4.1.1.

suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
local({
  out <- file.path("tests", "reference", "fixtures", "weighting")
  dir.create(out, recursive = TRUE, showWarnings = FALSE)
  g17 <- function(x) ifelse(is.na(x), "NaN", sprintf("%.17g", x))
  write_num_csv <- function(df, file) {
    for (nm in names(df)) if (is.numeric(df[[nm]])) df[[nm]] <- g17(df[[nm]])
    write.csv(df, file.path(out, file), row.names = FALSE, quote = TRUE, na = "")
  }

  data(api, envir = environment())
  keep <- c("snum", "dnum", "stype", "sch.wide", "awards", "comp.imp", "api00", "api99",
            "enroll", "pw")
  clus1 <- apiclus1[, keep]
  strat <- apistrat[, keep]
  for (nm in c("stype", "sch.wide", "awards", "comp.imp")) {
    clus1[[nm]] <- as.character(clus1[[nm]])
    strat[[nm]] <- as.character(strat[[nm]])
  }
  write_num_csv(clus1, "api_clus1.csv")
  write_num_csv(strat, "api_strat.csv")

  # synthetic study: 6 regions x 10 PSUs x 20 children, lognormal base weights
  set.seed(20240601)
  n_psu <- 10; take <- 20
  syn <- expand.grid(child = seq_len(take), psu = seq_len(n_psu), region = 1:6)
  syn$psu_id <- (syn$region - 1) * n_psu + syn$psu
  syn$sex <- sample(1:2, nrow(syn), replace = TRUE)
  syn$age <- sample(12:17, nrow(syn), replace = TRUE)
  syn$quintile <- sample(1:5, nrow(syn), replace = TRUE, prob = c(.15, .2, .2, .2, .25))
  syn$w0 <- round(exp(rnorm(nrow(syn), log(300), 0.35)) * (1 + syn$region / 10), 3)
  syn$y <- rbinom(nrow(syn), 1, plogis(-1 + 0.3 * (syn$sex == 2) + 0.15 * (syn$age - 14)))
  syn$hours <- round(rgamma(nrow(syn), 2, 0.5), 2)
  syn <- syn[, c("region", "psu_id", "sex", "age", "quintile", "w0", "y", "hours")]
  write_num_csv(syn, "synthetic.csv")
  N <- 400000
  pop_region <- round(N * c(.22, .18, .2, .12, .1, .18))
  pop_sex <- c(round(N * .49), N - round(N * .49))
  pop_age <- c(rep(round(N / 6), 5), N - 5 * round(N / 6))
  pop_quint <- round(N * c(.2, .2, .2, .2, .2))

  margin_df <- function(var, levels, totals) {
    data.frame(variable = var, level = as.character(levels), total = totals)
  }
  to_pop <- function(m) {
    # one margin (rows of one variable, possibly crossed a:b) -> R population data frame
    vars <- strsplit(m$variable[1], ":", fixed = TRUE)[[1]]
    parts <- do.call(rbind, strsplit(m$level, ":", fixed = TRUE))
    df <- as.data.frame(parts, stringsAsFactors = FALSE)
    names(df) <- vars
    df$Freq <- m$total
    df
  }
  split_margins <- function(margins) split(margins, factor(margins$variable, unique(margins$variable)))
  formula_of <- function(var) as.formula(paste("~", gsub(":", "+", var, fixed = TRUE)))

  results <- list()
  record <- function(case, design, vars_mean, vars_total) {
    w <- weights(design)
    write_num_csv(data.frame(weight = as.vector(w)), paste0("weights_", case, ".csv"))
    for (v in vars_mean) {
      e <- svymean(as.formula(paste("~", v)), design)
      results[[length(results) + 1]] <<- data.frame(case = case, stat = "mean", variable = v,
                                                    estimate = coef(e)[[1]], se = SE(e)[[1]])
    }
    for (v in vars_total) {
      e <- svytotal(as.formula(paste("~", v)), design)
      results[[length(results) + 1]] <<- data.frame(case = case, stat = "total", variable = v,
                                                    estimate = coef(e)[[1]], se = SE(e)[[1]])
    }
  }
  apimargin <- function(var) {
    vars <- strsplit(var, ":", fixed = TRUE)[[1]]
    tab <- as.data.frame(table(apipop[, vars, drop = FALSE]), stringsAsFactors = FALSE)
    lev <- if (length(vars) == 1) tab[[1]] else do.call(paste, c(tab[vars], sep = ":"))
    margin_df(var, lev, tab$Freq)
  }

  dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = clus1)
  dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat)
  synf <- syn
  for (nm in c("region", "sex", "age", "quintile")) synf[[nm]] <- factor(synf[[nm]])
  dsyn <- svydesign(id = ~psu_id, strata = ~region, weights = ~w0, data = synf)

  cases <- list(
    list(case = "ps_clus1", design = dclus1, method = "poststratify",
         margins = apimargin("stype"), data = "api_clus1.csv"),
    list(case = "ps_strat_cross", design = dstrat, method = "poststratify",
         margins = apimargin("sch.wide:awards"), data = "api_strat.csv"),
    list(case = "rake_clus1", design = dclus1, method = "raking",
         margins = rbind(apimargin("stype"), apimargin("sch.wide")), data = "api_clus1.csv"),
    list(case = "rake_strat", design = dstrat, method = "raking",
         margins = rbind(apimargin("sch.wide"), apimargin("awards"), apimargin("comp.imp")),
         data = "api_strat.csv"),
    list(case = "linear_clus1", design = dclus1, method = "linear",
         margins = rbind(apimargin("stype"), apimargin("sch.wide")), data = "api_clus1.csv"),
    list(case = "calraking_clus1", design = dclus1, method = "calraking",
         margins = rbind(apimargin("stype"), apimargin("sch.wide")), data = "api_clus1.csv"),
    list(case = "logit_clus1", design = dclus1, method = "logit", bounds = c(0.5, 2.2),
         margins = rbind(apimargin("stype"), apimargin("sch.wide")), data = "api_clus1.csv"),
    list(case = "linear_bounded_strat", design = dstrat, method = "linear", bounds = c(0.6, 1.5),
         margins = rbind(apimargin("stype"), apimargin("sch.wide"), apimargin("comp.imp")),
         data = "api_strat.csv"),
    list(case = "syn_rake", design = dsyn, method = "raking",
         margins = rbind(margin_df("region", 1:6, pop_region), margin_df("sex", 1:2, pop_sex),
                         margin_df("age", 12:17, pop_age), margin_df("quintile", 1:5, pop_quint)),
         data = "synthetic.csv"),
    list(case = "syn_linear", design = dsyn, method = "linear",
         margins = rbind(margin_df("region", 1:6, pop_region), margin_df("sex", 1:2, pop_sex),
                         margin_df("age", 12:17, pop_age), margin_df("quintile", 1:5, pop_quint)),
         data = "synthetic.csv"),
    list(case = "syn_logit", design = dsyn, method = "logit", bounds = c(0.4, 2.5),
         margins = rbind(margin_df("region", 1:6, pop_region), margin_df("sex", 1:2, pop_sex),
                         margin_df("age", 12:17, pop_age), margin_df("quintile", 1:5, pop_quint)),
         data = "synthetic.csv")
  )

  index <- list()
  for (cs in cases) {
    m <- cs$margins
    write.csv(m, file.path(out, paste0("margins_", cs$case, ".csv")), row.names = FALSE)
    pieces <- split_margins(m)
    fl <- lapply(names(pieces), formula_of)
    pops <- lapply(pieces, to_pop)
    d <- cs$design
    bounds <- if (is.null(cs$bounds)) c(-Inf, Inf) else cs$bounds
    cal <- switch(cs$method,
      poststratify = postStratify(d, fl[[1]], pops[[1]]),
      raking = rake(d, fl, pops),
      linear = calibrate(d, fl, pops, calfun = "linear", bounds = bounds),
      calraking = calibrate(d, fl, pops, calfun = "raking", bounds = bounds),
      logit = calibrate(d, fl, pops, calfun = "logit", bounds = bounds))
    is_syn <- cs$data == "synthetic.csv"
    record(cs$case, cal, if (is_syn) c("y", "hours") else c("api00", "api99"),
           if (is_syn) c("y") else c("enroll"))
    index[[length(index) + 1]] <- data.frame(
      case = cs$case, method = cs$method, data = cs$data,
      lower = bounds[1], upper = bounds[2])
  }

  # numeric totals (calibrate(~ stype + api99)): margins file rows with an empty level
  num_m <- rbind(apimargin("stype"),
                 data.frame(variable = "api99", level = "", total = sum(apipop$api99)))
  write.csv(num_m, file.path(out, "margins_numeric_clus1.csv"), row.names = FALSE)
  num_pop <- c(`(Intercept)` = nrow(apipop), stypeH = sum(apipop$stype == "H"),
               stypeM = sum(apipop$stype == "M"), api99 = sum(apipop$api99))
  for (cs in list(list(case = "numeric_linear_clus1", calfun = "linear", bounds = c(-Inf, Inf)),
                  list(case = "numeric_logit_clus1", calfun = "logit", bounds = c(0.6, 1.8)))) {
    cal <- calibrate(dclus1, ~stype + api99, num_pop, calfun = cs$calfun, bounds = cs$bounds)
    record(cs$case, cal, c("api00"), c("enroll"))
    index[[length(index) + 1]] <- data.frame(case = cs$case, method = cs$calfun,
                                             data = "api_clus1.csv", lower = cs$bounds[1],
                                             upper = cs$bounds[2])
    file.copy(file.path(out, "margins_numeric_clus1.csv"),
              file.path(out, paste0("margins_", cs$case, ".csv")), overwrite = TRUE)
  }
  file.remove(file.path(out, "margins_numeric_clus1.csv"))

  # trimWeights on a calibrated design (upper and lower bounds, strict = FALSE)
  cal <- calibrate(dstrat, list(~sch.wide, ~awards), list(to_pop(apimargin("sch.wide")),
                   to_pop(apimargin("awards"))), calfun = "linear")
  write.csv(rbind(apimargin("sch.wide"), apimargin("awards")),
            file.path(out, "margins_trim_strat.csv"), row.names = FALSE)
  tr <- trimWeights(cal, upper = 40, lower = 15)
  record("trim_strat", tr, c("api00"), c("enroll"))
  index[[length(index) + 1]] <- data.frame(case = "trim_strat", method = "trim",
                                           data = "api_strat.csv", lower = 15, upper = 40)
  # replicate weights (JKn from the design) re-calibrated per replicate
  rsyn <- as.svrepdesign(dsyn, type = "JKn")
  sm <- split_margins(cases[[9]]$margins)
  rfl <- lapply(names(sm), formula_of)
  rpops <- lapply(sm, to_pop)
  reps <- list(rep_rake = rake(rsyn, rfl, rpops),
               rep_linear = calibrate(rsyn, rfl, rpops, calfun = "linear"),
               rep_logit = calibrate(rsyn, rfl, rpops, calfun = "logit", bounds = c(0.4, 2.5)))
  for (nm in names(reps)) {
    rw <- weights(reps[[nm]], "analysis")
    write_num_csv(as.data.frame(rw), paste0("repweights_", nm, ".csv"))
    write_num_csv(data.frame(weight = weights(reps[[nm]], "sampling")),
                  paste0("weights_", nm, ".csv"))
    e <- svymean(~y, reps[[nm]])
    results[[length(results) + 1]] <- data.frame(case = nm, stat = "mean", variable = "y",
                                                 estimate = coef(e)[[1]], se = SE(e)[[1]])
  }
  write_num_csv(data.frame(rscales = rsyn$rscales, scale = rsyn$scale), "rscales_jkn.csv")
  write_num_csv(do.call(rbind, index), "cases.csv")
  write_num_csv(do.call(rbind, results), "results.csv")
})
