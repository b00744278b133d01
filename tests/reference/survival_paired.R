# Reference values for stratified, clustered and weighted Cox fits and weighted
# Kaplan-Meier curves on a simulated paired (matched) design.
#
# Run from the repository root:   Rscript tests/reference/survival_paired.R
# Writes tests/reference/paired_data.csv (the simulated data, so Python reads exactly the
# same rows) and tests/reference/survival_paired.json (digits = NA, NA as null).
#
# Conventions as in survival_rossi.R: per-term vectors follow `terms`; "se" is the
# model-based SE, "robust_se" the sandwich SE; statistics come from the fit object
# (summary.coxph rounds the Wald test), p-values from pchisq().
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

# ---------------------------------------------------------------------------------------
# Simulated data. Do not reorder the random draws: the CSV and the JSON depend on them.
# ---------------------------------------------------------------------------------------
set.seed(20261124)
n_pairs <- 300
pair <- rep(seq_len(n_pairs), each = 2)                 # pair id 1..300
treat <- rep(c(1, 0), n_pairs)                          # one treated unit per pair
x1 <- round(rnorm(2 * n_pairs), 4)                      # continuous covariate
x2 <- rbinom(2 * n_pairs, 1, 0.4)                       # binary covariate
frailty <- rep(rnorm(n_pairs, 0, 0.5), each = 2)        # shared within a pair
rate <- exp(-0.4 * treat + 0.3 * x1 + 0.5 * x2 + frailty) / 40
event_time <- ceiling(rexp(2 * n_pairs, rate))          # whole weeks: many ties
censor_time <- ceiling(runif(2 * n_pairs, 5, 120))
time <- pmin(event_time, censor_time)
status <- as.integer(event_time <= censor_time)         # about 1/3 censored
w <- round(runif(2 * n_pairs, 0.2, 3), 4)               # non-integer case weights
paired <- data.frame(pair, treat, x1, x2, time, status, w)
write.csv(paired, "tests/reference/paired_data.csv", row.names = FALSE)

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------
cox_summary <- function(fit) {
  s <- summary(fit)
  ctab <- s$coefficients
  ci <- s$conf.int
  df <- length(coef(fit))
  robust <- !is.null(fit$naive.var)
  out <- list(
    terms = names(coef(fit)),
    n = fit$n, nevent = fit$nevent, iter = fit$iter,
    coef = unname(coef(fit)), exp_coef = unname(exp(coef(fit))),
    se = unname(sqrt(diag(if (robust) fit$naive.var else fit$var))),   # model-based
    z = unname(ctab[, "z"]), p = unname(ctab[, "Pr(>|z|)"]),          # robust if robust
    lower_95 = unname(ci[, "lower .95"]), upper_95 = unname(ci[, "upper .95"]),
    loglik = fit$loglik,                                               # [null, final]
    lr = 2 * diff(fit$loglik), lr_df = df,
    lr_p = pchisq(2 * diff(fit$loglik), df, lower.tail = FALSE),
    wald = unname(fit$wald.test), wald_df = df,                        # robust if robust
    wald_p = pchisq(unname(fit$wald.test), df, lower.tail = FALSE),
    score = unname(fit$score), score_df = df,
    score_p = pchisq(unname(fit$score), df, lower.tail = FALSE),
    concordance = unname(fit$concordance["concordance"]),
    concordance_se = unname(fit$concordance["std"])
  )
  if (robust) {
    out$robust_se <- unname(sqrt(diag(fit$var)))
    out$robust_wald <- unname(fit$wald.test)
    out$robust_score <- unname(fit$rscore)
    out$naive_wald <- unname(drop(coef(fit) %*% solve(fit$naive.var, coef(fit))))
  }
  out
}

zph_table <- function(fit, transform = "km") {
  z <- cox.zph(fit, transform = transform)
  list(transform = transform, terms = rownames(z$table),
       chisq = unname(z$table[, "chisq"]), df = unname(z$table[, "df"]),
       p = unname(z$table[, "p"]))
}

# ---------------------------------------------------------------------------------------
# Cox fits
# ---------------------------------------------------------------------------------------
f <- Surv(time, status) ~ treat + x1 + x2
f_strata <- Surv(time, status) ~ treat + x1 + x2 + strata(pair)

# Note: with strata of two, Efron and Breslow differ only when both members of a pair
# have an event at the same time; such a pair multiplies the Efron partial likelihood by
# 2 (a constant), so the coefficients coincide and the logliks differ by log(2) per pair.
fits <- list(
  strata_efron = coxph(f_strata, data = paired, ties = "efron"),
  strata_breslow = coxph(f_strata, data = paired, ties = "breslow"),
  cluster_efron = coxph(f, data = paired, cluster = pair, ties = "efron"),
  cluster_breslow = coxph(f, data = paired, cluster = pair, ties = "breslow"),
  # non-integer case weights: coxph then defaults to the robust variance (fit$var);
  # cox_summary() records the weighted inverse information (fit$naive.var) as `se`
  weighted = coxph(f, data = paired, weights = w),
  weighted_breslow = coxph(f, data = paired, weights = w, ties = "breslow"),
  weighted_robust = coxph(f, data = paired, weights = w, robust = TRUE),
  weighted_breslow_robust = coxph(f, data = paired, weights = w, robust = TRUE,
                                  ties = "breslow"),
  # strata and cluster together: strata(x2) replaces the x2 term
  strata_cluster_efron = coxph(Surv(time, status) ~ treat + x1 + strata(x2),
                               data = paired, cluster = pair)
)
out <- lapply(fits, cox_summary)

# Pairs with both members having an event at the same time (explains Efron = Breslow).
tied_pairs <- sum(tapply(seq_len(nrow(paired)), paired$pair, function(i)
  all(paired$status[i] == 1) && length(unique(paired$time[i])) == 1))

unstratified <- coxph(f, data = paired)
out$unstratified_efron <- cox_summary(unstratified)
out$zph_unstratified <- zph_table(unstratified, "km")
out$zph_unstratified_identity <- zph_table(unstratified, "identity")
out$zph_unstratified_rank <- zph_table(unstratified, "rank")

# ---------------------------------------------------------------------------------------
# Weighted Kaplan-Meier by treat
# ---------------------------------------------------------------------------------------
# survival >= 3: survfit() with non-integer weights uses the robust (infinitesimal
# jackknife) variance by default; robust = FALSE gives the weighted Greenwood variance.
km_times <- c(10, 30, 60, 90)
km_default <- survfit(Surv(time, status) ~ treat, data = paired, weights = w)
km_robust <- survfit(Surv(time, status) ~ treat, data = paired, weights = w, robust = TRUE)
km_greenwood <- survfit(Surv(time, status) ~ treat, data = paired, weights = w,
                        robust = FALSE)
s0 <- summary(km_default, times = km_times)
s1 <- summary(km_robust, times = km_times)
s2 <- summary(km_greenwood, times = km_times)
out$weighted_km <- list(
  strata = as.character(s0$strata), time = s0$time,
  n_risk = s0$n.risk, n_event = s0$n.event,             # weighted counts
  surv = s0$surv,
  default_is_robust = isTRUE(all.equal(s0$std.err, s1$std.err, tolerance = 0)),
  std_err = s0$std.err,                                  # default (robust) SE of S(t)
  lower = s0$lower, upper = s0$upper,                    # conf.type "log"
  robust_std_err = s1$std.err, robust_lower = s1$lower, robust_upper = s1$upper,
  greenwood_std_err = s2$std.err, greenwood_lower = s2$lower, greenwood_upper = s2$upper
)

# ---------------------------------------------------------------------------------------
out <- c(list(meta = list(
  R = R.version.string,
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  survival = as.character(packageVersion("survival")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/survival_paired.R",
  seed = 20261124, data = "tests/reference/paired_data.csv",
  n = nrow(paired), pairs = n_pairs, events = sum(status),
  censored_fraction = mean(status == 0),
  pairs_with_tied_double_events = tied_pairs,
  simulation = paste("hazard exp(-0.4 treat + 0.3 x1 + 0.5 x2 + frailty)/40,",
                     "frailty ~ N(0, 0.5^2) per pair; event time ceiling(Exp);",
                     "censoring ceiling(U(5, 120)); w = round(U(0.2, 3), 4)")
)), out)

write_json(out, "tests/reference/survival_paired.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
