# Reference fixtures for PPS designs (PSUs drawn with probability proportional to size,
# without replacement): R svydesign(fpc = ~prob, pps = "brewer" | HR() | "overton",
# variance = "HT" | "YG"); svymean, svytotal, svyratio and svyby on each, on R's own data:
# election_pps (R's documented pps example), apistrat with PPS probabilities from apipop
# (one stage, stratified) and apiclus2 with two PPS stages (districts, then schools).
# Sourced by tests/reference/make_reference.R from the repository root.
suppressMessages(library(survey))
out <- "tests/reference/fixtures/pps"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
options(survey.lonely.psu = "fail")
data(election)
data(api)

# --- data: R's own, with the inclusion probabilities the designs declare ---------------------
el <- election_pps
el$bush_won <- as.numeric(el$Bush > el$Kerry)
el$size <- ifelse(el$votes > 300000, "large", "small")
el <- el[, c("County", "TotPrecincts", "Bush", "Kerry", "Nader", "votes", "p", "wt",
             "bush_won", "size")]

pop_h <- tapply(apipop$enroll, apipop$stype, sum, na.rm = TRUE)
n_h <- table(apistrat$stype)
st <- apistrat[!is.na(apistrat$enroll), ]
st$p <- pmin(1, as.numeric(n_h[as.character(st$stype)]) * st$enroll /
               pop_h[as.character(st$stype)])
st$sch_wide <- as.numeric(st$sch.wide == "Yes")
st$stratum <- as.integer(st$stype)  # R's HRDcheck/overton2Dcheck need numeric strata (ave)
st <- st[, c("cds", "stype", "stratum", "dnum", "snum", "enroll", "api99", "api00", "meals", "awards",
             "sch_wide", "p")]

dist <- tapply(apipop$enroll, apipop$dnum, sum, na.rm = TRUE)
c2 <- apiclus2[!is.na(apiclus2$enroll), ]
c2$p1 <- pmin(1, 40 * dist[as.character(c2$dnum)] / sum(dist))
n_i <- table(c2$dnum)
c2$p2 <- pmin(1, as.numeric(n_i[as.character(c2$dnum)]) * c2$enroll /
               dist[as.character(c2$dnum)])
c2$sch_wide <- as.numeric(c2$sch.wide == "Yes")
# rows in cluster order: R's onestrat pairs the per-cluster factors 1 - pi (taken in order of
# first appearance) with the cluster totals of rowsum() (in sorted order), so on unsorted rows
# R's PPS variance depends on the row order; dhkit's does not and equals R's on sorted rows
c2 <- c2[order(c2$dnum, as.character(c2$snum)), ]
c2 <- c2[, c("cds", "stype", "dnum", "snum", "enroll", "api99", "api00", "meals", "awards",
             "sch_wide", "p1", "p2")]

# one high school left: a stratum with one PSU, for the lonely-PSU rules
sl <- st[st$stype != "H" | seq_len(nrow(st)) == which(st$stype == "H")[1], ]

write.csv(el, file.path(out, "election_pps.csv"), row.names = FALSE)
write.csv(sl, file.path(out, "apistrat_pps_lonely.csv"), row.names = FALSE)
write.csv(st, file.path(out, "apistrat_pps.csv"), row.names = FALSE)
write.csv(c2, file.path(out, "apiclus2_pps.csv"), row.names = FALSE)

designs <- list(
  election_brewer = svydesign(id = ~1, fpc = ~p, data = el, pps = "brewer"),
  election_brewer_w = svydesign(id = ~1, weights = ~wt, fpc = ~p, data = el, pps = "brewer"),
  election_hr = svydesign(id = ~1, fpc = ~p, data = el, pps = HR()),
  election_hr_yg = svydesign(id = ~1, fpc = ~p, data = el, pps = HR(), variance = "YG"),
  election_overton = svydesign(id = ~1, fpc = ~p, data = el, pps = "overton"),
  election_overton_yg = svydesign(id = ~1, fpc = ~p, data = el, pps = "overton", variance = "YG"),
  strat_brewer = svydesign(id = ~1, strata = ~stratum, fpc = ~p, data = st, pps = "brewer"),
  strat_hr = svydesign(id = ~1, strata = ~stratum, fpc = ~p, data = st, pps = HR()),
  strat_overton = svydesign(id = ~1, strata = ~stratum, fpc = ~p, data = st, pps = "overton"),
  strat_brewer_adjust = svydesign(id = ~1, strata = ~stratum, fpc = ~p, data = sl, pps = "brewer"),
  strat_brewer_average = svydesign(id = ~1, strata = ~stratum, fpc = ~p, data = sl, pps = "brewer"),
  clus2_brewer = svydesign(id = ~dnum + snum, fpc = ~p1 + p2, data = c2, pps = "brewer"),
  clus2_brewer_1 = svydesign(id = ~dnum, fpc = ~p1, data = c2, pps = "brewer",
                             weights = ~I(1 / (p1 * p2)))
)

# what each case estimates: means (numeric and 0/1), totals, a ratio, one domain variable
plans <- list(
  election = list(means = c("Bush", "bush_won"), totals = c("votes", "Bush"),
                  ratio = c("Bush", "votes"), by = "size"),
  api = list(means = c("api00", "sch_wide", "awards"), totals = c("enroll"),
             ratio = c("api00", "api99"), by = "stype")
)
plan_of <- function(case) if (startsWith(case, "election")) plans$election else plans$api

rows <- function(case, kind, indicator, domain, level, category, est, se, deff = NA) {
  data.frame(case = case, kind = kind, indicator = indicator, domain = domain, level = level,
             category = category, estimate = as.numeric(est), se = as.numeric(as.matrix(se)),
             deff = as.numeric(deff))
}
cats <- function(name, coefnames) {
  if (all(startsWith(coefnames, name)) && any(coefnames != name))
    substring(coefnames, nchar(name) + 1) else rep("", length(coefnames))
}
res <- list()
add <- function(x) res[[length(res) + 1]] <<- x
lonely <- function(case) if (grepl("adjust|average", case)) sub(".*_", "", case) else "fail"
for (case in names(designs)) {
  options(survey.lonely.psu = lonely(case))
  d <- designs[[case]]
  p <- plan_of(case)
  brewer <- grepl("brewer", case)
  for (v in p$means) {
    f <- as.formula(paste0("~", v))
    m <- svymean(f, d, deff = brewer)
    add(rows(case, "mean", v, "", "", cats(v, names(coef(m))), coef(m), SE(m),
             if (brewer) deff(m) else NA))
    b <- svyby(f, as.formula(paste0("~", p$by)), d, svymean)
    cf <- coef(b)
    lv <- sub(":.*", "", names(cf))
    add(rows(case, "mean", v, p$by, lv, cats(v, sub("^[^:]*:", "", names(cf))), cf, SE(b)))
  }
  for (v in p$totals) {
    f <- as.formula(paste0("~", v))
    t <- svytotal(f, d, deff = brewer)
    add(rows(case, "total", v, "", "", "", coef(t), SE(t), if (brewer) deff(t) else NA))
    b <- svyby(f, as.formula(paste0("~", p$by)), d, svytotal)
    add(rows(case, "total", v, p$by, as.character(b[[p$by]]), "", coef(b), SE(b)))
  }
  num <- as.formula(paste0("~", p$ratio[1]))
  den <- as.formula(paste0("~", p$ratio[2]))
  r <- svyratio(num, den, d)
  add(rows(case, "ratio", paste(p$ratio, collapse = "/"), "", "", "", coef(r), SE(r)))
  b <- svyby(num, as.formula(paste0("~", p$by)), d, svyratio, denominator = den)
  add(rows(case, "ratio", paste(p$ratio, collapse = "/"), p$by, as.character(b[[p$by]]), "",
           coef(b), SE(b)))
}
res <- do.call(rbind, res)
write.csv(res, file.path(out, "estimates.csv"), row.names = FALSE)
options(survey.lonely.psu = "fail")

# the difference of two domain means with its SE from their joint covariance (svyglm on the
# domain factor: its coefficient is that contrast; R's svyby(covmat = TRUE) fails on a PPS
# design), and svyvar
extra <- do.call(rbind, lapply(c("election_brewer", "election_hr_yg", "strat_brewer",
                                 "strat_overton", "clus2_brewer"), function(case) {
  d <- designs[[case]]
  p <- plan_of(case)
  v <- p$means[1]
  lv <- sort(unique(as.character(d$variables[[p$by]])))
  s2 <- svyvar(as.formula(paste0("~", v)), d)
  out <- data.frame(case = case, what = "svyvar", indicator = v, domain = "", first = "",
                    second = "", estimate = as.numeric(coef(s2)), se = as.numeric(SE(s2)))
  if (grepl("brewer", case)) {
    fit <- svyglm(as.formula(paste0(v, " ~ factor(", p$by, ")")), d)
    out <- rbind(out, data.frame(case = case, what = "contrast", indicator = v,
                                 domain = p$by, first = lv[1], second = lv[2],
                                 estimate = as.numeric(coef(fit)[2]),
                                 se = as.numeric(SE(fit)[2])))
  }
  out
}))
write.csv(extra, file.path(out, "contrast_svyvar.csv"), row.names = FALSE)

# a calibrated PPS design: post-stratified to apipop's school counts by type, then raked
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_awards <- data.frame(awards = c("No", "Yes"), Freq = c(2236, 3958))
ps <- postStratify(designs$strat_brewer, ~stype, pop_stype)
rk <- rake(designs$clus2_brewer, list(~stype, ~awards), list(pop_stype, pop_awards))
cal <- do.call(rbind, lapply(list(list("poststrat", ps), list("raked", rk)), function(z) {
  m <- svymean(~api00, z[[2]])
  b <- svyby(~api00, ~awards, z[[2]], svymean)
  data.frame(case = z[[1]], domain = c("", "awards", "awards"),
             level = c("", as.character(b$awards)), estimate = c(coef(m), coef(b)),
             se = c(SE(m), SE(b)))
}))
write.csv(cal, file.path(out, "calibrated.csv"), row.names = FALSE)

# degrees of freedom and weights (first rows), to check the design itself
meta <- do.call(rbind, lapply(names(designs), function(case) {
  d <- designs[[case]]
  data.frame(case = case, degf = degf(d), sum_weights = sum(weights(d)))
}))
write.csv(meta, file.path(out, "designs.csv"), row.names = FALSE)
writeLines(paste("R", R.version$major, R.version$minor, "survey", packageVersion("survey")),
           file.path(out, "VERSION.txt"))

# the approximate joint-inclusion matrices themselves, on probabilities with pairs that R
# zeroes ("fbar == 1": 0.5 + 0.5, 0.25 + 0.75, 0.4 + 0.6 for Hartley-Rao; 1 and 1 for Overton)
pr <- data.frame(p = c(.5, .25, .75, .5, .3, .2, 1, 1, .4, .6, .6),
                 stratum = c(1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2))
write.csv(pr, file.path(out, "joint_probabilities.csv"), row.names = FALSE)
write.csv(as.matrix(survey:::HRDcheck(pr$p, pr$stratum, ave(pr$p, pr$stratum))),
          file.path(out, "joint_hr.csv"), row.names = FALSE)
write.csv(as.matrix(survey:::overton2Dcheck(pr$p, pr$stratum)),
          file.path(out, "joint_overton.csv"), row.names = FALSE)
