# Reference values for covariate-adjusted (marginal) survival curves on the Rossi data:
# direct standardisation from a Cox model (the mean of the predicted curves of everyone,
# with the treatment set to each arm), and an IPTW-weighted Kaplan-Meier with robust SEs.
#
# Run from the repository root:   Rscript tests/reference/adjusted_survival.R
# Writes tests/reference/adjusted_survival.json (digits = NA, NA as null).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
times <- c(13, 26, 39, 52)

fit <- coxph(Surv(week, arrest) ~ fin + age + prio + wexp, data = rossi)
standardised <- lapply(c(0, 1), function(a) {
  curves <- survfit(fit, newdata = transform(rossi, fin = a))
  s <- summary(curves, times = times)
  rowMeans(s$surv)                                   # average over the 432 people
})

# IPTW: logistic propensity of fin on the same covariates, ATE weights
ps <- fitted(glm(fin ~ age + prio + wexp, family = binomial, data = rossi))
rossi$iptw <- ifelse(rossi$fin == 1, 1 / ps, 1 / (1 - ps))
km <- summary(survfit(Surv(week, arrest) ~ fin, data = rossi, weights = iptw, robust = TRUE),
              times = times)

out <- list(
  meta = list(R = R.version.string, survival = as.character(packageVersion("survival")),
              script = "tests/reference/adjusted_survival.R",
              data = "src/rpeval/datasets/data/rossi.csv"),
  times = times,
  cox = list(terms = names(coef(fit)), coef = unname(coef(fit)),
             surv_fin0 = standardised[[1]], surv_fin1 = standardised[[2]]),
  iptw = list(weights = unname(rossi$iptw), strata = as.character(km$strata),
              surv = km$surv, std_err = km$std.err, lower = km$lower, upper = km$upper)
)
write_json(out, "tests/reference/adjusted_survival.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
