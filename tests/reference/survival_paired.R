# Reference values for stratified, clustered and weighted Cox fits on a paired design.
# Run from the repository root:  Rscript tests/reference/survival_paired.R
# Writes tests/reference/paired_data.csv (the simulated data) and survival_paired.json.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
set.seed(20261124)
n_pairs <- 300
pair <- rep(seq_len(n_pairs), each = 2)
treat <- rep(c(1, 0), n_pairs)
x1 <- round(rnorm(2 * n_pairs), 4)
x2 <- rbinom(2 * n_pairs, 1, 0.4)
frailty <- rep(rnorm(n_pairs, 0, 0.5), each = 2)
rate <- exp(-0.4 * treat + 0.3 * x1 + 0.5 * x2 + frailty) / 40
event_time <- ceiling(rexp(2 * n_pairs, rate))
censor_time <- ceiling(runif(2 * n_pairs, 5, 120))
time <- pmin(event_time, censor_time)
status <- as.integer(event_time <= censor_time)
w <- round(runif(2 * n_pairs, 0.2, 3), 4)
paired <- data.frame(pair, treat, x1, x2, time, status, w)
write.csv(paired, "tests/reference/paired_data.csv", row.names = FALSE)

fit_summary <- function(fit) {
  out <- list(coef = unname(coef(fit)), loglik = fit$loglik,
              concordance = unname(fit$concordance["concordance"]))
  out$lr <- 2 * diff(fit$loglik); out$score <- unname(fit$score)  # unrounded
  if (!is.null(fit$naive.var)) {
    out$se <- unname(sqrt(diag(fit$naive.var))); out$robust_se <- unname(sqrt(diag(fit$var)))
  } else out$se <- unname(sqrt(diag(fit$var)))
  out
}
f <- Surv(time, status) ~ treat + x1 + x2
out <- list(
  meta = list(R = R.version.string, survival = as.character(packageVersion("survival")),
              seed = 20261124, data = "tests/reference/paired_data.csv",
              events = sum(status)),
  strata_efron = fit_summary(coxph(update(f, . ~ . + strata(pair)), data = paired)),
  strata_breslow = fit_summary(coxph(update(f, . ~ . + strata(pair)), data = paired,
                                     ties = "breslow")),
  cluster_efron = fit_summary(coxph(f, data = paired, cluster = pair)),
  cluster_breslow = fit_summary(coxph(f, data = paired, cluster = pair, ties = "breslow")),
  weighted = fit_summary(coxph(f, data = paired, weights = w)),
  weighted_robust = fit_summary(coxph(f, data = paired, weights = w, robust = TRUE)),
  weighted_breslow_robust = fit_summary(coxph(f, data = paired, weights = w, robust = TRUE,
                                              ties = "breslow")),
  strata_cluster_efron = fit_summary(coxph(update(f, . ~ . + strata(x2) - x2), data = paired,
                                           cluster = pair)),
  zph_unstratified = {
    z <- cox.zph(coxph(f, data = paired))
    list(chisq = unname(z$table[, "chisq"]), df = unname(z$table[, "df"]))
  }
)
km_w <- survfit(Surv(time, status) ~ treat, data = paired, weights = w)
km_wr <- survfit(Surv(time, status) ~ treat, data = paired, weights = w, robust = TRUE)
s1 <- summary(km_w, times = c(10, 30, 60, 90))
s2 <- summary(km_wr, times = c(10, 30, 60, 90))
out$weighted_km <- list(strata = as.character(s1$strata), time = s1$time, surv = s1$surv,
                        std_err = s1$std.err, robust_std_err = s2$std.err,
                        robust_lower = s2$lower, robust_upper = s2$upper)
write_json(out, "tests/reference/survival_paired.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
