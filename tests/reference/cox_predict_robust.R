# Predicted survival after robust and clustered Cox fits (survfit.coxph).
#
# survfit.coxph takes the variance of the coefficients from fit$var, which for a robust
# or clustered coxph is the sandwich (the model-based one is fit$naive.var): the
# standard error of H(t | x) is the baseline (Tsiatis) term plus q(t)' V q(t) with that
# V. Recorded on the Rossi data (robust = TRUE; cluster = grp, 108 clusters of 4 rows;
# Efron and Breslow; the model-based fit for contrast) and on the Fine-Gray fit of
# competing_risks.R (finegray() + coxph(..., weights = fgwt, cluster = id)).
#
# Run from the repository root:   Rscript tests/reference/cox_predict_robust.R
# Writes tests/reference/cox_predict_robust.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

# Matrices [time, curve] are written row by row: one inner list per time.
curve <- function(fit, newdata, times) {
  s <- summary(survfit(fit, newdata = newdata), times = times)
  list(time = s$time,
       surv = unname(s$surv),
       std_err = unname(s$std.err),           # SE of S(t), as summary() reports it
       std_err_cumhaz = unname(s$std.chaz),   # SE of H(t): what predict_survival reports
       cumhaz = unname(s$cumhaz),
       lower = unname(s$lower), upper = unname(s$upper))   # conf.type "log"
}

rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
rossi$grp <- (seq_len(nrow(rossi)) - 1) %/% 4
form <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
newdata <- data.frame(fin = c(0, 1), age = c(20, 35), race = c(1, 0), wexp = c(0, 1),
                      mar = c(0, 1), paro = c(1, 0), prio = c(5, 0))
times <- c(10, 20, 30, 40, 52)
rossi_block <- function(ties, robust = FALSE, clustered = FALSE) {
  fit <- if (clustered) coxph(form, data = rossi, ties = ties, cluster = grp)
         else coxph(form, data = rossi, ties = ties, robust = robust)
  c(list(robust_se = unname(sqrt(diag(fit$var)))), curve(fit, newdata, times))
}
out <- list(
  rossi = list(
    terms = c("fin", "age", "race", "wexp", "mar", "paro", "prio"),
    newdata = newdata, times = times,
    efron = rossi_block("efron"),
    efron_robust = rossi_block("efron", robust = TRUE),
    efron_cluster = rossi_block("efron", clustered = TRUE),
    breslow_robust = rossi_block("breslow", robust = TRUE),
    breslow_cluster = rossi_block("breslow", clustered = TRUE)
  )
)

competing <- read.csv("tests/reference/competing_data.csv")
fg <- finegray(Surv(time, factor(status)) ~ ., data = competing, etype = "1")
fg_fit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ group + x + z, weights = fgwt, data = fg,
                ties = "breslow", cluster = id)
fg_new <- data.frame(group = c("A", "C"), x = c(0, 1), z = c(1, 0))
fg_times <- c(6, 12, 24)
out$fine_gray <- c(list(newdata = fg_new, times = fg_times,
                        robust_se = unname(sqrt(diag(fg_fit$var)))),
                   curve(fg_fit, fg_new, fg_times))

out <- c(list(meta = list(
  R = R.version.string,
  survival = as.character(packageVersion("survival")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/cox_predict_robust.R",
  data = paste("src/rpeval/datasets/data/rossi.csv; tests/reference/competing_data.csv",
               "(Fine-Gray for cause 1, Breslow ties, cluster = id)")
)), out)
write_json(out, "tests/reference/cox_predict_robust.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
