# Reference values for covariate formulas (interactions, transforms, reference levels)
# on the Rossi, Berk & Lenihan (1980) data: R's model.matrix coding through coxph and
# survreg, against which rpeval's formulaic-based designs are checked.
#
# Run from the repository root:   Rscript tests/reference/formulas_rossi.R
# Writes tests/reference/formulas_rossi.json (jsonlite, digits = NA: 15 significant digits).
#
# The prior-arrest groups are a derived text column (prio_group: "0", "1-2", "3+"), with
# "1-2" as the reference level (relevel), as C(prio_group, Treatment('1-2')) says.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

rossi <- read.csv("src/rpeval/datasets/data/rossi.csv")
stopifnot(nrow(rossi) == 432)
rossi$prio_group <- ifelse(rossi$prio == 0, "0", ifelse(rossi$prio <= 2, "1-2", "3+"))
rossi$prio_group <- relevel(factor(rossi$prio_group), ref = "1-2")

fit_out <- function(fit, formula) {
  list(
    formula = formula,
    terms = names(coef(fit)),
    coef = unname(coef(fit)),
    se = unname(sqrt(diag(vcov(fit)))[seq_along(coef(fit))]),
    loglik = fit$loglik[2]
  )
}

out <- list(
  r_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cox_interactions = fit_out(
    coxph(Surv(week, arrest) ~ fin * age + log(prio + 1) + I(age^2) + prio_group,
          data = rossi, ties = "efron"),
    "fin*age + np.log(prio + 1) + I(age ** 2) + C(prio_group, Treatment('1-2'))"
  ),
  cox_interaction_only = fit_out(
    coxph(Surv(week, arrest) ~ fin + age:factor(wexp) + sqrt(prio), data = rossi,
          ties = "efron"),
    "fin + age:C(wexp) + np.sqrt(prio)"
  ),
  weibull = fit_out(
    survreg(Surv(week, arrest) ~ fin * prio_group + age, data = rossi, dist = "weibull"),
    "fin*C(prio_group, Treatment('1-2')) + age"
  )
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/formulas_rossi.json")
