# Score residuals of weighted Cox fits (residuals(fit, type = "score")), Efron and Breslow.
#
# They are the derivative of the score in each row's weight, which the report's
# estimated-weights sandwich for a weighted Cox model needs. Recorded on the Rossi data
# with deterministic unequal weights (1 + (row %% 5) / 2) and tied weeks.
#
# Run from the repository root:   Rscript tests/reference/cox_score_residuals.R
# Writes tests/reference/cox_score_residuals.json (digits = NA).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
rossi$w <- 1 + ((seq_len(nrow(rossi)) - 1) %% 5) / 2
form <- Surv(week, arrest) ~ fin + age + prio
out <- list()
for (ties in c("efron", "breslow")) {
  fit <- coxph(form, data = rossi, weights = w, ties = ties)
  out[[ties]] <- list(coef = unname(coef(fit)),
                      residuals = unname(residuals(fit, type = "score")))
}
out$version <- as.character(packageVersion("survival"))
writeLines(toJSON(out, digits = NA, matrix = "rowmajor"),
           "tests/reference/cox_score_residuals.json")
