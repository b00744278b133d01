# Reference values for competing risks: Aalen-Johansen cumulative incidence and Gray's
# K-sample test (cmprsk::cuminc), Fine-Gray regression (cmprsk::crr, and survival's
# finegray() + coxph()), on simulated data with many tied times.
#
# Run from the repository root:   Rscript tests/reference/competing_risks.R
# Writes tests/reference/competing_data.csv (the simulated data) and
# tests/reference/competing_risks.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})

# ---------------------------------------------------------------------------------------
# Simulated data. Do not reorder the random draws: the CSV and the JSON depend on them.
# status: 0 censored, 1 re-arrest, 2 competing event (e.g. death or deportation).
# ---------------------------------------------------------------------------------------
set.seed(20261126)
n <- 450
id <- seq_len(n)
group <- sample(c("A", "B", "C"), n, replace = TRUE, prob = c(0.4, 0.35, 0.25))
x <- round(rnorm(n), 3)
z <- rbinom(n, 1, 0.45)
rate1 <- exp(-0.5 * (group == "B") + 0.3 * (group == "C") + 0.4 * x) / 30
rate2 <- exp(0.6 * z - 0.2 * x) / 60
t1 <- rexp(n, rate1)
t2 <- rexp(n, rate2)
cens <- runif(n, 6, 48)
raw <- pmin(t1, t2, cens)
time <- ceiling(raw)                                     # whole months: many ties
status <- ifelse(raw == cens, 0L, ifelse(t1 < t2, 1L, 2L))
w <- round(runif(n, 0.5, 2), 3)                          # case weights (drawn last)
competing <- data.frame(id, group, x, z, time, status, w)
write.csv(competing, "tests/reference/competing_data.csv", row.names = FALSE)

times <- c(3, 6, 12, 18, 24, 36, 48)

# cuminc(): one block per curve ("A 1" = group A, cause 1): the whole step function
# (cuminc lists each jump twice, as a step; we keep R's arrays) and timepoints().
cuminc_summary <- function(ci) {
  tests <- ci$Tests
  curves <- ci[setdiff(names(ci), "Tests")]
  tp <- timepoints(ci, times)
  list(
    curves = lapply(curves, function(cv) list(time = cv$time, est = cv$est, var = cv$var)),
    names = names(curves),
    times = times,
    est = lapply(names(curves), function(k) unname(tp$est[k, ])),
    var = lapply(names(curves), function(k) unname(tp$var[k, ])),
    tests = if (is.null(tests)) NULL else list(
      cause = rownames(tests), stat = unname(tests[, "stat"]), pv = unname(tests[, "pv"]),
      df = unname(tests[, "df"]))
  )
}

out <- list()
out$cuminc_group <- cuminc_summary(with(competing, cuminc(time, status, group, cencode = 0)))
out$cuminc_group_rho1 <- cuminc_summary(
  with(competing, cuminc(time, status, group, rho = 1, cencode = 0)))
out$cuminc_z <- cuminc_summary(with(competing, cuminc(time, status, z, cencode = 0)))
out$cuminc_all <- cuminc_summary(with(competing, cuminc(time, status, cencode = 0)))
out$cuminc_group_strata_z <- cuminc_summary(
  with(competing, cuminc(time, status, group, strata = z, cencode = 0)))

# survival's multi-state survfit (Aalen-Johansen with the infinitesimal-jackknife SE),
# unweighted and with case weights w: pstate columns are (event-free, cause 1, cause 2).
ms_summary <- function(fit) {
  s <- summary(fit, times = c(6, 12, 24))
  list(times = c(6, 12, 24), strata = as.character(s$strata),
       pstate = unname(s$pstate), std_err = unname(s$std.err))
}
out$survfit_multistate <- ms_summary(
  survfit(Surv(time, factor(status)) ~ group, data = competing))
out$survfit_multistate_weighted <- ms_summary(
  survfit(Surv(time, factor(status)) ~ group, data = competing, weights = w))

# Fine-Gray regression for each cause.
covs <- model.matrix(~ group + x + z, competing)[, -1]
fine_gray <- function(cause) {
  crr_fit <- with(competing, crr(time, status, covs, failcode = cause, cencode = 0))
  fg <- finegray(Surv(time, factor(status)) ~ ., data = competing, etype = as.character(cause))
  res <- list(
    terms = colnames(covs),
    crr = list(coef = unname(crr_fit$coef), se = unname(sqrt(diag(crr_fit$var))),
               loglik = crr_fit$loglik, loglik_null = crr_fit$loglik.null,
               converged = crr_fit$converged),
    finegray_rows = nrow(fg),
    finegray_weight_sum = sum(fg$fgwt)
  )
  for (ties in c("efron", "breslow")) {
    fit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + z, weights = fgwt,
                 data = fg, ties = ties)
    fit_cl <- coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + z, weights = fgwt,
                    data = fg, ties = ties, cluster = id)
    # fgwt is not whole, so coxph makes robust = TRUE (rows as clusters) the default:
    # fit$var is that sandwich and fit$naive.var the model-based variance.
    res[[paste0("coxph_", ties)]] <- list(
      coef = unname(coef(fit)), se = unname(sqrt(diag(fit$naive.var))), loglik = fit$loglik,
      row_robust_se = unname(sqrt(diag(fit$var))),
      robust_se = unname(sqrt(diag(fit_cl$var))))
  }
  res
}
out$fine_gray_1 <- fine_gray(1)
# Case weights: finegray() multiplies them into fgwt; its censoring curve is unweighted.
fg_w <- finegray(Surv(time, factor(status)) ~ ., data = competing, etype = "1", weights = w)
fit_w <- coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + z, weights = fgwt, data = fg_w,
               ties = "breslow", cluster = id)
out$fine_gray_1_weighted <- list(
  coef = unname(coef(fit_w)), robust_se = unname(sqrt(diag(fit_w$var))),
  se = unname(sqrt(diag(fit_w$naive.var))), loglik = fit_w$loglik,
  finegray_rows = nrow(fg_w), finegray_weight_sum = sum(fg_w$fgwt))
out$fine_gray_2 <- fine_gray(2)
# Strata: finegray() computes the censoring curve within each stratum.
fg_s <- finegray(Surv(time, factor(status)) ~ . + strata(z), data = competing, etype = "1")
fit_s <- coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + strata(z), weights = fgwt,
               data = fg_s, ties = "breslow", cluster = id)
out$fine_gray_1_strata <- list(
  coef = unname(coef(fit_s)), robust_se = unname(sqrt(diag(fit_s$var))),
  se = unname(sqrt(diag(fit_s$naive.var))), loglik = fit_s$loglik,
  finegray_rows = nrow(fg_s), finegray_weight_sum = sum(fg_s$fgwt))

out <- c(list(meta = list(
  R = R.version.string,
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  survival = as.character(packageVersion("survival")),
  cmprsk = as.character(packageVersion("cmprsk")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/competing_risks.R",
  data = "tests/reference/competing_data.csv (simulated, seed 20261126)"
)), out)

write_json(out, "tests/reference/competing_risks.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
