# Reference values for rpeval.recidivism on the Rossi (1980) data.
# Run from the repository root:  Rscript tests/reference/survival_rossi.R
# Writes tests/reference/survival_rossi.json (full precision).
suppressPackageStartupMessages({library(survival); library(jsonlite)})
rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
form <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio

cox_summary <- function(fit) {
  out <- list(
    coef = unname(coef(fit)), se = unname(sqrt(diag(fit$var))),
    loglik = fit$loglik, iter = fit$iter,
    lr = 2 * diff(fit$loglik), wald = unname(fit$wald.test),
    score = unname(fit$score), concordance = unname(fit$concordance["concordance"]),
    concordance_se = unname(sqrt(fit$concordance["var"])),
    terms = names(coef(fit))
  )
  if (!is.null(fit$naive.var)) {
    out$robust_se <- unname(sqrt(diag(fit$var)))
    out$se <- unname(sqrt(diag(fit$naive.var)))
    out$robust_wald <- unname(fit$wald.test)  # summary() rounds; use the fit
  }
  out
}
zph_table <- function(fit, transform) {
  z <- cox.zph(fit, transform = transform)
  list(terms = rownames(z$table), chisq = unname(z$table[, "chisq"]),
       df = unname(z$table[, "df"]), p = unname(z$table[, "p"]))
}

efron <- coxph(form, data = rossi, ties = "efron")
breslow <- coxph(form, data = rossi, ties = "breslow")
efron_robust <- coxph(form, data = rossi, ties = "efron", robust = TRUE)
breslow_robust <- coxph(form, data = rossi, ties = "breslow", robust = TRUE)
rossi$grp <- (seq_len(nrow(rossi)) - 1) %/% 4
efron_cluster <- coxph(form, data = rossi, ties = "efron", cluster = grp)
breslow_cluster <- coxph(form, data = rossi, ties = "breslow", cluster = grp)

newdata <- data.frame(fin = c(0, 1), age = c(20, 35), race = c(1, 0), wexp = c(0, 1),
                      mar = c(0, 1), paro = c(1, 0), prio = c(5, 0))
times <- c(10, 20, 30, 40, 52)
pred <- summary(survfit(efron, newdata = newdata), times = times)
pred_b <- summary(survfit(breslow, newdata = newdata), times = times)

km_by <- function(conf_type) {
  fit <- survfit(Surv(week, arrest) ~ fin, data = rossi, conf.type = conf_type)
  s <- summary(fit, times = c(13, 26, 39, 52))
  list(strata = as.character(s$strata), time = s$time, surv = s$surv, std_err = s$std.err,
       lower = s$lower, upper = s$upper, n_risk = s$n.risk, n_event = s$n.event)
}
km_median <- function() {
  fit <- survfit(Surv(week, arrest) ~ 1, data = rossi)
  q <- quantile(fit, probs = c(0.1, 0.2))
  list(probs = c(0.1, 0.2), quantile = unname(q$quantile), lower = unname(q$lower),
       upper = unname(q$upper))
}
logrank <- function(fit) list(chisq = fit$chisq, obs = as.vector(fit$obs),
                             exp = as.vector(fit$exp), var = as.vector(fit$var))
rossi$prio_group <- cut(rossi$prio, c(-Inf, 0, 2, Inf), labels = c("0", "1-2", "3+"))
rmean <- function(tau) {
  fit <- survfit(Surv(week, arrest) ~ fin, data = rossi)
  tab <- summary(fit, rmean = tau)$table
  list(tau = tau, rmean = unname(tab[, "rmean"]), se = unname(tab[, "se(rmean)"]))
}

out <- list(
  meta = list(R = R.version.string, survival = as.character(packageVersion("survival")),
              data = "src/rpeval/datasets/data/rossi.csv"),
  cox = list(efron = cox_summary(efron), breslow = cox_summary(breslow),
             efron_robust = cox_summary(efron_robust),
             breslow_robust = cox_summary(breslow_robust),
             efron_cluster = cox_summary(efron_cluster),
             breslow_cluster = cox_summary(breslow_cluster),
             means = unname(efron$means)),
  zph = list(km = zph_table(efron, "km"), rank = zph_table(efron, "rank"),
             identity = zph_table(efron, "identity"),
             breslow_km = zph_table(breslow, "km")),
  predict = list(newdata = newdata, times = times,
                 efron = list(surv = unname(pred$surv), std_err = unname(pred$std.err),
                              cumhaz = unname(pred$cumhaz)),
                 breslow = list(surv = unname(pred_b$surv), std_err = unname(pred_b$std.err))),
  km = list(log = km_by("log"), log_log = km_by("log-log"), plain = km_by("plain"),
            quantiles = km_median()),
  logrank = list(fin = logrank(survdiff(Surv(week, arrest) ~ fin, data = rossi)),
                 fin_rho1 = logrank(survdiff(Surv(week, arrest) ~ fin, data = rossi, rho = 1)),
                 prio3 = logrank(survdiff(Surv(week, arrest) ~ prio_group, data = rossi)),
                 fin_strata_race = logrank(survdiff(Surv(week, arrest) ~ fin + strata(race),
                                                    data = rossi))),
  rmst = list(tau52 = rmean(52), tau40 = rmean(40))
)
write_json(out, "tests/reference/survival_rossi.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
