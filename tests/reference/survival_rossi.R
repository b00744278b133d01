# Reference values for rpeval.recidivism on the Rossi, Berk & Lenihan (1980) data.
#
# Run from the repository root:   Rscript tests/reference/survival_rossi.R
# Writes tests/reference/survival_rossi.json (jsonlite, digits = NA: 15 significant digits).
#
# Coding: race = 1 is black, mar = 1 is married (as lifelines' load_rossi(); R's carData
# codes these as factors, which flips two signs against Fox & Weisberg's printout).
#
# Conventions used throughout the JSON:
#   * vectors of per-term values follow `terms` (the model-matrix column order);
#   * "se" is always the model-based SE (sqrt of diag of the inverse information);
#     "robust_se" is the sandwich SE (only present for robust/cluster fits);
#   * statistics are taken from the fit object, not from summary(), because
#     summary.coxph() rounds the Wald test to 2 decimals; p-values are recomputed
#     with pchisq() from the unrounded statistic;
#   * missing values (NA) are written as JSON null.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
stopifnot(nrow(rossi) == 432)
form <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio

# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

# Everything print(coxph) / summary(coxph) shows, unrounded.
cox_summary <- function(fit) {
  s <- summary(fit)
  ctab <- s$coefficients            # coef, exp(coef), se(coef), [robust se], z, Pr(>|z|)
  ci <- s$conf.int                  # exp(coef), exp(-coef), lower .95, upper .95
  df <- length(coef(fit))
  robust <- !is.null(fit$naive.var)
  out <- list(
    terms = names(coef(fit)),
    n = fit$n, nevent = fit$nevent,
    coef = unname(coef(fit)),
    exp_coef = unname(exp(coef(fit))),
    # model-based SE; for robust fits fit$var is the sandwich and naive.var the model one
    se = unname(sqrt(diag(if (robust) fit$naive.var else fit$var))),
    # z and p as summary() prints them: they use the robust SE when the fit is robust
    z = unname(ctab[, "z"]), p = unname(ctab[, "Pr(>|z|)"]),
    # 95% CI for exp(coef) as summary() prints it (robust SE when robust)
    lower_95 = unname(ci[, "lower .95"]), upper_95 = unname(ci[, "upper .95"]),
    loglik = fit$loglik,            # [null model, final model]
    iter = fit$iter,
    lr = 2 * diff(fit$loglik), lr_df = df,
    lr_p = pchisq(2 * diff(fit$loglik), df, lower.tail = FALSE),
    # fit$wald.test uses fit$var, i.e. the robust variance for robust fits
    wald = unname(fit$wald.test), wald_df = df,
    wald_p = pchisq(unname(fit$wald.test), df, lower.tail = FALSE),
    score = unname(fit$score), score_df = df,   # model-based score (log-rank) test
    score_p = pchisq(unname(fit$score), df, lower.tail = FALSE),
    concordance = unname(fit$concordance["concordance"]),
    concordance_se = unname(fit$concordance["std"]),
    concordance_counts = as.list(fit$concordance[c("concordant", "discordant", "tied.x",
                                                   "tied.y", "tied.xy")])
  )
  if (robust) {
    out$robust_se <- unname(sqrt(diag(fit$var)))
    out$robust_wald <- unname(fit$wald.test)
    out$robust_wald_p <- pchisq(unname(fit$wald.test), df, lower.tail = FALSE)
    out$robust_score <- unname(fit$rscore)     # robust score test (summary()$robscore)
    out$robust_score_p <- pchisq(unname(fit$rscore), df, lower.tail = FALSE)
    out$naive_wald <- unname(drop(coef(fit) %*% solve(fit$naive.var, coef(fit))))
  }
  out
}

# cox.zph table (survival >= 3: score test per term, plus GLOBAL).
zph_table <- function(fit, transform) {
  z <- cox.zph(fit, transform = transform)
  list(transform = transform, terms = rownames(z$table),
       chisq = unname(z$table[, "chisq"]), df = unname(z$table[, "df"]),
       p = unname(z$table[, "p"]))
}

# summary(survfit(coxph)) at fixed times. For several curves the matrices are
# [time, curve]: jsonlite writes them row by row, i.e. one inner list per time.
cox_curve <- function(fit, times, newdata = NULL) {
  sf <- if (is.null(newdata)) survfit(fit) else survfit(fit, newdata = newdata)
  s <- summary(sf, times = times)
  list(time = s$time, n_risk = s$n.risk,
       surv = unname(s$surv),
       std_err = unname(s$std.err),      # SE of S(t): se(H(t)) * S(t)
       std_err_cumhaz = unname(s$std.err / s$surv),   # se of H(t) = se of log S(t)
       cumhaz = unname(s$cumhaz),
       lower = unname(s$lower), upper = unname(s$upper),   # conf.type "log" (default)
       conf_type = sf$conf.type)
}

# Kaplan-Meier by fin at fixed times, for one conf.type.
km_times <- c(13, 26, 39, 52)
km_by <- function(conf_type) {
  fit <- survfit(Surv(week, arrest) ~ fin, data = rossi, conf.type = conf_type)
  s <- summary(fit, times = km_times)
  list(conf_type = conf_type,
       strata = as.character(s$strata), time = s$time,
       surv = s$surv,
       std_err = s$std.err,               # on the survival scale (Greenwood, times S)
       std_err_log = s$std.err / s$surv,  # Greenwood sd of log S (= survfit()$std.err)
       lower = s$lower, upper = s$upper,
       n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor)
}

# The whole KM step function by fin (every distinct time, events or censorings).
km_curve <- function() {
  fit <- survfit(Surv(week, arrest) ~ fin, data = rossi)
  list(strata = rep(names(fit$strata), fit$strata), time = fit$time,
       n_risk = fit$n.risk, n_event = fit$n.event, n_censor = fit$n.censor,
       surv = fit$surv, std_err_log = fit$std.err,  # survfit's std.err is on log scale
       lower = fit$lower, upper = fit$upper)
}

# summary(survfit)$table per stratum, median with CI (NA: fewer than half arrested).
km_table <- function() {
  fit <- survfit(Surv(week, arrest) ~ fin, data = rossi)
  tab <- summary(fit)$table
  list(strata = rownames(tab), records = unname(tab[, "records"]),
       n_max = unname(tab[, "n.max"]), events = unname(tab[, "events"]),
       median = unname(tab[, "median"]), median_lower = unname(tab[, "0.95LCL"]),
       median_upper = unname(tab[, "0.95UCL"]))
}

# Quantiles of the pooled KM curve. The median is not reached (fewer than half were
# arrested): probs 0.25 and 0.5 have null limits and are kept apart ("quantiles_more").
km_quantiles <- function(probs) {
  fit <- survfit(Surv(week, arrest) ~ 1, data = rossi)
  q <- quantile(fit, probs = probs)
  list(probs = probs, quantile = unname(q$quantile), lower = unname(q$lower),
       upper = unname(q$upper))
}

# survdiff: for a stratified test obs/exp are [group, stratum] matrices, written
# column-major (obs[group 1, stratum 1], obs[group 2, stratum 1], ...).
logrank <- function(fit) {
  df <- length(fit$n) - 1                 # groups - 1
  list(groups = names(fit$n), n = as.vector(fit$n),
       chisq = fit$chisq, df = df, p = pchisq(fit$chisq, df, lower.tail = FALSE),
       obs = as.vector(fit$obs), exp = as.vector(fit$exp),
       obs_total = if (is.matrix(fit$obs)) unname(rowSums(fit$obs)) else as.vector(fit$obs),
       exp_total = if (is.matrix(fit$exp)) unname(rowSums(fit$exp)) else as.vector(fit$exp),
       var = as.vector(fit$var),           # (groups x groups), column-major
       var_dim = dim(fit$var))
}

# Restricted mean survival (print(survfit, rmean = tau)) by fin.
rmean <- function(tau) {
  fit <- survfit(Surv(week, arrest) ~ fin, data = rossi)
  tab <- summary(fit, rmean = tau)$table
  list(tau = tau, strata = rownames(tab), rmean = unname(tab[, "rmean"]),
       se = unname(tab[, "se(rmean)"]),
       # difference fin=1 - fin=0 with independent-groups SE (not an R output)
       difference = unname(tab[2, "rmean"] - tab[1, "rmean"]),
       difference_se = sqrt(sum(tab[, "se(rmean)"]^2)))
}

# ---------------------------------------------------------------------------------------
# Fits
# ---------------------------------------------------------------------------------------

efron <- coxph(form, data = rossi, ties = "efron")
breslow <- coxph(form, data = rossi, ties = "breslow")
efron_robust <- coxph(form, data = rossi, ties = "efron", robust = TRUE)
breslow_robust <- coxph(form, data = rossi, ties = "breslow", robust = TRUE)
# artificial clusters of 4 consecutive rows (ids 0..107)
rossi$grp <- (seq_len(nrow(rossi)) - 1) %/% 4
efron_cluster <- coxph(form, data = rossi, ties = "efron", cluster = grp)
breslow_cluster <- coxph(form, data = rossi, ties = "breslow", cluster = grp)

# Predictions. survfit(coxph) defaults: stype = 2 (S = exp(-H)), ctype = 1 for a Breslow
# fit and 2 (Efron-corrected hazard increments) for an Efron fit, conf.type "log".
times <- c(10, 20, 30, 40, 52)
newdata <- data.frame(fin = c(0, 1), age = c(20, 35), race = c(1, 0), wexp = c(0, 1),
                      mar = c(0, 1), paro = c(1, 0), prio = c(5, 0))
# survival >= 3 centres 0/1 covariates at 0, not at their mean: survfit(fit) with no
# newdata is the curve at fit$means. The curve at the arithmetic sample means is
# recorded separately.
sample_means <- as.data.frame(as.list(colMeans(rossi[, c("fin", "age", "race", "wexp",
                                                          "mar", "paro", "prio")])))

predict_block <- function(fit) {
  c(cox_curve(fit, times, newdata),
    list(default_curve = c(list(profile = as.list(fit$means)), cox_curve(fit, times)),
         sample_mean_curve = c(list(profile = as.list(sample_means)),
                               cox_curve(fit, times, sample_means))))
}

# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------

rossi$prio_group <- cut(rossi$prio, c(-Inf, 0, 2, Inf), labels = c("0", "1-2", "3+"))

out <- list(
  meta = list(
    R = R.version.string,
    R_version = paste(R.version$major, R.version$minor, sep = "."),
    survival = as.character(packageVersion("survival")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/reference/survival_rossi.R",
    data = "src/rpeval/datasets/data/rossi.csv",
    n = nrow(rossi), events = sum(rossi$arrest),
    formula = "Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio",
    coding = "race = 1 black, mar = 1 married (lifelines coding)",
    cluster = "grp = (seq_len(432) - 1) %/% 4 (108 clusters of 4 consecutive rows)",
    survfit_coxph = "stype = 2, ctype = 1 (breslow) / 2 (efron), conf.type = 'log'",
    prio_group = "cut(prio, c(-Inf, 0, 2, Inf)): '0', '1-2', '3+'"
  ),
  cox = list(
    efron = cox_summary(efron), breslow = cox_summary(breslow),
    efron_robust = cox_summary(efron_robust),
    breslow_robust = cox_summary(breslow_robust),
    efron_cluster = cox_summary(efron_cluster),
    breslow_cluster = cox_summary(breslow_cluster),
    means = unname(efron$means)         # fit$means (0/1 covariates centred at 0)
  ),
  zph = list(
    km = zph_table(efron, "km"), rank = zph_table(efron, "rank"),
    identity = zph_table(efron, "identity"),
    breslow_km = zph_table(breslow, "km"), breslow_rank = zph_table(breslow, "rank"),
    breslow_identity = zph_table(breslow, "identity")
  ),
  predict = list(
    newdata = newdata, times = times,
    efron = predict_block(efron),
    breslow = predict_block(breslow)
  ),
  km = list(
    log = km_by("log"), log_log = km_by("log-log"), plain = km_by("plain"),
    curve = km_curve(),
    table = km_table(),
    quantiles = km_quantiles(c(0.1, 0.2)),
    quantiles_more = km_quantiles(c(0.25, 0.5))
  ),
  logrank = list(
    fin = logrank(survdiff(Surv(week, arrest) ~ fin, data = rossi)),
    fin_rho1 = logrank(survdiff(Surv(week, arrest) ~ fin, data = rossi, rho = 1)),
    prio3 = logrank(survdiff(Surv(week, arrest) ~ prio_group, data = rossi)),
    fin_strata_race = logrank(survdiff(Surv(week, arrest) ~ fin + strata(race),
                                       data = rossi))
  ),
  rmst = list(tau52 = rmean(52), tau40 = rmean(40))
)

write_json(out, "tests/reference/survival_rossi.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
