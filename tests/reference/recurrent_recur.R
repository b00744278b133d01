# Reference values for recurrent events on lifelines' `recur` data
# (tests/fixtures/recur.csv: ID, AGE, TREAT, TIME0, TIME1, CENSOR, EVENT; 400 people,
# contiguous (TIME0, TIME1] intervals from 0, 939 events).
#
# Run from the repository root:   Rscript tests/reference/recurrent_recur.R
# Writes tests/reference/recurrent_recur.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

recur <- read.csv("tests/fixtures/recur.csv")
recur$GAP <- recur$TIME1 - recur$TIME0

cox_block <- function(fit) {
  list(terms = names(coef(fit)), coef = unname(coef(fit)),
       se = unname(sqrt(diag(fit$naive.var))), robust_se = unname(sqrt(diag(fit$var))),
       loglik = fit$loglik, n = fit$n, nevent = fit$nevent)
}

out <- list()
for (ties in c("efron", "breslow")) {
  # Andersen-Gill: counting process, robust variance clustered on the person
  out[[paste0("andersen_gill_", ties)]] <- cox_block(coxph(
    Surv(TIME0, TIME1, CENSOR) ~ AGE + TREAT, data = recur, cluster = ID, ties = ties))
  # Prentice-Williams-Peterson total time: strata by event number
  out[[paste0("pwp_total_", ties)]] <- cox_block(coxph(
    Surv(TIME0, TIME1, CENSOR) ~ AGE + TREAT + strata(EVENT), data = recur, cluster = ID,
    ties = ties))
  # Prentice-Williams-Peterson gap time: clock reset at each event
  out[[paste0("pwp_gap_", ties)]] <- cox_block(coxph(
    Surv(GAP, CENSOR) ~ AGE + TREAT + strata(EVENT), data = recur, cluster = ID, ties = ties))
}

# Mean cumulative function: Nelson-Aalen of the counting process with the robust
# (Lawless-Nadeau) standard error from survfit's id-clustered influence.
times <- c(10, 25, 50, 100, 150, 200, 300)
mcf_block <- function(fit) {
  s <- summary(fit, times = times, extend = TRUE)
  list(times = times, cumhaz = unname(s$cumhaz), std_err = unname(s$std.chaz),
       n_risk = unname(s$n.risk),
       strata = if (is.null(s$strata)) NULL else as.character(s$strata))
}
out$mcf <- mcf_block(survfit(Surv(TIME0, TIME1, CENSOR) ~ 1, data = recur, id = ID,
                             ctype = 1))
out$mcf_treat <- mcf_block(survfit(Surv(TIME0, TIME1, CENSOR) ~ TREAT, data = recur,
                                   id = ID, ctype = 1))
full <- survfit(Surv(TIME0, TIME1, CENSOR) ~ 1, data = recur, id = ID, ctype = 1)
out$mcf_curve <- list(time = full$time, cumhaz = full$cumhaz, std_err = full$std.chaz,
                      n_risk = full$n.risk, n_event = full$n.event)

out <- c(list(meta = list(
  R = R.version.string,
  survival = as.character(packageVersion("survival")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "tests/reference/recurrent_recur.R",
  data = "tests/fixtures/recur.csv (lifelines 0.30 load_recur)"
)), out)

write_json(out, "tests/reference/recurrent_recur.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
