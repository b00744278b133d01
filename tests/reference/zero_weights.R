# Case weights of 0: R refuses them in coxph and survreg ("Invalid weights, must be >0");
# rpeval leaves such rows out, as if absent. The reference is therefore R on the data
# without those rows. The zero weights sit mostly on events tied with other events, where
# a zero-weight row left in would still enter Efron's tie correction.
#
# Data: tests/reference/paired_data.csv (written by survival_paired.R) with `w0` = `w`
# set to 0 on every 4th event row whose time is shared with another event, and on rows
# 5 and 50 (censored or not, as they fall). `zero_rows` lists them (1-based).
#
# Run from the repository root:   Rscript tests/reference/zero_weights.R
# Writes tests/reference/zero_weights.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

paired <- read.csv("tests/reference/paired_data.csv")
event_rows <- which(paired$status == 1)
shared <- event_rows[paired$time[event_rows] %in%
                     paired$time[event_rows][duplicated(paired$time[event_rows])]]
zero_rows <- sort(unique(c(shared[seq(1, length(shared), by = 4)], 5, 50)))
paired$w0 <- paired$w
paired$w0[zero_rows] <- 0
kept <- paired[paired$w0 > 0, ]

refused <- tryCatch({
  coxph(Surv(time, status) ~ treat + x1 + x2, data = paired, weights = w0)
  "no error"
}, error = function(e) conditionMessage(e))

cox_block <- function(ties, robust) {
  fit <- coxph(Surv(time, status) ~ treat + x1 + x2, data = kept, weights = w0,
               ties = ties, robust = robust)
  block <- list(coef = unname(coef(fit)),
                se = unname(sqrt(diag(if (robust) fit$naive.var else fit$var))),
                loglik = fit$loglik, n = fit$n, nevent = fit$nevent)
  if (robust) block$robust_se <- unname(sqrt(diag(fit$var)))
  block
}
km <- summary(survfit(Surv(time, status) ~ treat, data = kept, weights = w0, robust = TRUE),
              times = c(10, 30, 60))
out <- list(
  meta = list(
    R = R.version.string,
    survival = as.character(packageVersion("survival")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/reference/zero_weights.R",
    data = "tests/reference/paired_data.csv with w0 (w, 0 on zero_rows)"
  ),
  zero_rows = zero_rows,
  zero_events_tied = sum(paired$status[zero_rows] == 1 &
                         paired$time[zero_rows] %in% paired$time[setdiff(event_rows,
                                                                           zero_rows)]),
  coxph_with_zero_weights = refused,
  terms = c("treat", "x1", "x2"),
  efron = cox_block("efron", FALSE),
  breslow = cox_block("breslow", FALSE),
  efron_robust = cox_block("efron", TRUE),
  km = list(strata = as.character(km$strata), time = km$time, surv = unname(km$surv),
            std_err = unname(km$std.err), n_risk = km$n.risk)
)
write_json(out, "tests/reference/zero_weights.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
