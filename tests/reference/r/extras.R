# Reference fixtures for dhkit.survey replicate designs, quantiles, chi-square and t-tests.
#
# Sourced by tests/reference/make_reference.R with the working directory at the repo root.
# Writes CSV/JSON files under tests/reference/fixtures/extras/ so the Python tests need no R.
# Uses only R's shipped data sets (survey::api, survey::scd). R survey 4.1.1.

suppressMessages(library(survey))
options(survey.replicates.mse = FALSE, survey.lonely.psu = "fail")
local({
  out <- file.path("tests", "reference", "fixtures", "extras")
  dir.create(out, recursive = TRUE, showWarnings = FALSE)
  g17 <- function(x) ifelse(is.na(x), "NaN", sprintf("%.17g", x))
  # numbers written to JSON with all 17 digits (jsonlite stops at 15)
  j17 <- function(x) structure(sprintf("%.17g", x), class = "json")
  j17v <- function(x) structure(paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]"),
                                class = "json")
  j17m <- function(m) structure(paste0("[", paste(apply(m, 1, function(r) unclass(j17v(r))),
                                                  collapse = ", "), "]"), class = "json")
  write_num_csv <- function(df, file) {
    for (nm in names(df)) if (is.numeric(df[[nm]])) df[[nm]] <- g17(df[[nm]])
    write.csv(df, file.path(out, file), row.names = FALSE, quote = TRUE, na = "")
  }

  data(api, envir = environment())
  data(scd, envir = environment())
  keep <- c("snum", "dnum", "stype", "api00", "api99", "enroll", "api.stu", "acs.k3", "target",
            "sch.wide", "comp.imp", "awards", "yr.rnd", "pw", "fpc")
  grp <- function(d) {
    d$api_grp <- as.character(cut(d$api00, c(0, 600, 750, 1000), labels = c("low", "mid", "high")))
    d$acs_grp <- as.character(cut(d$acs.k3, c(0, 18.5, 19.5, 30), labels = c("small", "mid", "big")))
    d
  }
  apiclus1 <- grp(apiclus1[, keep])
  apistrat <- grp(apistrat[, keep])
  apisrs <- grp(apisrs[, keep])
  for (nm in c("stype", "sch.wide", "comp.imp", "awards", "yr.rnd")) {
    apiclus1[[nm]] <- as.character(apiclus1[[nm]])
    apistrat[[nm]] <- as.character(apistrat[[nm]])
    apisrs[[nm]] <- as.character(apisrs[[nm]])
  }

  dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
  dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
  scdnofpc <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)
  scdfpc <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE,
                      fpc = rep(5, 6))
  scdsrs <- svydesign(data = scd, prob = ~1, id = ~1)

  # ---- replicate designs -----------------------------------------------------------------
  brr_example <- 2 * cbind(c(1, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 1), c(0, 1, 1, 0, 0, 1),
                           c(0, 1, 0, 1, 1, 0))
  set.seed(20240601)
  strat_boot <- as.svrepdesign(dstrat, type = "bootstrap", replicates = 50)
  # successive-difference factors (Fay & Train) from a Sylvester Hadamard matrix of order 16
  h <- matrix(1, 1, 1)
  for (k in 1:4) h <- rbind(cbind(h, h), cbind(h, -h))
  nsrs <- nrow(apisrs)
  row1 <- (seq_len(nsrs) - 1) %% 15 + 2
  row2 <- seq_len(nsrs) %% 15 + 2
  sdr_factor <- 1 + 2^(-1.5) * h[row1, ] - 2^(-1.5) * h[row2, ]

  designs <- list(
    scd_brr = list(data = scd, rw = brr_example, pw = NULL,
                   des = svrepdesign(data = scd, type = "BRR", repweights = brr_example,
                                     combined.weights = FALSE)),
    scd_fay = list(data = scd, des = as.svrepdesign(scdnofpc, type = "Fay", fay.rho = 0.3)),
    scd_jkn = list(data = scd, des = as.svrepdesign(scdnofpc)),
    scd_jkn_fpc = list(data = scd, des = as.svrepdesign(scdfpc)),
    scd_jk1 = list(data = scd, des = as.svrepdesign(scdsrs)),
    clus1_jk1 = list(data = apiclus1, des = as.svrepdesign(dclus1)),
    clus1_jk1_mse = list(data = apiclus1, des = as.svrepdesign(dclus1, mse = TRUE)),
    strat_jkn = list(data = apistrat, des = as.svrepdesign(dstrat)),
    strat_boot = list(data = apistrat, des = strat_boot),
    srs_sdr = list(data = apisrs, des = svrepdesign(
      data = apisrs, weights = ~pw, repweights = sdr_factor * apisrs$pw,
      type = "successive-difference", combined.weights = TRUE))
  )
  # combined-weight versions of the same replicate weights (svrepdesign from columns)
  sj <- designs$strat_jkn$des
  designs$strat_jkn_combined <- list(data = apistrat, des = svrepdesign(
    data = apistrat, weights = ~pw, repweights = weights(sj, "analysis"), type = "JKn",
    rscales = sj$rscales, combined.weights = TRUE))
  designs$strat_boot_mse <- list(data = apistrat, des = svrepdesign(
    data = apistrat, weights = ~pw, repweights = weights(strat_boot, "analysis"),
    type = "bootstrap", combined.weights = TRUE, mse = TRUE))
  cj <- designs$clus1_jk1$des
  designs$clus1_jk1_scale <- list(data = apiclus1, des = svrepdesign(
    data = apiclus1, weights = ~pw, repweights = weights(cj, "replication"), type = "JK1",
    scale = (1 - 15 / 757) * 14 / 15, combined.weights = FALSE))
  fd <- designs$scd_fay$des
  designs$scd_fay_cols <- list(data = scd, des = svrepdesign(
    data = scd, repweights = weights(fd, "replication"), type = "Fay", rho = 0.3,
    combined.weights = FALSE))

  meta <- list()
  results <- list()
  # a domain's df is degf(design[domain, ]), as svyby(..., svyciprop) uses
  dom_df <- function(des, by, levels) {
    vars <- strsplit(by, ":")[[1]]
    key <- do.call(paste, c(lapply(vars, function(v) as.character(des$variables[[v]])), sep = ":"))
    sapply(levels, function(l) degf(des[!is.na(key) & key == l, ]))
  }
  add <- function(case, fn, var, by, level, est, se, df, ci = NULL, deff = NA) {
    if (by != "") df <- dom_df(designs[[case]]$des, by, level)
    if (is.null(ci)) ci <- cbind(est + qt(0.025, df) * se, est + qt(0.975, df) * se)
    results[[length(results) + 1]] <<- data.frame(
      case = case, fn = fn, var = var, by = by, level = level, estimate = as.vector(est),
      se = as.vector(se), ci_low = ci[, 1], ci_high = ci[, 2], df = df, deff = as.vector(deff),
      stringsAsFactors = FALSE)
  }
  for (case in names(designs)) {
    d <- designs[[case]]
    des <- d$des
    rw <- weights(des, "replication")
    colnames(rw) <- paste0("rw", seq_len(ncol(rw)))
    dat <- cbind(d$data, rw)
    dat$pweight <- des$pweights
    write_num_csv(dat, paste0("rep_", case, ".csv"))
    meta[[case]] <- list(file = paste0("rep_", case, ".csv"), type = des$type,
                         scale = j17(des$scale), rscales = j17v(des$rscales),
                         rho = if (is.null(des$rho)) 0 else des$rho,
                         combined = des$combined.weights, mse = isTRUE(des$mse),
                         degf = degf(des), nrep = ncol(rw))
    df <- degf(des)
    est <- function(fn, x, var, by = "", level = "", deffs = TRUE) {
      add(case, fn, var, by, level, coef(x), SE(x), df, confint(x, df = df),
          if (deffs) deff(x) else NA)
    }
    if (identical(d$data, scd)) {
      m <- svymean(~alive + arrests, des, deff = TRUE)
      est("mean", m, names(coef(m)))
      t <- svytotal(~alive + arrests, des, deff = TRUE)
      est("total", t, names(coef(t)))
      r <- svyratio(~alive, ~arrests, des)
      add(case, "ratio", "alive/arrests", "", "", coef(r), SE(r), df)
      b <- svyby(~alive, ~ESA, des, svytotal)
      add(case, "total", "alive", "ESA", as.character(b$ESA), coef(b), SE(b), df)
      b <- svyby(~arrests, ~ESA, des, svymean)
      add(case, "mean", "arrests", "ESA", as.character(b$ESA), coef(b), SE(b), df)
    } else {
      m <- svymean(~api00 + enroll, des, deff = TRUE)
      est("mean", m, names(coef(m)))
      m <- svymean(~sch.wide, des, deff = TRUE)
      est("mean", m, c("sch.wide=No", "sch.wide=Yes"))
      m <- svymean(~acs.k3, des, na.rm = TRUE, deff = TRUE)
      est("mean", m, "acs.k3")
      t <- svytotal(~enroll, des, deff = TRUE)
      est("total", t, "enroll")
      t <- svytotal(~acs.k3, des, na.rm = TRUE, deff = TRUE)
      est("total", t, "acs.k3")
      r <- svyratio(~api.stu, ~enroll, des)
      add(case, "ratio", "api.stu/enroll", "", "", coef(r), SE(r), df)
      b <- svyby(~api00, ~stype, des, svymean, deff = TRUE)
      add(case, "mean", "api00", "stype", as.character(b$stype), coef(b), SE(b), df,
          deff = deff(b))
      b <- svyby(~target, ~stype, des, svymean, na.rm = TRUE)
      add(case, "mean", "target", "stype", as.character(b$stype), coef(b), SE(b), df)
      b <- svyby(~enroll, ~stype, des, svytotal, deff = TRUE)
      add(case, "total", "enroll", "stype", as.character(b$stype), coef(b), SE(b), df,
          deff = deff(b))
      b <- svyby(~api.stu, ~stype, des, svyratio, denominator = ~enroll)
      add(case, "ratio", "api.stu/enroll", "stype", as.character(b$stype), coef(b), SE(b), df)
      # proportion intervals (svyciprop) overall and by domain
      des2 <- update(des, yes = as.numeric(sch.wide == "Yes"))
      for (meth in c("mean", "logit", "xlogit", "beta", "likelihood")) {
        x <- svyciprop(~yes, des2, method = meth)
        add(case, paste0("prop_", meth), "yes", "", "", coef(x), SE(x), df,
            matrix(confint(x), nrow = 1))
        b <- svyby(~yes, ~stype, des2, svyciprop, method = meth, vartype = c("se", "ci"))
        add(case, paste0("prop_", meth), "yes", "stype", as.character(b$stype), coef(b), SE(b),
            df, cbind(b$ci_l, b$ci_u))
      }
      b <- svyby(~api00, ~stype + sch.wide, des, svymean)
      add(case, "mean", "api00", "stype:sch.wide", paste(b$stype, b$sch.wide, sep = ":"),
          coef(b), SE(b), df)
    }
  }
  write_num_csv(do.call(rbind, results), "replicate_estimates.csv")
  writeLines(jsonlite::toJSON(meta, auto_unbox = TRUE, digits = NA, pretty = TRUE,
                              json_verbatim = TRUE),
             file.path(out, "replicate_designs.json"))

  # JKn with a single-PSU stratum under each lonely-PSU rule (jknweights)
  scd5 <- scd[1:5, ]
  lonely <- list()
  for (rule in c("remove", "certainty", "adjust", "average")) {
    options(survey.lonely.psu = rule)
    des <- as.svrepdesign(svydesign(data = scd5, prob = ~1, id = ~ambulance, strata = ~ESA,
                                    nest = TRUE))
    m <- svymean(~alive, des)
    lonely[[rule]] <- list(repweights = j17m(weights(des, "replication")),
                           scale = j17(des$scale), rscales = j17v(des$rscales),
                           mean = j17(coef(m)), se = j17(SE(m)))
  }
  options(survey.lonely.psu = "fail")
  writeLines(jsonlite::toJSON(lonely, digits = NA, auto_unbox = TRUE, pretty = TRUE,
                              json_verbatim = TRUE),
             file.path(out, "lonely_jkn.json"))

  # as.svrepdesign from linearization designs: the data the Design is built from
  write_num_csv(apiclus1, "apiclus1.csv")
  write_num_csv(apistrat, "apistrat.csv")
  write_num_csv(apisrs, "apisrs.csv")
  write_num_csv(scd, "scd.csv")

  # a post-stratified design: the calibration residuals enter every variance
  dclus1p <- postStratify(dclus1, ~stype, data.frame(stype = c("E", "H", "M"),
                                                     Freq = c(4421, 755, 1018)))
  lin <- list(clus1 = dclus1, strat = dstrat, clus1_post = dclus1p)
  rep <- list(clus1_jk1 = designs$clus1_jk1$des, strat_jkn = designs$strat_jkn$des,
              strat_boot = strat_boot, srs_sdr = designs$srs_sdr$des)
  all_des <- c(lin, rep)

  # ---- quantiles (default: interval.type = "mean", qrule = "math") ------------------------
  qrows <- list()
  addq <- function(case, var, by, level, q, probs, df) {
    for (v in names(q)) {
      a <- q[[v]]
      qrows[[length(qrows) + 1]] <<- data.frame(
        case = case, var = v, by = by, level = level, p = probs, quantile = a[, 1],
        ci_low = a[, 2], ci_high = a[, 3], se = a[, 4], df = df, stringsAsFactors = FALSE)
    }
  }
  probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
  for (case in names(all_des)) {
    des <- all_des[[case]]
    addq(case, "api00", "", "", svyquantile(~api00, des, probs), probs, degf(des))
    addq(case, "enroll", "", "", svyquantile(~enroll, des, probs), probs, degf(des))
    addq(case, "acs.k3", "", "", svyquantile(~acs.k3, des, probs, na.rm = TRUE), probs,
         degf(des[!is.na(des$variables$acs.k3), ]))
    # domains as svyby does them: the design restricted to the domain's rows
    for (lv in c("E", "H", "M")) {
      sub <- des[des$variables$stype == lv, ]
      addq(case, "api00", "stype", lv, svyquantile(~api00, sub, c(0.25, 0.5)), c(0.25, 0.5),
           degf(sub))
    }
  }
  # the beta and xlogit interval types
  for (it in c("beta", "xlogit")) {
    q <- svyquantile(~api00, dclus1, c(0.25, 0.5), interval.type = it)
    addq(paste0("clus1_", it), "api00", "", "", q, c(0.25, 0.5), degf(dclus1))
  }
  write_num_csv(do.call(rbind, qrows), "quantiles.csv")

  # ---- Rao-Scott chi-square --------------------------------------------------------------
  crow <- list()
  tables <- list(c("sch.wide", "stype"), c("stype", "awards"), c("api_grp", "stype"),
                 c("acs_grp", "sch.wide"))
  for (case in names(all_des)) {
    des <- all_des[[case]]
    for (tb in tables) {
      f <- as.formula(paste0("~", tb[1], "+", tb[2]))
      for (st in c("F", "Chisq")) {
        x <- svychisq(f, des, statistic = st)
        crow[[length(crow) + 1]] <- data.frame(
          case = case, row_var = tb[1], col_var = tb[2], statistic_type = st,
          statistic = unname(x$statistic),
          ndf = if (st == "F") unname(x$parameter["ndf"]) else unname(x$parameter["df"]),
          ddf = if (st == "F") unname(x$parameter["ddf"]) else NA_real_,
          p_value = x$p.value, method = x$method, stringsAsFactors = FALSE)
      }
    }
  }
  write_num_csv(do.call(rbind, crow), "chisq.csv")

  # ---- design-based t-test --------------------------------------------------------------
  trow <- list()
  tests <- list(c("api00", "sch.wide"), c("enroll", "comp.imp"), c("acs.k3", "sch.wide"))
  for (case in names(all_des)) {
    des <- all_des[[case]]
    for (tt in tests) {
      x <- svyttest(as.formula(paste(tt[1], "~", tt[2])), des)
      trow[[length(trow) + 1]] <- data.frame(
        case = case, y = tt[1], group = tt[2], estimate = unname(x$estimate),
        se = unname(x$estimate / x$statistic), statistic = unname(x$statistic),
        df = unname(x$parameter), p_value = x$p.value, ci_low = x$conf.int[1],
        ci_high = x$conf.int[2], stringsAsFactors = FALSE)
    }
  }
  write_num_csv(do.call(rbind, trow), "ttest.csv")
})
